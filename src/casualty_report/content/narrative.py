"""The report's words that depend on the data: headings from ``dataset.yml`` and findings
computed from the ledger, as Markdown. Notebooks hold no event-specific text, so the same
notebooks report any dataset, and a finding can never go stale when the ledger changes."""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd
from IPython.display import Markdown

from casualty_report.content import comparisons
from casualty_report.conventions import ids_given
from casualty_report.ledger.load import Ledger
from casualty_report.ledger.statuses import STANDING, STATUSES, WITHDRAWN
from casualty_report.ledger.vocabulary import CLAIMANT_GROUPS, MEASURES, POPULATIONS, QUALIFIERS, range_words


def heading(ledger: Ledger) -> Markdown:
    """Which report this page belongs to, and what it covers: place and date. (The lede is on
    the front page; every page repeating it would bury the page's own story.)"""
    rewound = " Figures and withdrawals reported later are left out." if ledger.as_of is not None else ""
    return Markdown(f"*{_text(ledger.info.title)}* **{_text(view_title(ledger))}**.{rewound}")


def claims_summary(ledger: Ledger) -> Markdown:
    """What the tables below hold: how many figures, from how many publications, over which
    days, and how many no longer stand as published, in words."""
    claims = ledger.claims
    if claims.empty:
        return Markdown("**What the numbers show.** No figures have been reported yet.")
    counts = claims["status"].value_counts()
    first, last = claims["reported_on"].min(), claims["reported_on"].max()
    # The worst fate first: withdrawn, disputed, replaced.
    worst_first = sorted(STATUSES.items(), key=lambda item: -item[1].rank)
    fates = [_how_many(counts.get(word, 0), *status.fate) for word, status in worst_first if status.fate[0]]
    return Markdown(
        f"**What the numbers show.** The tables hold {_count(len(claims), 'figure', 'figures')} from "
        f"{_count(claims['source_id'].nunique(), 'publication', 'publications')}, given between "
        f"{comparisons.day_words(first)} and {comparisons.day_words(last)}. Of them, "
        + ", ".join(fates[:-1])
        + f" and {fates[-1]}."
    )


def view_title(ledger: Ledger) -> str:
    """What a run covers, for people: 'As known at the start of 10 January 2022, the day after
    the article'; 'Almaty, every figure to 5 January 2023'."""
    place = ledger.scope
    if place is not None and place == ledger.info.national_scope:
        where = f"{place} as a whole"
    else:
        where = place or "Every place"
    if ledger.as_of is None:
        until = ledger.reported_until
        return f"{where}, every figure to {comparisons.day_words(until)}" if until is not None else where
    when = f"as known at the start of {comparisons.day_words(ledger.as_of)}"
    published = ledger.sources.set_index("source_id")["published_on"].get(ledger.info.focus_source)
    if published is not None and not pd.isna(published):
        days = (ledger.as_of - published).days
        if days == 1:
            when += f", the day after {ledger.info.focus_label}"
        elif days == 0:
            when += f", the day of {ledger.info.focus_label}"
    return f"{when[:1].upper()}{when[1:]}" if place is None else f"{where}, {when}"


def toll_summary(comparison: pd.DataFrame, ledger: Ledger) -> Markdown:
    """Officials against the other counter (the dataset's ``compared_with``), per place both
    reported, under the comparison rules (``comparison``: :func:`comparisons.official_against`'s
    frame): as known on one day, or against the final count, or why not; and the other's figure
    against the final count where the view holds one."""
    if comparison.empty:
        other = CLAIMANT_GROUPS[ledger.info.compared_with].counter
        return Markdown(
            f"**What the numbers show.** No place has death tolls from both officials and {other}."
        )
    sentences = [f"Officials against {CLAIMANT_GROUPS[ledger.info.compared_with].counter}."]
    for row in comparison.itertuples(index=False):
        judged = comparisons.judge(ledger, row)
        said = [comparisons.sentence(judged)]
        final = comparisons.final_count(ledger, judged.second)
        if final is not None and judged.basis != "final":
            said.append(comparisons.sentence(comparisons.compare(final, judged.second)))
        where = f"**{_text(row.scope)}.** " if len(comparison) > 1 else ""
        sentences.append(where + " ".join(_text(sentence) for sentence in said))
    return Markdown("**What the numbers show.** " + " ".join(sentences))


