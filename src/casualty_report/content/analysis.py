"""Tidy tables and comparisons built from a validated ledger.

Every row these functions return carries the ``claim_ids`` it was computed from, so each number
in a table or chart leads back to ledger rows and their sources.

Bounds from qualifiers (documented in data/README.md):

- ``exact``: low = high = value.
- ``at_least``: low = value, high open.  ``more_than``: low = value + 1, high open.
- ``about``: the value is rounded to its last non-zero digit (a power of ten to the digit below),
  so the truth lies within half a rounding unit: about 5,800 -> 5,750..5,849, about 10,000 ->
  9,500..10,499.  A figure given to the last digit is exact.
- ``nearly``: just under a rounded figure: nearly 240 -> 230..239, nearly 1,000 -> 900..999.
- ``several``, ``dozens``, ``hundreds``: the ledger value is already the conservative coding
  (3, 12, 100; ACLED's rule for the last two), so low = value and the high bound is open.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from casualty_report.conventions import as_ids
from casualty_report.ledger.statuses import CONTESTED, IN_FORCE, STATUSES
from casualty_report.ledger.vocabulary import (
    CLAIMANT_GROUPS,
    EVERYONE,
    MEASURES,
    POPULATIONS,
    QUALIFIERS,
    counted_as,
    measures_about,
    same_people,
    steps,
)

TABLE_COLUMNS = [
    "claim_id",
    "reported_on",
    "scope",
    "measure",
    "population",
    "claimant",
    "claimant_group",
    "qualifier",
    "count_kind",
    "value",
    "low",
    "high",
    "status",
    "source_id",
    "locator",
    "note",
]


def claim_ids(*columns: Iterable[str]) -> list[str]:
    """Every claim id in some columns of ids, in order, once each: a computed frame's cells are
    tuples of ids, the ledger's own link columns text with the ids separated by spaces."""
    ids = (
        claim_id
        for column in columns
        for cell in column
        for claim_id in (cell if isinstance(cell, tuple) else str(cell).split())
    )
    return list(dict.fromkeys(ids))


def rounding_unit(value: int) -> int:
    """The power of ten a round figure is given to: 5800 -> 100, 240 -> 10, 2265 -> 1. A power
    of ten itself is read to the digit below ('about 10,000' is 9,500-10,499, not 5,000-14,999;
    'nearly 1,000' 900-999, not 0-999): rounded to its own unit it would mean anything from half
    to one and a half times itself."""
    unit = 1
    while value and value % (unit * 10) == 0:
        unit *= 10
    return unit // 10 if value == unit and unit >= 100 else unit


def bounds(value: int, qualifier: str, top: int | None = None) -> tuple[int, int | None]:
    """Low and high bound (None: open) of a figure given with a qualifier; ``top`` is a range's
    upper figure (its ``value_high``)."""
    if qualifier == "exact":
        return value, value
    if QUALIFIERS[qualifier].range:
        if top is None or pd.isna(top):
            raise ValueError(f"a range needs its top figure (value_high) beside {value}")
        return value, int(top)
    if qualifier == "more_than":
        return value + 1, None
    if QUALIFIERS[qualifier].upper_bound:
        return 0, value
    if QUALIFIERS[qualifier].lower_bound:
        return value, None
    unit = rounding_unit(value)
    if qualifier == "about":
        if unit == 1:
            return value, value
        return value - unit // 2, value + unit // 2 - 1
    if qualifier == "nearly":
        return max(value - unit, 0), max(value - 1, 0)
    raise ValueError(f"no bounds rule for qualifier {qualifier!r}")


