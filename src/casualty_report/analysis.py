"""Tidy tables and comparisons built from a validated ledger.

Every row these functions return carries the ``claim_ids`` it was computed from, so each number
in a table or chart leads back to ledger rows and their sources.

Bounds from qualifiers (documented in data/kazakhstan-2022-01/README.md):

- ``exact``: low = high = value.
- ``at_least``: low = value, high open.  ``more_than``: low = value + 1, high open.
- ``about``: the value is rounded to its last non-zero digit, so the truth lies within half a
  rounding unit: about 5,800 -> 5,750..5,849.  A figure given to the last digit is exact.
- ``nearly``: just under a rounded figure: nearly 240 -> 230..239.
- ``several``, ``dozens``, ``hundreds``: the ledger value is already the conservative coding
  (3, 12, 100; ACLED's rule for the last two), so low = value and the high bound is open.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from casualty_report.ledger import MEASURES

INJURY_MEASURES = ("injured", "treated", "sought_care", "hospitalised")
ARREST_MEASURES = ("detained", "arrested", "in_custody", "convicted")

#: Qualifiers whose high bound is open: the true figure may be larger than any stated number.
LOWER_BOUND_QUALIFIERS = frozenset({"at_least", "more_than", "several", "dozens", "hundreds"})

#: Populations that partition "all" closely enough to be added up when no "all" figure exists.
#: Minors are never added: they are a subset of another population.
ADDABLE_POPULATIONS = ("civilians", "security_forces", "attackers")

GROUP_LABELS = {
    "official": "Officials",
    "health_ministry": "Health Ministry",
    "independent": "Independent counts",
    "international": "International bodies",
}
POPULATION_LABELS = {
    "all": "everyone",
    "civilians": "'civilians'",
    "security_forces": "security forces",
    "attackers": "'attackers'",
    "minors": "minors",
}
QUALIFIER_WORDS = {
    "exact": "",
    "at_least": "at least ",
    "more_than": "over ",
    "about": "about ",
    "nearly": "nearly ",
}

TABLE_COLUMNS = [
    "claim_id", "reported_on", "scope", "measure", "population", "claimant", "claimant_group",
    "qualifier", "value", "low", "high", "status", "source_id", "locator", "note",
]  # fmt: skip


def rounding_unit(value: int) -> int:
    """The power of ten a round figure is given to: 5800 -> 100, 240 -> 10, 2265 -> 1."""
    unit = 1
    while value and value % (unit * 10) == 0:
        unit *= 10
    return unit


def bounds(value: int, qualifier: str) -> tuple[int, int | None]:
    """Low and high bound (None: open) of a figure given with a qualifier."""
    if qualifier == "exact":
        return value, value
    if qualifier == "more_than":
        return value + 1, None
    if qualifier in LOWER_BOUND_QUALIFIERS:
        return value, None
    unit = rounding_unit(value)
    if qualifier == "about":
        if unit == 1:
            return value, value
        return value - unit // 2, value + unit // 2 - 1
    if qualifier == "nearly":
        return max(value - unit, 0), max(value - 1, 0)
    raise ValueError(f"no bounds rule for qualifier {qualifier!r}")


def display_value(value: int, qualifier: str) -> str:
    """A figure as a reader should see it: 'at least 164', 'over 5,800', 'dozens (coded 12)'."""
    if qualifier in QUALIFIER_WORDS:
        return f"{QUALIFIER_WORDS[qualifier]}{value:,}"
    return f"{qualifier} (coded {value:,})"


def with_bounds(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims with ``low`` and ``high`` columns (nullable integers; <NA> = open)."""
    pairs = [bounds(int(v), q) for v, q in zip(claims["value"], claims["qualifier"], strict=True)]
    out = claims.copy()
    out["low"] = pd.array([low for low, _ in pairs], dtype="Int64")
    out["high"] = pd.array([high for _, high in pairs], dtype="Int64")
    return out


def scope_order(claims: pd.DataFrame) -> list[str]:
    """Places in the order the ledger first mentions them (the curator puts the nation first)."""
    return list(dict.fromkeys(claims["scope"]))


def _in_scope_order(frame: pd.DataFrame, places: list[str], *then: str) -> pd.DataFrame:
    key = frame["scope"].map({place: rank for rank, place in enumerate(places)})
    ordered = frame.assign(_scope_rank=key).sort_values(["_scope_rank", *then], kind="stable")
    return ordered.drop(columns="_scope_rank").reset_index(drop=True)


def select_scope(claims: pd.DataFrame, scope: str | None) -> pd.DataFrame:
    """The claims about one place (None: every place). An unknown place is an error."""
    if scope is None:
        return claims
    known = sorted(claims["scope"].unique())
    if scope not in known:
        raise ValueError(f"unknown scope {scope!r}: the ledger's places are {', '.join(known)}")
    return claims[claims["scope"] == scope]


