"""When two reported figures may be set against each other, and the words for it.

The rules, each tested in ``tests/test_comparisons.py``:

1. **The same thing counted.** Same measure (a source's other word for the same people counts as
   it: 'arrested' for 'detained'), population, place and kind of count.
2. **A number on both sides.** A vague word ('dozens') gives none.
3. **One of the two is the final count**, and the words say so ("the withdrawn at least 164 was
   at most 74 below the final count, 238"); or
4. **both were known on one day**: given at most :data:`WINDOW` apart, and the words name the day.
5. **A floor bounds a gap; it does not measure it**: "at least 164" against 238 is "at most 74
   below", never "74 below".
6. **A sum is ours.** A figure made by adding claims is called a sum in the words and is never
   set against anyone's count as if it were a claimant's toll.

A pair that breaks a rule is not compared: its :attr:`Comparison.reason` says why, in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from casualty_report.content import analysis
from casualty_report.content.analysis import bounds
from casualty_report.ledger.load import Ledger
from casualty_report.ledger.statuses import STATUSES
from casualty_report.ledger.vocabulary import (
    CLAIMANT_GROUPS,
    COUNT_KINDS,
    EVERYONE,
    MEASURES,
    POPULATIONS,
    QUALIFIERS,
    counted_as,
    range_words,
)

#: Two figures given at most this far apart count as known on the same day: tolls were updated
#: every day or two in the first weeks, so a wider window would set a stale count against a
#: fresh one. The words name the later day.
WINDOW = pd.Timedelta(days=3)


@dataclass(frozen=True)
class Figure:
    """One claim's figure, or the sum of several claims' (a sum is the project's own)."""

    claim_ids: tuple[str, ...]
    measure: str  # as counted: 'detained' for a source's 'arrested'
    populations: tuple[str, ...]  # the claim's; for a sum, its parts'
    place: str
    kind: str
    group: str
    claimant: str
    reported_on: pd.Timestamp  # for a sum, its latest part's date
    value: int
    low: int
    high: int | None  # None: open (at least, over, a vague word)
    status: str  # for a sum, the worst of its parts'
    qualifier: str  # for a sum, 'exact' when every part is exact, else ''
    words: str  # how a sentence gives it: 'at least 164', "26 'attackers' and 16 security forces"
    final: bool = False  # the count the dataset names as final

    @property
    def is_sum(self) -> bool:
        return len(self.claim_ids) > 1

    @property
    def vague(self) -> bool:
        return bool(QUALIFIERS[self.qualifier].word) if self.qualifier else False

    @property
    def whose(self) -> str:
        """'the Health Ministry's', "officials'"."""
        return CLAIMANT_GROUPS[self.group].whose[:1].lower() + CLAIMANT_GROUPS[self.group].whose[1:]


def figure(ledger: Ledger, claim_ids: str | Sequence[str]) -> Figure:
    """The figure of one claim (its id), or the sum of several (their ids), from a ledger view."""
    ids = (claim_ids,) if isinstance(claim_ids, str) else tuple(claim_ids)
    claims = [ledger.claim[claim_id] for claim_id in ids]
    finals = set(ledger.info.final_counts)
    if len(claims) == 1:
        claim = claims[0]
        low, high = bounds(int(claim.value), claim.qualifier, claim.value_high)
        return Figure(
            ids,
            counted_as(claim.measure),
            (claim.population,),
            claim.scope,
            claim.count_kind,
            claim.claimant_group,
            claim.claimant,
            claim.reported_on,
            int(claim.value),
            low,
            high,
            claim.status,
            claim.qualifier,
            figure_words(claim),
            final=claim.claim_id in finals,
        )
    parts = [bounds(int(claim.value), claim.qualifier, claim.value_high) for claim in claims]
    highs = [high for _, high in parts]
    first = claims[0]
    return Figure(
        ids,
        counted_as(first.measure),
        tuple(claim.population for claim in claims),
        first.scope,
        first.count_kind,
        first.claimant_group,
        first.claimant,
        max(claim.reported_on for claim in claims),
        sum(int(claim.value) for claim in claims),
        sum(low for low, _ in parts),
        None if any(high is None for high in highs) else sum(h for h in highs if h is not None),
        max((claim.status for claim in claims), key=lambda status: STATUSES[status].rank),
        "exact" if all(claim.qualifier == "exact" for claim in claims) else "",
        " and ".join(figure_words(claim) for claim in claims),
    )


def figure_words(claim) -> str:
    """One claim's figure as a sentence gives it: 'at least 164', "26 'attackers'", 'dozens'."""
    words = QUALIFIERS[claim.qualifier]
    if words.range:
        number = range_words(int(claim.value), int(claim.value_high))
    else:
        number = words.word or f"{words.prefix}{int(claim.value):,}"
    if claim.population == "all":
        return number
    return f"{number}{' of' if words.word else ''} {POPULATIONS[claim.population].label}"


@dataclass(frozen=True)
class Comparison:
    """Two figures, and whether and how they may be set against each other."""

    first: Figure
    second: Figure
    basis: str  # "final": against the final count; "same day": as known on one day; "": not compared
    reason: str = ""  # why not, in words ("" when compared)
    day: pd.Timestamp | None = None  # the day both were known ("same day")
    gap_low: int | None = None  # second minus first, its least and greatest; None: open
    gap_high: int | None = None

    @property
    def compared(self) -> bool:
        return bool(self.basis)


def compare(first: Figure, second: Figure, window: pd.Timedelta = WINDOW) -> Comparison:
    """Whether ``first`` may be set against ``second``, by the rules in this module's docstring."""
    reason = _unlike(second, first)  # in the order the words give them: the second first
    if not reason:
        vague = next((f for f in (first, second) if f.vague), None)
        summed = next((f for f in (first, second) if f.is_sum and not f.final), None)
        if vague is not None:
            reason = f"“{QUALIFIERS[vague.qualifier].word}” gives no number to compare"
        elif summed is not None:
            reason = (
                f"{summed.whose.removesuffix(chr(39) + 's').removesuffix(chr(39))} gave counts of parts, and "
                f"{summed.value:,} is our sum of them, not a toll anyone gave"
            )
    if reason:
        return Comparison(first, second, "", reason)
    low = second.low - first.high if first.high is not None else None
    high = second.high - first.low if second.high is not None else None
    if low is None and high is None:
        return Comparison(first, second, "", "both are lower bounds ('at least'), so neither bounds the gap")
    if first.final or second.final:
        return Comparison(first, second, "final", gap_low=low, gap_high=high)
    withdrawn = next((f for f in (second, first) if STATUSES[f.status].withdrawn), None)
    if withdrawn is not None:
        return Comparison(
            first,
            second,
            "",
            f"{withdrawn.whose} {withdrawn.words} had been withdrawn: it is set only against a final count",
        )
    apart = abs(second.reported_on - first.reported_on)
    if apart > window:
        return Comparison(
            first,
            second,
            "",
            f"they were given {_span(apart)} apart, so they are not figures of one day",
        )
    return Comparison(
        first, second, "same day", day=max(first.reported_on, second.reported_on), gap_low=low, gap_high=high
    )


def _unlike(first: Figure, second: Figure) -> str:
    """Why two figures count different things, or ''."""
    if first.measure != second.measure:
        return (
            f"they count different things (people {MEASURES[first.measure].label} and people "
            f"{MEASURES[second.measure].label})"
        )
    if first.place != second.place:
        return f"they count different places ({first.place} and {second.place})"
    if first.kind != second.kind:
        kinds = COUNT_KINDS[first.kind].label, COUNT_KINDS[second.kind].label
        return f"they are different kinds of count (a {kinds[0]} and a {kinds[1]})"
    if first.populations != second.populations and (
        not (first.is_sum or second.is_sum) or EVERYONE not in (first.populations, second.populations)
    ):
        return f"they count different people ({_people(first.populations)} and {_people(second.populations)})"
    return ""


def _people(populations: tuple[str, ...]) -> str:
    return " and ".join(POPULATIONS[part].label for part in populations)


def _span(apart: pd.Timedelta) -> str:
    days = apart.days
    if days < 45:
        return f"{days} days"
    months = round(days / 30.4)
    if months < 18:
        return "a month" if months == 1 else f"{months} months"
    years = round(days / 365.25)
    return "a year" if years == 1 else f"{years} years"


def gap_words(comparison: Comparison) -> str:
    """How far ``second`` is from ``first``, as far as the bounds allow: '74 more than', 'at
    most 74 more than', 'between 5 and 14 more than', 'the same as'."""
    low, high = comparison.gap_low, comparison.gap_high
    if low is not None and high is not None:
        if low == high:
            return "the same as" if low == 0 else f"{abs(low):,} {'more' if low > 0 else 'fewer'} than"
        if low >= 0:
            return f"between {low:,} and {high:,} more than" if low else f"at most {high:,} more than"
        if high <= 0:
            return f"between {-high:,} and {-low:,} fewer than" if high else f"at most {-low:,} fewer than"
        return f"within {max(-low, high):,} of"
    if high is not None:  # the first figure is a floor: the gap is at most ``high``
        if high == 0:
            return "at most as many as"
        return f"at most {high:,} more than" if high > 0 else f"at least {-high:,} fewer than"
    if low is not None:  # the second is a floor
        if low == 0:
            return "at least as many as"
        return f"at least {low:,} more than" if low > 0 else f"at most {-low:,} fewer than"
    return "not measurably different from"


def sentence(comparison: Comparison) -> str:
    """The comparison as a reader reads it, or why it is not made. Second against first:
    'The final count, 238, was at most 74 more than the Health Ministry's withdrawn at least 164
    of 9 January 2022.'"""
    first, second = comparison.first, comparison.second
    if not comparison.compared:
        return (
            f"{_cap(second.whose)} {_status(second)}{second.words} ({day_words(second.reported_on)}) and "
            f"{first.whose} {_status(first)}{first.words} ({day_words(first.reported_on)}) are not "
            f"compared: {comparison.reason}."
        )
    if comparison.basis == "final":
        final, other = (second, first) if second.final else (first, second)
        low, high = _from(other, final)  # from the other figure's side: how far it stood from it
        gap = gap_words(Comparison(final, other, "final", gap_low=low, gap_high=high))
        return (
            f"{_cap(other.whose)} {_status(other)}{other.words} ({day_words(other.reported_on)}) was "
            f"{gap} the final count, {final.words}."
        )
    return (
        f"As known on {day_words(comparison.day)}, {second.whose} {_status(second)}{second.words} was "
        f"{gap_words(comparison)} {first.whose} {_status(first)}{first.words}"
        f"{_of(first, comparison.day)}."
    )


def headline(comparison: Comparison) -> str:
    """The comparison as a chart title states it: no dates in brackets, no full stop."""
    first, second = comparison.first, comparison.second
    if not comparison.compared:
        return (
            f"{_cap(second.whose)} {_status(second)}{second.words} and "
            f"{first.whose} {_status(first)}{first.words} are not compared: {comparison.reason}"
        )
    return (
        sentence(comparison)
        .rstrip(".")
        .replace(f" ({day_words(first.reported_on)})", "")
        .replace(f" ({day_words(second.reported_on)})", "")
    )


def _from(figure_: Figure, reference: Figure) -> tuple[int | None, int | None]:
    """The least and greatest of ``figure_`` minus ``reference``."""
    low = figure_.low - reference.high if reference.high is not None else None
    high = figure_.high - reference.low if figure_.high is not None else None
    return low, high


def _status(figure_: Figure) -> str:
    return "" if STATUSES[figure_.status].sound else f"{STATUSES[figure_.status].label} "


def _of(figure_: Figure, day: pd.Timestamp | None) -> str:
    return "" if day is None or figure_.reported_on == day else f" of {day_words(figure_.reported_on)}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def day_words(date: pd.Timestamp | None) -> str:
    """'9 January 2022'."""
    return "" if date is None else f"{date.day} {date:%B %Y}"


def final_count(ledger: Ledger, of: Figure) -> Figure | None:
    """The final count of what ``of`` counts, if this view of the ledger holds one."""
    if of.is_sum:
        return None
    final = final_of(ledger, of.measure, of.place, of.populations[0], of.kind)
    return None if final is None or final.claim_ids == of.claim_ids else final


def final_of(
    ledger: Ledger, measure: str, place: str, population: str = "all", kind: str = "running_total"
) -> Figure | None:
    """The dataset's final count of a measure in a place, if this view of the ledger holds it."""
    wanted = (measure, place, population, kind)
    for claim_id in ledger.info.final_counts:
        row = ledger.claim.get(claim_id)
        if row is not None and (counted_as(row.measure), row.scope, row.population, row.count_kind) == wanted:
            return figure(ledger, claim_id)
    return None


def judge(ledger: Ledger, row) -> Comparison:
    """One row of :func:`official_against`'s frame under the rules: the other counter's figure
    (the dataset's ``compared_with``) against officials'."""
    other = getattr(row, f"{ledger.info.compared_with}_claim_ids")
    return compare(figure(ledger, row.official_claim_ids), figure(ledger, other))


def official_against(ledger: Ledger, measure: str = "deaths") -> pd.DataFrame:
    """:func:`analysis.compare_official_with`'s frame for a view, officials against the counter
    the dataset names (``compared_with``), each row judged by the rules:
    ``basis`` ('same day', 'final' or empty: not compared), ``compared_on``, ``why_not``; the
    ``difference`` and ``ratio`` are kept only where the two may be compared and both figures
    are exact, since a floor bounds a gap without measuring it."""
    frame = analysis.compare_official_with(ledger.claims, ledger.info.compared_with, measure)
    judged = [judge(ledger, row) for row in frame.itertuples(index=False)]
    exact = [c.compared and c.gap_low is not None and c.gap_low == c.gap_high for c in judged]
    measured = pd.Series(exact, index=frame.index, dtype=bool)
    frame["difference"] = frame["difference"].where(measured)
    frame["ratio"] = frame["ratio"].where(measured)
    frame["basis"] = [c.basis for c in judged]
    frame["compared_on"] = pd.to_datetime(
        pd.Series([c.day for c in judged], index=frame.index, dtype="object")
    )
    frame["why_not"] = [c.reason for c in judged]
    return frame