def with_bounds(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims with ``low`` and ``high`` columns (nullable integers; <NA> = open)."""
    pairs = [
        bounds(int(v), q, t)
        for v, q, t in zip(claims["value"], claims["qualifier"], claims["value_high"], strict=True)
    ]
    out = claims.copy()
    out["low"] = pd.array([low for low, _ in pairs], dtype="Int64")
    out["high"] = pd.array([high for _, high in pairs], dtype="Int64")
    return out


def _for_everyone(populations: pd.Series) -> pd.Series:
    """Which totals count everyone (``==`` on the column would compare a tuple cell by cell)."""
    return populations.map(lambda cell: as_ids(cell) == EVERYONE).astype(bool)


def scope_order(claims: pd.DataFrame) -> list[str]:
    """Places in the order the ledger first mentions them (the curator puts the nation first)."""
    return list(dict.fromkeys(claims["scope"]))


def _in_scope_order(frame: pd.DataFrame, places: list[str], *then: str) -> pd.DataFrame:
    key = frame["scope"].map({place: rank for rank, place in enumerate(places)})
    ordered = frame.assign(_scope_rank=key).sort_values(["_scope_rank", *then], kind="stable")
    return ordered.drop(columns="_scope_rank").reset_index(drop=True)


def claims_table(claims: pd.DataFrame, measures: Sequence[str]) -> pd.DataFrame:
    """Claims of some measures, with bounds, sorted by place, measure and size."""
    unknown = set(measures) - set(MEASURES)
    if unknown:
        raise ValueError(f"unknown measure(s): {', '.join(sorted(unknown))}")
    selected = claims[claims["measure"].isin(measures)]
    table = with_bounds(selected)[TABLE_COLUMNS].sort_values(["value", "claim_id"], ascending=[False, True])
    return _in_scope_order(table, scope_order(claims), "measure")


def casualty_table(claims: pd.DataFrame) -> pd.DataFrame:
    """Every death figure."""
    return claims_table(claims, ["deaths"])


def injury_table(claims: pd.DataFrame) -> pd.DataFrame:
    """Every figure for people injured, treated, seeking care or hospitalised."""
    return claims_table(claims, measures_about("injuries"))


def steps_table(place_claims: pd.DataFrame) -> pd.DataFrame:
    """Every figure on the path from detention to sentence in the report's place (detained, jailed
    for an administrative offence, held by court order, criminal cases, convicted), step by step
    and oldest first within a step. ``place_claims``: the view's ``Ledger.place_claims``."""
    measures = [word for step in steps() for word in same_people(step)]  # 'arrested' with 'detained'
    table = claims_table(place_claims, measures)  # no figures yet: an empty table
    order = table["measure"].map(lambda measure: list(steps()).index(counted_as(measure)))
    return table.assign(_step=order).sort_values(["_step", "reported_on", "claim_id"]).drop(columns="_step")


def latest_steps(table: pd.DataFrame) -> pd.DataFrame:
    """Each step's latest standing figure (the lowest on a tie, the most conservative), from
    :func:`steps_table`'s frame: what had become of the people detained, as last reported."""
    standing = table[
        table["status"].isin(IN_FORCE)
        & (table["population"] == "all")
        & (table["count_kind"] == "running_total")  # a day's count or a count at one moment is no step
    ]
    standing = standing.assign(measure=standing["measure"].map(counted_as))
    # As in the estimates, a disputed figure counts only where nothing undisputed stands.
    standing = standing.assign(_disputed=standing["status"].isin(CONTESTED))
    latest = standing.sort_values(
        ["_disputed", "reported_on", "value"], ascending=[True, False, True], kind="stable"
    ).drop(columns="_disputed")
    latest = latest.drop_duplicates("measure").set_index("measure")
    return latest.reindex([step for step in steps() if step in latest.index]).reset_index()


def arrest_table(claims: pd.DataFrame) -> pd.DataFrame:
    """Every figure for people detained, arrested, held or convicted."""
    return claims_table(claims, measures_about("arrests"))


def justice_table(claims: pd.DataFrame) -> pd.DataFrame:
    """Every figure for what followed the detentions: cases, charges, court orders, sentences,
    penalties and releases."""
    return claims_table(claims, measures_about("justice"))


def report_totals(claims: pd.DataFrame, measure: str = "deaths") -> pd.DataFrame:
    """One total per report: one claimant's claims in one source on one date, per place. Only
    running totals count (a day's detentions is not a total), and a measure's other words for the
    same people with it ('arrested' for 'detained').

    A report's total is its figure for everyone ("all"); failing that, the sum of its figures for
    civilians, security forces and attackers. Parts are only added when reported together, so
    the same people are never counted twice across reports (the article's 26 "civilians" are the
    Interior Ministry's 26 "attackers"). Minors are never added. Status: the worst of the parts
    (retracted > disputed > superseded > active).
    """
    table = with_bounds(claims)
    # Everyone counted so far, under whichever word the source used for the same people.
    table = table[table["measure"].isin(same_people(measure)) & (table["count_kind"] == "running_total")]
    keys = ["scope", "claimant_group", "claimant", "source_id", "reported_on"]
    # One figure for everyone per report if it has one; else its addable parts, by population.
    whole = table[table["population"] == "all"].drop_duplicates(keys, keep="first")
    covered = pd.MultiIndex.from_frame(table[keys]).isin(pd.MultiIndex.from_frame(whole[keys]))
    parts = table[
        ~covered & table["population"].isin([w for w, p in POPULATIONS.items() if p.addable])
    ].sort_values("population", kind="stable")
    chosen = pd.concat([whole, parts]).assign(
        _open=lambda t: t["high"].isna(),
        _rank=lambda t: t["status"].map({w: s.rank for w, s in STATUSES.items()}),
    )
    totals = (
        chosen.groupby(keys, sort=False)
        .agg(
            value=("value", "sum"),
            low=("low", "sum"),
            high=("high", "sum"),
            lower_bound=("_open", "any"),
            populations=("population", tuple),
            parts=("population", "size"),
            rank=("_rank", "max"),
            claim_ids=("claim_id", tuple),
        )
        .reset_index()
    )
    totals["high"] = totals["high"].astype("Int64").mask(totals["lower_bound"])
    totals["status"] = totals.pop("rank").map({s.rank: w for w, s in STATUSES.items()})
    for column in ("value", "low"):
        totals[column] = totals[column].astype("int64")
    columns = [
        "scope",
        "claimant_group",
        "source_id",
        "reported_on",
        "value",
        "low",
        "high",
        "lower_bound",
        "populations",
        "parts",
        "status",
        "claim_ids",
    ]
    return (
        totals[columns]
        .sort_values(["reported_on", "scope", "claimant_group", "claim_ids"])
        .reset_index(drop=True)
    )