def claims_table(claims: pd.DataFrame, measures: Sequence[str], scope: str | None = None) -> pd.DataFrame:
    """Claims of some measures, with bounds, sorted by place, measure and size."""
    unknown = set(measures) - set(MEASURES)
    if unknown:
        raise ValueError(f"unknown measure(s): {', '.join(sorted(unknown))}")
    selected = select_scope(claims, scope)
    selected = selected[selected["measure"].isin(measures)]
    table = with_bounds(selected)[TABLE_COLUMNS].sort_values(["value", "claim_id"], ascending=[False, True])
    return _in_scope_order(table, scope_order(claims), "measure")


def casualty_table(claims: pd.DataFrame, scope: str | None = None) -> pd.DataFrame:
    """Every death figure."""
    return claims_table(claims, ["deaths"], scope)


def injury_table(claims: pd.DataFrame, scope: str | None = None) -> pd.DataFrame:
    """Every figure for people injured, treated, seeking care or hospitalised."""
    return claims_table(claims, INJURY_MEASURES, scope)


def arrest_table(claims: pd.DataFrame, scope: str | None = None) -> pd.DataFrame:
    """Every figure for people detained, arrested, held or convicted."""
    return claims_table(claims, ARREST_MEASURES, scope)


def group_totals(claims: pd.DataFrame, measure: str = "deaths", scope: str | None = None) -> pd.DataFrame:
    """One total per place and claimant group for a measure, officials first within a place.

    A group's figure for everyone ("all") is its total; failing that, its figures for
    civilians, security forces and attackers are added, and the parts are listed. When a group
    gave several figures for one population, the latest (then the largest) is used. Minors are
    never added. Status: the worst of the parts (retracted > disputed > superseded > active).
    """
    table = with_bounds(select_scope(claims, scope))
    table = table[table["measure"] == measure]
    table = table.sort_values(["reported_on", "value"]).drop_duplicates(
        ["scope", "claimant_group", "population"], keep="last"
    )
    rows = []
    for (place, group), figures in table.groupby(["scope", "claimant_group"], sort=True):
        whole = figures[figures["population"] == "all"]
        parts = whole if len(whole) else figures[figures["population"].isin(ADDABLE_POPULATIONS)]
        if parts.empty:
            continue
        parts = parts.sort_values("population")
        rows.append(
            {
                "scope": place,
                "claimant_group": group,
                "value": int(parts["value"].sum()),
                "low": int(parts["low"].sum()),
                "high": pd.NA if parts["high"].isna().any() else int(parts["high"].sum()),
                "lower_bound": bool(parts["high"].isna().any()),
                "populations": " + ".join(parts["population"]),
                "status": _worst_status(parts["status"]),
                "claim_ids": " + ".join(parts["claim_id"]),
            }
        )
    columns = ["scope", "claimant_group", "value", "low", "high", "lower_bound", "populations", "status", "claim_ids"]
    totals = pd.DataFrame(rows, columns=columns)
    totals["_group_rank"] = totals["claimant_group"].map(list(GROUP_LABELS).index)  # officials first
    totals = _in_scope_order(totals, scope_order(claims), "_group_rank").drop(columns="_group_rank")
    totals["high"] = totals["high"].astype("Int64")
    return totals


def compare_official_health(
    claims: pd.DataFrame, measure: str = "deaths", scope: str | None = None
) -> pd.DataFrame:
    """Officials against the Health Ministry, per place: both totals, difference and ratio.

    ``difference`` is Health Ministry minus officials; ``ratio`` is Health Ministry over
    officials. Places where either side gave no figure are kept with blanks.
    """
    totals = group_totals(claims, measure, scope)
    sides = {}
    for group, prefix in (("official", "official"), ("health_ministry", "health_ministry")):
        side = totals[totals["claimant_group"] == group].set_index("scope")
        side = side[["value", "lower_bound", "populations", "status", "claim_ids"]]
        sides[prefix] = side.add_prefix(f"{prefix}_")
    wide = pd.concat(sides.values(), axis=1).rename_axis("scope").reset_index()
    wide = _in_scope_order(wide, scope_order(claims))
    for column in ("official_value", "health_ministry_value"):
        wide[column] = wide[column].astype("Int64")
    wide["difference"] = wide["health_ministry_value"] - wide["official_value"]
    wide["ratio"] = (wide["health_ministry_value"] / wide["official_value"]).astype("Float64").round(2)
    return wide


_STATUS_RANK = {"active": 0, "superseded": 1, "disputed": 2, "retracted": 3}


def _worst_status(statuses: pd.Series) -> str:
    return max(statuses, key=_STATUS_RANK.__getitem__)