def timeline_summary(
    points: pd.DataFrame, estimates: pd.DataFrame, ledger: Ledger, measure: str = "deaths"
) -> Markdown:
    """How each claimant's count of everyone in the place moved, what was withdrawn, the final
    count where the view holds one, and the estimate by the page's rules (``points``:
    :func:`analysis.toll_timeline`; ``estimates``: :func:`estimates.reconcile`)."""
    place, word = ledger.place, _word(measure)
    if points.empty:
        return Markdown(f"**What the numbers show.** No count of everyone {word} in {_text(place)} yet.")
    sentences = []
    for group in [g for g in CLAIMANT_GROUPS if g in set(points["claimant_group"])]:
        own = points[points["claimant_group"] == group]
        gone = own["status"].isin(WITHDRAWN)
        standing, withdrawn = own[~gone], own[gone]
        whose = CLAIMANT_GROUPS[group].whose
        if len(standing) > 1 and not CLAIMANT_GROUPS[group].series:
            # Separate counters, not one count that moved: the range of what they gave.
            ordered = standing.sort_values("value", kind="stable")
            low, high = ordered.iloc[0], ordered.iloc[-1]
            counter = CLAIMANT_GROUPS[group].counter
            sentences.append(
                f"{counter[:1].upper()}{counter[1:]} gave {len(standing)} counts of everyone {word}, "
                f"between {_point(ledger, low)} and {_point(ledger, high)}."
            )
        elif len(standing) > 1:
            first, last = standing.iloc[0], standing.iloc[-1]
            # The day the last figure was first given, and the day it was last restated.
            reached = standing[standing["value"] == last["value"]].iloc[0]
            kept = (
                ""
                if reached["reported_on"] == last["reported_on"]
                else (f", still {int(last['value']):,} on {comparisons.day_words(last['reported_on'])}")
            )
            sentences.append(
                f"{whose} count of everyone {word} went from {_point(ledger, first)} to "
                f"{_point(ledger, reached)}{kept}."
            )
        elif len(standing) == 1:
            sentences.append(
                f"{whose} only standing count of everyone {word} was {_point(ledger, standing.iloc[0])}."
            )
        for point in withdrawn.drop_duplicates("value").itertuples(index=False):
            sentences.append(
                f"{whose} {claim_value(ledger.claim[point.claim_ids[0]])} "
                f"({comparisons.day_words(point.reported_on)}) was withdrawn."
            )
    final = comparisons.final_of(ledger, measure, place)
    if final is not None:
        sentences.append(
            f"The final count is {final.words}, given on {comparisons.day_words(final.reported_on)}."
        )
    here = estimates[
        (estimates["measure"] == measure)
        & (estimates["population"] == "all")
        & (estimates["scope"] == place)
        & (estimates["count_kind"] == "running_total")
    ]
    if len(here) and not pd.isna(here["best"].iloc[-1]):
        estimate = here.iloc[-1]
        if not pd.isna(estimate["high"]) and estimate["low"] == estimate["high"]:
            spread = f"the figures standing all say {estimate['low']:,}"
        else:
            if pd.isna(estimate["high"]):
                spread = f"the figures standing start at {estimate['low']:,}, with no upper bound"
            else:
                spread = f"the figures standing range from {estimate['low']:,} to {estimate['high']:,}"
        sentences.append(f"By the rules on this page the best estimate is {estimate['best']:,}; {spread}.")
    return Markdown(f"**What the numbers show.** In {_text(place)}: " + " ".join(_text(s) for s in sentences))


def _point(ledger: Ledger, point) -> str:
    """A timeline point as a sentence gives it: 'about 5,800 (9 January 2022)'."""
    words = total_words(ledger, point["claim_ids"], point["value"], point["lower_bound"])
    flag = "" if STATUSES[point["status"]].sound else f", {status_word(point['status'])}"
    return f"{words} ({comparisons.day_words(point['reported_on'])}{flag})"


