"""The words on the charts: titles that state each chart's finding, subtitles that say what,
where and as of when, value labels, and the source line naming the outlets. Generated from the
frames the notebook computed and the ledger's claims, so they stay true when the ledger changes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from casualty_report.content import comparisons, narrative
from casualty_report.content.comparisons import Figure
from casualty_report.conventions import ids_given
from casualty_report.ledger.load import Ledger
from casualty_report.ledger.statuses import IN_FORCE, STANDING, STATUSES, WITHDRAWN
from casualty_report.ledger.vocabulary import CLAIMANT_GROUPS, COUNT_KINDS, MEASURES, POPULATIONS


def as_of_words(ledger: Ledger) -> str:
    if ledger.as_of is not None:
        return f"as known at the start of {ledger.as_of:%-d %b %Y}"
    until = ledger.reported_until
    return f"as reported up to {until:%-d %b %Y}" if until is not None else "with no figures reported"


def place_words(ledger: Ledger) -> str:
    """The place a view of the ledger covers, as a subtitle names it."""
    return ledger.scope or "every place in the ledger"


def bar_total_words(ledger: Ledger, ids: Sequence[str], status: str) -> str:
    """'238', 'at least 164 (withdrawn)', '42 = 26 'civilians' + 16 security forces (disputed)'."""
    claims = [ledger.claim[i] for i in ids_given(ids)]
    parts = [(narrative.claim_value(claim), POPULATIONS[claim.population].label) for claim in claims]
    if len(parts) == 1:
        words = narrative.total_words(ledger, ids, 0, False)
    else:
        total = sum(int(claim.value) for claim in claims)
        words = f"{total:,} = " + " + ".join(" ".join(part) for part in parts)
    return words + status_suffix(status)


def day(date) -> str:
    """'14 Mar 2022' with no-break spaces, so a wrapped title keeps a date on one line."""
    return f"{date:%-d}\u00a0{date:%b}\u00a0{date:%Y}"


def sentence(parts: Sequence[str]) -> str:
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def asides(kind: str, status: str) -> str:
    """What to keep in mind after a bar's figure: ' (at one moment, superseded)'; '' for a
    standing running total."""
    said = [
        word
        for word in (COUNT_KINDS[kind].aside, "" if status == STANDING else narrative.status_word(status))
        if word
    ]
    return f" ({', '.join(said)})" if said else ""


def status_suffix(status: str) -> str:
    return "" if status == STANDING else f" ({narrative.status_word(status)})"


def gap_title(ledger: Ledger, comparison: pd.DataFrame, name_place: bool) -> str:
    """The finding of the toll comparison, for the first place both sides counted, under the
    comparison rules (:func:`comparisons.headline`)."""
    if comparison.empty:
        return (
            "No place has death tolls from both officials and "
            f"{CLAIMANT_GROUPS[ledger.info.compared_with].counter}"
        )
    row = next(comparison.head(1).itertuples(index=False))
    title = comparisons.headline(comparisons.judge(ledger, row))
    return f"In {row.scope}, {title[:1].lower()}{title[1:]}" if name_place else title


def latest_figures_title(table: pd.DataFrame, what: str) -> str:
    """'Latest figures: 4,353 injured; 2,678 sought care': each measure's latest standing figure."""
    standing = table[table["status"].isin(IN_FORCE)]
    if standing.empty:
        return f"No standing figure for people {what}"
    parts = []
    for measure in by_prominence(standing["measure"])[:3]:
        rows = standing[standing["measure"] == measure]
        # A running total, where there is one: a day's count is no measure's latest figure.
        totals = rows[rows["count_kind"] == "running_total"]
        rows = totals if len(totals) else rows
        everyone = rows[rows["population"] == "all"]
        latest = (everyone if len(everyone) else rows).sort_values(["reported_on", "value"]).iloc[-1]
        who = "" if latest["population"] == "all" else f" {POPULATIONS[latest['population']].label}"
        flag = asides(
            latest["count_kind"], latest["status"] if STATUSES[latest["status"]].contested else STANDING
        )
        parts.append(
            f"{narrative.display_value(int(latest['value']), latest['qualifier'], latest['high'])}{who} "
            f"{MEASURES[measure].label} ({day(latest['reported_on'])}){flag}"
        )
    return "Latest figures: " + "; ".join(parts)


