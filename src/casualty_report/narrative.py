"""The report's words that depend on the data: headings from ``dataset.yml`` and findings
computed from the ledger, as Markdown. Notebooks hold no event-specific text, so the same
notebooks report any dataset, and a finding can never go stale when the ledger changes."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import Markdown

from casualty_report import analysis
from casualty_report.estimates import final_estimates
from casualty_report.ledger import Ledger
from casualty_report.vocabulary import (
    CLAIMANT_GROUPS,
    MEASURES,
    POPULATIONS,
    QUALIFIERS,
    STATUSES,
    counted_as,
)


def heading(ledger: Ledger) -> Markdown:
    """Which report this page belongs to, and what it covers: place and date. (The lede is on
    the front page; every page repeating it would bury the page's own story.)"""
    return Markdown(f"*{_text(ledger.info.title)}* {coverage(ledger)}")


def coverage(ledger: Ledger) -> str:
    """Where and as of when, in one sentence of Markdown."""
    place = f"Place: **{_text(ledger.scope)}**." if ledger.scope else "Every place in the ledger."
    if ledger.as_of is not None:
        return f"{place} As known at the start of **{ledger.as_of:%-d %B %Y}**: later claims and status changes are left out."
    until = ledger.reported_until
    return place + (
        f" Figures reported up to **{until:%-d %B %Y}**." if until is not None else " No figures yet."
    )


def claims_summary(ledger: Ledger) -> Markdown:
    """How many claims, from how many sources, and how many no longer stand as published."""
    claims = ledger.claims
    counts = claims["status"].value_counts()
    standing = ", ".join(
        f"{counts.get(status, 0)} {status_word(status)}" for status in ("retracted", "disputed", "superseded")
    )
    sources = claims["source_id"].nunique()
    return Markdown(
        f"**What the numbers show.** {_count(len(claims), 'reported figure', 'reported figures')} from "
        f"{_count(sources, 'source', 'sources')}: {counts.get('active', 0)} stand as published; {standing}."
    )


def toll_summary(comparison: pd.DataFrame, ledger: Ledger) -> Markdown:
    """Officials' latest toll against the Health Ministry's, per place both reported
    (``comparison``: :func:`analysis.compare_official_health`'s frame)."""
    if comparison.empty:
        return Markdown(
            "**What the numbers show.** No place has death tolls from both officials and the Health Ministry."
        )
    sentences = []
    for row in comparison.itertuples(index=False):
        official = total_words(ledger, row.official_claim_ids, row.official_value, row.official_lower_bound)
        health = total_words(ledger, row.health_ministry_claim_ids, row.health_ministry_value,
                             row.health_ministry_lower_bound)  # fmt: skip
        gap = gap_words(ledger, row)
        # A count of one group of people is not a toll: say so rather than call it one.
        whole = _is_toll(row.official_populations), _is_toll(row.health_ministry_populations)
        said = "officials' latest toll was" if whole[0] else "officials gave no toll, only a count of"
        health_said = (
            ("the Health Ministry's was" if whole[0] else "the Health Ministry's toll was")
            if whole[1]
            else "the Health Ministry gave no toll, only a count of"
        )
        why = (
            "the two count different things and are not compared"
            if not all(whole)
            else "the figures are too vague or open-ended to compare"
        )
        sentences.append(
            f"In {_text(row.scope)}, {said} {_text(official)}"
            f" ({row.official_reported_on:%-d %b %Y}, {_text(row.official_claim_ids)}{_flag(row.official_status)});"
            f" {health_said} {_text(health)} ({row.health_ministry_reported_on:%-d %b %Y},"
            f" {_text(row.health_ministry_claim_ids)}{_flag(row.health_ministry_status)})"
            + (f", {gap} officials'." if gap else f": {why}.")
        )
    return Markdown("**What the numbers show.** " + " ".join(sentences))


def _is_toll(populations: str) -> bool:
    """A total for everyone, or parts added up: not a count of one group of people."""
    return populations == "all" or " + " in populations


def timeline_summary(
    points: pd.DataFrame, estimates: pd.DataFrame, ledger: Ledger, measure: str = "deaths"
) -> Markdown:
    """Where the place's count started, where it ended, and the reconciled estimate now
    (``points``: :func:`analysis.toll_timeline`; ``estimates``: :func:`estimates.reconcile`)."""
    national = ledger.place
    standing = points[points["status"] != "retracted"]
    if standing.empty:
        return Markdown(f"**What the numbers show.** No standing total of people {_word(measure)} yet.")
    first, last = standing.iloc[0], standing.iloc[-1]
    text = (
        f"**What the numbers show.** The first standing total of people {_word(measure)} in {_text(national)} was "
        f"{_text(total_words(ledger, first['claim_ids'], first['value'], first['lower_bound']))}"
        f" ({first['reported_on']:%-d %b %Y}, {_text(first['claim_ids'])}{_flag(first['status'])}); "
        f"the latest is {_text(total_words(ledger, last['claim_ids'], last['value'], last['lower_bound']))}"
        f" ({last['reported_on']:%-d %b %Y}, {_text(last['claim_ids'])}{_flag(last['status'])})"
    )
    final = estimates[
        (estimates["measure"] == measure)
        & (estimates["population"] == "all")
        & (estimates["scope"] == national)
        & (estimates["count_kind"] == "running_total")
    ]
    if len(final) and not pd.isna(final["best"].iloc[-1]):
        estimate = final.iloc[-1]
        high = "open" if pd.isna(estimate["high"]) else f"{estimate['high']:,}"
        text += f". Reconciled: best {estimate['best']:,}, low {estimate['low']:,}, high {high}"
    retracted = points[points["status"] == "retracted"]
    if len(retracted):
        text += f". Withdrawn along the way: {', '.join(f'{v:,}' for v in retracted['value'].unique())}"
    return Markdown(text + ".")


def steps_summary(latest: pd.DataFrame, ledger: Ledger) -> Markdown:
    """What became of the people detained: each step's latest standing figure
    (``latest``: :func:`analysis.latest_steps`), with its date and claim."""
    if latest.empty:
        return Markdown(
            f"**What the numbers show.** No figures yet for what followed the detentions in {_text(ledger.place)}."
        )
    parts = [
        f"{display_value(int(row.value), row.qualifier)} {MEASURES[row.measure].label}"
        f" ({row.reported_on:%-d %b %Y}, {_text(row.claim_id)}{_flag(row.status)})"
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
            f"**What the numbers show.** None of the figures in {_text(info.focus_label)} had been reported yet."
        )
    counts = said["status"].value_counts()
    parts = [
        _count(counts.get("active", 0), "stands as published", "stand as published"),
        _count(counts.get("superseded", 0), "was later revised by the same authorities",
               "were later revised by the same authorities"),
        _count(counts.get("disputed", 0), "is framed in a way other reporting contradicts",
               "are framed in a way other reporting contradicts"),
        _count(counts.get("retracted", 0), "had been withdrawn", "had been withdrawn"),
    ]  # fmt: skip
    return Markdown(
        f"**What the numbers show.** Of the {len(said)} figures in {_text(info.focus_label)}, "
        + ", ".join(parts[:-1])
        + f" and {parts[-1]}."
    )


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _text(value: object) -> str:
    """Ledger text made inert in Markdown: no HTML, no emphasis, links, lists or headings (line
    breaks become spaces, so no line of ledger text can start a block)."""
    marked = "".join(f"\\{char}" if char in "\\`*_[]#|~" else char for char in " ".join(str(value).split()))
    return html.escape(marked, quote=False)  # after: an entity's '#' must not be escaped


def total_words(ledger: Ledger, claim_ids: str, value, lower_bound) -> str:
    """A total as a reader should see it: one claim keeps its own wording ('about 12,000',
    'dozens (counted as 12)'); a sum of several is 'at least' when any part is open."""
    ids = analysis.claim_ids([claim_ids])
    if len(ids) != 1:
        return f"{'at least ' if lower_bound else ''}{int(value):,}"
    claim = ledger.claim[ids[0]]
    count, qualifier, population = int(claim.value), claim.qualifier, claim.population
    if population == "all":
        return display_value(count, qualifier)
    who = POPULATIONS[population].label
    if QUALIFIERS[qualifier].word:  # 'dozens of 'attackers' (counted as 12)'
        return f"{QUALIFIERS[qualifier].word} of {who} (counted as {count:,})"
    return f"{display_value(count, qualifier)} {who}"


def _vague(qualifiers: set[str]) -> bool:
    """A vague word ('dozens'): no number to compare."""
    return any(QUALIFIERS[q].word for q in qualifiers)


def _rounded(qualifiers: set[str]) -> bool:
    """'about' or 'nearly': a number given, rounded, with an upper bound."""
    return any(QUALIFIERS[q].prefix and not QUALIFIERS[q].lower_bound for q in qualifiers)


def gap_words(ledger: Ledger, row) -> str | None:
    """How the Health Ministry's toll compares with the officials' in one comparison row, as
    far as the figures allow: 'at least 3.9 times', '74 fewer than', 'at most 74 fewer than';
    None when they cannot be compared (a vague word, an open-ended official figure, or an
    official figure for one group of people only, such as 'attackers')."""

    def qualifiers(ids: str) -> set[str]:
        return {ledger.claim[i].qualifier for i in analysis.claim_ids([ids]) if i in ledger.claim}

    official, health = qualifiers(row.official_claim_ids), qualifiers(row.health_ministry_claim_ids)
    one_group = not (_is_toll(row.official_populations) and _is_toll(row.health_ministry_populations))
    if _vague(official | health) or row.official_lower_bound or one_group:
        return None
    about = "about " if _rounded(official | health) else ""
    floor = bool(row.health_ministry_lower_bound)  # the ministry's figure may be higher
    ratio, difference = row.ratio, int(row.difference)
    if not pd.isna(ratio) and ratio >= 2:
        return f"{'at least ' if floor else about}{ratio:.1f} times"
    if difference == 0:
        return "at least as many as" if floor else f"{about}the same as"
    if difference > 0:
        return f"{'at least ' if floor else about}{difference:,} more than"
    return f"{'at most ' if floor else about}{-difference:,} fewer than"


def status_word(status: str) -> str:
    """The report's word for a status: 'withdrawn', not the ledger's 'retracted'."""
    return STATUSES[status].label


def _flag(status: str) -> str:
    return "" if status == "active" else f", {status_word(status)}"


def _word(measure: str) -> str:
    return MEASURES[measure].label


# --- claims in words ---------------------------------------------------------------------------


def display_value(value: int, qualifier: str) -> str:
    """A figure as a reader should see it: 'at least 164', 'over 5,800', 'dozens (counted as 12)'."""
    words = QUALIFIERS[qualifier]
    if words.word:
        return f"{words.word} (counted as {value:,})"
    return f"{words.prefix}{value:,}"


def describe(claim) -> str:
    """A claim in words: 'at least 164 dead (everyone, Kazakhstan)'."""
    return (
        f"{display_value(int(claim.value), claim.qualifier)} {MEASURES[claim.measure].label}"
        f" ({POPULATIONS[claim.population].label}, {claim.scope})"
    )


def corrections(claims: pd.DataFrame, source_id: str) -> pd.DataFrame:
    """What one source said, claim by claim, and what other reporting established: each
    sentence built from ledger fields and tied to claim ids."""
    # Plain dicts of named tuples: a pandas look-up per claim cost most of the time at scale.
    by_id = {claim.claim_id: claim for claim in claims.itertuples(index=False)}
    final = {
        (estimate.measure, estimate.population, estimate.scope, estimate.count_kind): estimate
        for estimate in final_estimates(claims).itertuples(index=False)
    }
    rows = []
    for claim in claims[claims["source_id"] == source_id].itertuples(index=False):
        findings = []
        if claim.status == "retracted":
            shown = f" ({claim.status_source_id})" if claim.status_source_id else ""
            findings.append(f"withdrawn on {claim.status_effective:%-d %B %Y}{shown}")
        key = (counted_as(claim.measure), claim.population, claim.scope, claim.count_kind)
        replaced = [claim.superseded_by] if claim.status == "superseded" and claim.superseded_by else []
        for other_id in [*replaced, *claim.corrected_by.split()]:
            if other_id not in by_id:
                continue  # not reported yet in a view rewound with as_of
            other = by_id[other_id]
            differences = _differences(claim, other)
            verb = "replaced by " if other_id in replaced else ""
            findings.append(
                f"{verb}{other.claimant} ({other.reported_on:%-d %b %Y}, {other_id}): {describe(other)}"
                + (f", that is {'; '.join(differences)}" if differences else "")
            )
            # A figure whose label other reporting disputes (26 'civilians' who were 'attackers')
            # is followed under the label that holds, not its own.
            if (
                claim.status == "disputed"
                and (counted_as(other.measure), other.scope) == (key[0], key[2])
                and other.population != key[1]
            ):
                key = (counted_as(other.measure), other.population, other.scope, other.count_kind)
        later = "no later figure"
        estimate = final.get(key)
        if estimate is not None and estimate.claim_ids not in ("", claim.claim_id):
            later = f"{estimate.best:,} as of {estimate.date:%-d %b %Y} ({estimate.claim_ids})"
        rows.append(
            {
                "claim_id": claim.claim_id,
                "said": f"{describe(claim)}, per {claim.claimant}",
                "status": claim.status,
                "what_other_reporting_shows": "; ".join(findings),
                "latest_estimate": later,
            }
        )
    return pd.DataFrame(
        rows, columns=["claim_id", "said", "status", "what_other_reporting_shows", "latest_estimate"]
    )


def _differences(said, other) -> list[str]:
    """How a later claim reframes one: place, measure, population, who counted."""
    differences = []
    if other.scope != said.scope:
        differences.append(f"{other.scope}, not {said.scope}")
    if other.measure != said.measure:
        differences.append(f"{MEASURES[other.measure].label}, not {MEASURES[said.measure].label}")
    if other.population != said.population:
        differences.append(f"{POPULATIONS[other.population].label}, not {POPULATIONS[said.population].label}")
    if other.claimant_group != said.claimant_group:
        differences.append(
            f"counted by {CLAIMANT_GROUPS[other.claimant_group].counter}, not {CLAIMANT_GROUPS[said.claimant_group].counter}"
        )
    return differences