def steps_summary(latest: pd.DataFrame, ledger: Ledger) -> Markdown:
    """What became of the people detained: each step's latest standing figure
    (``latest``: :func:`analysis.latest_steps`), with its date and claim."""
    if latest.empty:
        return Markdown(
            "**What the numbers show.** No figures yet for what followed the detentions in "
            f"{_text(ledger.place)}."
        )
    parts = [
        f"{display_value(int(row.value), row.qualifier, row.high)} {MEASURES[row.measure].label}"
        f" ({comparisons.day_words(row.reported_on)}{_flag(row.status)})"
        for row in latest.itertuples(index=False)
    ]
    return Markdown(
        f"**What the numbers show.** In {_text(ledger.place)}, as last reported: " + "; ".join(parts) + "."
    )


def corrections_summary(ledger: Ledger) -> Markdown:
    """How the focus source's figures fared."""
    info = ledger.info
    said = ledger.claims[ledger.claims["source_id"] == info.focus_source]
    if said.empty:
        return Markdown(
            f"**What the numbers show.** None of the figures in {_text(info.focus_label)} "
            "had been reported yet."
        )
    counts = said["status"].value_counts()
    # From the figures that stand to those withdrawn.
    best_first = sorted(STATUSES.items(), key=lambda item: item[1].rank)
    parts = [_how_many(counts.get(word, 0), *status.focus_fate) for word, status in best_first]
    return Markdown(
        f"**What the numbers show.** Of the {len(said)} figures in {_text(info.focus_label)}, "
        + ", ".join(parts[:-1])
        + f" and {parts[-1]}."
    )


def _how_many(n: int, singular: str, plural: str) -> str:
    """A count before a verb: 'none stands', '1 stands', '3 stand'."""
    return f"none {singular}" if n == 0 else _count(n, singular, plural)


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _text(value: object) -> str:
    """Ledger text made inert in Markdown: no HTML, no emphasis, links, lists or headings (line
    breaks become spaces, so no line of ledger text can start a block)."""
    marked = "".join(f"\\{char}" if char in "\\`*_[]#|~" else char for char in " ".join(str(value).split()))
    # After: an entity's '#' must not be escaped. A bare address would become a live link; its
    # colon as an entity reads the same and links nowhere.
    return html.escape(marked, quote=False).replace("://", "&#58;//")


def total_words(ledger: Ledger, ids: Sequence[str], value, lower_bound) -> str:
    """A total as a reader should see it: one claim keeps its own wording ('about 12,000',
    'dozens (counted as 12)'); a sum of several is 'at least' when any part is open."""
    ids = ids_given(ids)
    if len(ids) != 1:
        return f"{'at least ' if lower_bound else ''}{int(value):,}"
    claim = ledger.claim[ids[0]]
    count, qualifier, population = int(claim.value), claim.qualifier, claim.population
    if population == "all":
        return claim_value(claim)
    who = POPULATIONS[population].label
    if QUALIFIERS[qualifier].word:  # 'dozens of 'attackers' (counted as 12)'
        return f"{QUALIFIERS[qualifier].word} of {who} (counted as {count:,})"
    return f"{claim_value(claim)} {who}"


def status_word(status: str) -> str:
    """The report's word for a status: 'withdrawn', not the ledger's 'retracted'."""
    return STATUSES[status].label


def _flag(status: str) -> str:
    return "" if status == STANDING else f", {status_word(status)}"


def _word(measure: str) -> str:
    return MEASURES[measure].label


# --- claims in words ---------------------------------------------------------------------------


def display_value(value: int, qualifier: str, top: float | None = None) -> str:
    """A figure as a reader should see it: 'at least 164', 'over 5,800', 'dozens (counted as 12)',
    '55–77' (``top``: a range's upper figure, its ``value_high``)."""
    words = QUALIFIERS[qualifier]
    if words.range:
        if top is None or pd.isna(top):
            raise ValueError(f"a range needs its top figure (value_high) beside {value}")
        return range_words(value, int(top))
    if words.word:
        return f"{words.word} (counted as {value:,})"
    return f"{words.prefix}{value:,}"


def claim_value(claim) -> str:
    """A claim's figure as a reader should see it (a ledger row or ``Ledger.claim`` tuple)."""
    return display_value(int(claim.value), claim.qualifier, claim.value_high)


def describe(claim) -> str:
    """A claim in words: 'at least 164 dead (everyone, Kazakhstan)'."""
    return (
        f"{claim_value(claim)} {MEASURES[claim.measure].label}"
        f" ({POPULATIONS[claim.population].label}, {claim.scope})"
    )