def group_totals(claims: pd.DataFrame, measure: str = "deaths") -> pd.DataFrame:
    """Each claimant group's latest total per place, officials first within a place.

    The latest report wins (see :func:`report_totals`); on the same date, a report covering
    everyone beats one adding parts, more parts beat fewer, then the lowest claim id.
    """
    latest = _latest_per_place(report_totals(claims, measure))
    return _in_scope_order(latest, scope_order(claims), "_group_rank").drop(columns="_group_rank")


def _latest_per_place(totals: pd.DataFrame) -> pd.DataFrame:
    """Each group's latest report per place, from :func:`report_totals`' frame."""
    totals = totals.assign(_covers_all=_for_everyone(totals["populations"]))
    # A whole toll (everyone, or parts added up) beats a newer count of one group of people:
    # 16 security forces dead is not a toll to set against another side's.
    totals["_whole"] = totals["_covers_all"] | (totals["parts"] >= 2)
    totals = totals.sort_values(
        ["_whole", "reported_on", "_covers_all", "parts", "claim_ids"],
        ascending=[False, False, False, False, True],
        kind="stable",
    ).drop_duplicates(["scope", "claimant_group"])
    totals["_group_rank"] = totals["claimant_group"].map(list(CLAIMANT_GROUPS).index)  # officials first
    return totals.drop(columns=["_covers_all", "_whole", "source_id", "parts"])


def compare_official_with(
    claims: pd.DataFrame, other: str = "health_ministry", measure: str = "deaths"
) -> pd.DataFrame:
    """Officials against another claimant group (``other``: the Health Ministry by default), per
    place where both gave a figure: the other group's latest total (see :func:`group_totals`) and
    officials' latest whole total *as known on that day* (their latest overall if they had none by
    then), difference and ratio. Whether the two may be compared at all is
    :mod:`casualty_report.content.comparisons`' to say. Columns are prefixed ``official_`` and the
    other group's word (``health_ministry_value``).

    ``difference`` is the other group's minus officials'; ``ratio`` the other's over officials'.
    """
    reports = report_totals(claims, measure)
    latest = _latest_per_place(reports)
    health = latest[latest["claimant_group"] == other].set_index("scope")
    whole = _for_everyone(reports["populations"]) | (reports["parts"] >= 2)
    official = reports[(reports["claimant_group"] == "official") & whole]
    days = dict(zip(health.index, health["reported_on"], strict=True))
    their_day = pd.to_datetime(official["scope"].map(days))  # NaT: no ministry figure there
    by_then = official[official["reported_on"] <= their_day]
    officials = pd.concat([_latest_per_place(by_then), latest[latest["claimant_group"] == "official"]])
    officials = officials.drop_duplicates("scope").set_index("scope")  # as known then, else the latest
    sides = {}
    for prefix, side in (("official", officials), (other, health)):
        side = side[["value", "lower_bound", "populations", "status", "reported_on", "claim_ids"]]
        sides[prefix] = side.add_prefix(f"{prefix}_")
    wide = pd.concat(sides.values(), axis=1, join="inner").rename_axis("scope").reset_index()
    wide = _in_scope_order(wide, scope_order(claims))
    for column in ("official_value", f"{other}_value"):
        wide[column] = wide[column].astype("Int64")
    wide["difference"] = wide[f"{other}_value"] - wide["official_value"]
    wide["ratio"] = (wide[f"{other}_value"] / wide["official_value"]).astype("Float64").round(2)
    return wide


def toll_timeline(claims: pd.DataFrame, measure: str = "deaths") -> pd.DataFrame:
    """Every report of a total for everyone over time, per group: the points of a timeline chart.

    A figure for one group of people (the security forces' dead alone) is not a toll, and
    neither is a sum of such figures: adding them is ours to do, not the claimant's.
    """
    totals = report_totals(claims, measure)
    totals = totals[_for_everyone(totals["populations"])]
    return totals.sort_values(["reported_on", "claimant_group", "claim_ids"]).reset_index(drop=True)
