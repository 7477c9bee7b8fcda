"""Tables, bounds and the official-versus-Health-Ministry comparison, against hand-computed values."""

from __future__ import annotations

import pandas as pd
import pytest

from casualty_report import analysis


@pytest.mark.parametrize(
    ("value", "qualifier", "low", "high"),
    [
        (26, "exact", 26, 26),
        (164, "at_least", 164, None),
        (5800, "more_than", 5801, None),
        (5800, "about", 5750, 5849),  # rounded to hundreds
        (12000, "about", 11500, 12499),  # rounded to thousands
        (2265, "about", 2265, 2265),  # given to the last digit: exact
        (240, "nearly", 230, 239),
        (1000, "nearly", 0, 999),
        (12, "dozens", 12, None),
        (3, "several", 3, None),
        (100, "hundreds", 100, None),
    ],
)
def test_bounds_follow_the_documented_rules(value, qualifier, low, high):
    assert analysis.bounds(value, qualifier) == (low, high)


@pytest.mark.parametrize(("value", "unit"), [(5800, 100), (240, 10), (2265, 1), (12000, 1000), (0, 1), (7, 1)])
def test_rounding_unit(value, unit):
    assert analysis.rounding_unit(value) == unit


@pytest.mark.parametrize(
    ("value", "qualifier", "text"),
    [(164, "at_least", "at least 164"), (5800, "more_than", "over 5,800"), (1300, "exact", "1,300"),
     (12, "dozens", "dozens (coded 12)"), (240, "nearly", "nearly 240")],
)  # fmt: skip
def test_display_value(value, qualifier, text):
    assert analysis.display_value(value, qualifier) == text


def test_casualty_table_lists_every_death_figure_nation_first(ledger):
    table = analysis.casualty_table(ledger.claims)
    assert table["claim_id"].tolist() == ["A01", "A02", "A03", "A04", "A09", "A05"]
    assert table["value"].tolist() == [164, 26, 16, 103, 12, 3]
    assert table["low"].tolist() == [164, 26, 16, 103, 12, 3]
    assert table["high"].isna().tolist() == [True, False, False, False, True, True]


def test_injury_and_arrest_tables(ledger):
    injuries = analysis.injury_table(ledger.claims)
    assert list(zip(injuries["claim_id"], injuries["population"], injuries["value"])) == [
        ("A06", "all", 2200),
        ("A07", "security_forces", 1300),
    ]
    arrests = analysis.arrest_table(ledger.claims)
    assert arrests[["claim_id", "scope", "measure", "value", "low"]].values.tolist() == [
        ["A08", "Almaty", "arrested", 5800, 5801]
    ]


def test_scope_selects_one_place(ledger):
    assert analysis.casualty_table(ledger.claims, "Almaty")["claim_id"].tolist() == ["A04", "A09", "A05"]
    assert analysis.arrest_table(ledger.claims, "Kazakhstan").empty


def test_an_unknown_scope_names_the_known_places(ledger):
    with pytest.raises(ValueError, match="unknown scope 'Astana': the ledger's places are Almaty, Kazakhstan"):
        analysis.select_scope(ledger.claims, "Astana")


def test_officials_parts_are_added_but_minors_never(ledger):
    totals = analysis.group_totals(ledger.claims, "deaths")
    assert totals[["scope", "claimant_group", "value", "populations", "claim_ids", "status"]].values.tolist() == [
        ["Kazakhstan", "official", 42, "civilians + security_forces", "A02 + A03", "disputed"],
        ["Kazakhstan", "health_ministry", 164, "all", "A01", "retracted"],
        ["Almaty", "official", 12, "attackers", "A09", "active"],
        ["Almaty", "health_ministry", 103, "all", "A04", "retracted"],  # not 103 + 3 minors
    ]
    assert totals["lower_bound"].tolist() == [False, True, True, False]


def test_officials_against_health_ministry(ledger):
    comparison = analysis.compare_official_health(ledger.claims).set_index("scope")
    national, almaty = comparison.loc["Kazakhstan"], comparison.loc["Almaty"]
    assert (national["official_value"], national["health_ministry_value"]) == (42, 164)
    assert (national["difference"], national["ratio"]) == (122, 3.9)
    assert (almaty["official_value"], almaty["health_ministry_value"]) == (12, 103)
    assert (almaty["difference"], almaty["ratio"]) == (91, 8.58)
    assert comparison.index.tolist() == ["Kazakhstan", "Almaty"]


def test_latest_figure_of_a_group_wins_and_sides_may_be_missing():
    claims = pd.DataFrame(
        {
            "claim_id": ["X1", "X2", "X3"],
            "reported_on": pd.to_datetime(["2022-01-07", "2022-01-09", "2022-01-08"]),
            "measure": ["deaths"] * 3,
            "population": ["all", "all", "all"],
            "scope": ["Here"] * 3,
            "value": [10, 30, 20],
            "qualifier": ["exact", "about", "exact"],
            "claimant_group": ["official", "official", "independent"],
            "status": ["superseded", "active", "active"],
        }
    )
    totals = analysis.group_totals(claims)
    assert totals[["claimant_group", "value", "low", "high", "claim_ids"]].values.tolist() == [
        ["official", 30, 25, 34, "X2"],
        ["independent", 20, 20, 20, "X3"],
    ]
    comparison = analysis.compare_official_health(claims)
    assert comparison["official_value"].tolist() == [30]
    assert comparison["health_ministry_value"].isna().all() and comparison["ratio"].isna().all()
