"""The reconciled estimates: low, best and high for each thing counted, day by day, by
documented rules (UCDP's low / best / high, ACLED's most conservative figure). The rules are in
:func:`reconcile`'s docstring and in the data README."""

from __future__ import annotations

import pandas as pd

from casualty_report.content.analysis import with_bounds
from casualty_report.ledger.statuses import STANDING, STATUSES
from casualty_report.ledger.vocabulary import counted_as

#: The columns of :func:`reconcile`'s frame (``tables/estimates.csv``).
ESTIMATE_COLUMNS = [
    "measure",
    "population",
    "scope",
    "count_kind",
    "date",
    "low",
    "best",
    "high",
    "claim_ids",
    "excluded_ids",
]


def reconcile(claims: pd.DataFrame) -> pd.DataFrame:
    """Low, best and high per measure x population x place x kind of count, at the end of each
    date on which a figure for it was reported (UCDP's low/best/high, ACLED's conservative
    choice). A measure's other words for the same people count as it ('arrested': 'detained').

    Rules, in order: claims reported by the end of the date, with the status they had then;
    retracted and superseded figures are left out (listed in ``excluded_ids``); within each
    claimant group only its latest date's figures count, since counts grow; a disputed figure
    widens the range, and sets the best only where no undisputed figure stands; low is the
    lowest low bound (a floor's own figure included), high the highest high bound (open if any
    figure is open-ended); best is the bounded figure reported last, on a tie the lowest
    (ACLED's most conservative figure), never below a floor ("at least").
    """
    # Plain Python over records: each key holds a handful of claims, and pandas calls per
    # (key, date) would cost more than the work (100,000 claims: seconds, not minutes).
    columns = [
        "measure",
        "population",
        "scope",
        "count_kind",
        "reported_on",
        "status",
        "status_effective",
        "claimant_group",
        "claim_id",
        "value",
        "low",
        "high",
    ]
    by_key: dict[tuple[str, str, str, str], list] = {}
    for figure in with_bounds(claims)[columns].itertuples(index=False):
        key = (counted_as(figure.measure), figure.population, figure.scope, figure.count_kind)
        by_key.setdefault(key, []).append(figure)
    rows = []
    for (measure, population, place, kind), figures in by_key.items():
        for date in sorted({figure.reported_on for figure in figures}):
            known = [
                (f, f.status if f.status_effective <= date else STANDING)
                for f in figures
                if f.reported_on <= date
            ]
            standing = [(f, status) for f, status in known if STATUSES[status].in_force]
            settled = _latest_per_group([f for f, status in standing if not STATUSES[status].contested])
            # A disputed figure widens the range while its group has nothing newer that stands
            # undisputed; it never sets the best estimate.
            newest_settled = {f.claimant_group: f.reported_on for f in settled}
            contested = [
                f
                for f in _latest_per_group([f for f, status in standing if STATUSES[status].contested])
                if f.reported_on >= newest_settled.get(f.claimant_group, f.reported_on)
            ]
            current = sorted(settled + contested, key=lambda f: f.claim_id)
            row = {
                "measure": measure,
                "population": population,
                "scope": place,
                "count_kind": kind,
                "date": date,
                "low": pd.NA,
                "best": pd.NA,
                "high": pd.NA,
            }
            if current:
                open_ended = any(pd.isna(f.high) for f in current)
                row |= {
                    "low": min(int(f.low) for f in current),
                    "best": _best(settled or contested),
                    "high": pd.NA if open_ended else max(int(f.high) for f in current),
                }
            row["claim_ids"] = tuple(f.claim_id for f in current)
            row["excluded_ids"] = tuple(
                sorted(f.claim_id for f, status in known if STATUSES[status].withdrawn)
            )
            rows.append(row)
    result = pd.DataFrame(rows, columns=ESTIMATE_COLUMNS)
    for column in ("low", "best", "high"):
        result[column] = result[column].astype("Int64")
    return result


def _latest_per_group(figures: list) -> list:
    """Each claimant group's figures of its latest date: counts grow, so older ones are out of date."""
    latest: dict[str, pd.Timestamp] = {}
    for figure in figures:
        latest[figure.claimant_group] = max(
            latest.get(figure.claimant_group, figure.reported_on), figure.reported_on
        )
    return [figure for figure in figures if figure.reported_on == latest[figure.claimant_group]]


def _best(figures: list) -> int:
    """The figure reported last among those with an upper bound (a floor only bounds the count
    from below), the lowest on a tie, raised to the highest floor: "at least 221" rules out 188.
    With floors alone, the highest of them."""
    bounded = [f for f in figures if not pd.isna(f.high)] or figures
    newest = max(f.reported_on for f in bounded)
    best = min(_within(f) for f in bounded if f.reported_on == newest)
    floors = [int(f.low) for f in figures if pd.isna(f.high)]
    return max([best, *floors])


def _within(figure) -> int:
    """A figure kept within its own bounds: "nearly 240" counts as 239, "over 5,800" as 5,801."""
    value = max(int(figure.value), int(figure.low))
    return value if pd.isna(figure.high) else min(value, int(figure.high))


def final_estimates(claims: pd.DataFrame) -> pd.DataFrame:
    """The last reconciled row of each measure x population x place x kind of count."""
    return (
        reconcile(claims)
        .groupby(["measure", "population", "scope", "count_kind"], sort=False)
        .tail(1)
        .reset_index(drop=True)
    )


def latest_best(estimates: pd.DataFrame, measure: str, place: str) -> int | None:
    """The best estimate of everyone counted in a place, at the last date of ``estimates``
    (:func:`reconcile`'s frame); None when there is none."""
    rows = estimates[
        (estimates["measure"] == measure)
        & (estimates["population"] == "all")
        & (estimates["scope"] == place)
        & (estimates["count_kind"] == "running_total")
    ]
    if rows.empty or pd.isna(rows["best"].iloc[-1]):
        return None
    return int(rows["best"].iloc[-1])