def steps_title(latest: pd.DataFrame) -> str:
    """'About 12,000 detained by 12 Jan 2022; 1,205 convicted by 5 Jan 2023': the first and the
    last step's latest standing figures (the panels show every step between)."""
    if latest.empty:
        return "No figures yet for what followed the detentions"
    ends = latest.iloc[[0, -1]] if len(latest) > 1 else latest
    parts = [
        f"{narrative.display_value(int(row.value), row.qualifier, row.high)} "
        f"{MEASURES[row.measure].label} by {day(row.reported_on)}"
        for row in ends.itertuples(index=False)
    ]
    return sentence(parts)


def by_prominence(measures: pd.Series) -> list[str]:
    """Measures with the most claims first; ties in the vocabulary's order."""
    counts = measures.value_counts()
    return sorted(counts.index, key=lambda measure: (-counts[measure], list(MEASURES).index(measure)))


def rise_title(ledger: Ledger, points: pd.DataFrame, word: str, place: str, final: Figure | None) -> str:
    """How officials' count of everyone moved (another group's if officials gave none), up to the
    final count where the view holds it, and how a withdrawn figure stood against that count."""
    gone = points["status"].isin(WITHDRAWN)
    standing, withdrawn = points[~gone], points[gone]

    def shown(point) -> str:
        return narrative.total_words(ledger, point["claim_ids"], point["value"], point["lower_bound"])

    # Officials' count carries the title: saying they gave none is the finding when they did not.
    group = "official"
    own = standing[standing["claimant_group"] == group]
    whose = CLAIMANT_GROUPS[group].whose
    if points.empty:
        return f"No count of everyone {word} in {place} yet"
    if own.empty:
        gave = "no standing count" if (points["claimant_group"] == group).any() else "no count"
        title = f"Officials gave {gave} of everyone {word} in {place}"
    elif final is not None and own["value"].iloc[-1] == final.value and own["value"].iloc[0] != final.value:
        verb = "rose" if own["value"].iloc[0] < final.value else "fell"
        title = (
            f"{whose} count of people {word} {verb} from {shown(own.iloc[0])} "
            f"to the final count, {final.words}"
        )
    elif len(own) == 1 or own["value"].iloc[0] == own["value"].iloc[-1]:
        title = f"{whose} count of people {word}: {shown(own.iloc[-1])}"
    else:
        first, last = own.iloc[0], own.iloc[-1]
        verb = "rose" if last["value"] > first["value"] else "fell"
        title = f"{whose} count of people {word} {verb} from {shown(first)} to {shown(last)}"
    if len(withdrawn):
        point = withdrawn.iloc[0]
        who = CLAIMANT_GROUPS[point["claimant_group"]].whose
        who = who[:1].lower() + who[1:]
        if final is not None:
            gap = comparisons.compare(final, comparisons.figure(ledger, point["claim_ids"]))
            if gap.compared:
                said = shown(point)
                said = f"“{said}”" if any(c.isalpha() for c in said) else said  # quote 'at least 164'
                return title + f"; {who} withdrawn {said} was {comparisons.gap_words(gap)} it"
        title += f"; {who} {shown(point)} was withdrawn"
    return title


def source_line(ledger: Ledger, claim_ids: Iterable[str]) -> str:
    """Who made the claims behind a chart, then the outlets that published them, in the order of
    their first figure; past six outlets, a count."""
    if isinstance(claim_ids, str):  # one id as a bare string would read as one id per character
        raise TypeError(f"expected claim ids, got {claim_ids!r}")
    claim_ids = sorted(set(claim_ids))
    if not claim_ids:
        return "Source: no claims in the ledger for this view."
    claims = ledger.claims[ledger.claims["claim_id"].isin(claim_ids)].sort_values(["reported_on", "claim_id"])
    if claims.empty:
        return "Source: no claims in the ledger for this view."
    groups = set(claims["claimant_group"])
    who = [CLAIMANT_GROUPS[group].counter for group in CLAIMANT_GROUPS if group in groups]
    claimants = ", ".join(who[:-1]) + (" and " if len(who) > 1 else "") + who[-1]
    named = list(
        dict.fromkeys(str(ledger.source[i].outlet) if i in ledger.source else i for i in claims["source_id"])
    )
    shown = "; ".join(named[:6]) + (f"; and {len(named) - 6} more" if len(named) > 6 else "")
    return (
        f"Source: {claimants[:1].upper()}{claimants[1:]}, as published by {shown}. "
        "Every figure is a claim in the report's ledger, listed with its page in the tables."
    )
