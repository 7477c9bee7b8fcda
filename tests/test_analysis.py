"""Tables, bounds and the official-versus-Health-Ministry comparison, against hand-computed values."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from casualty_report.content import analysis, estimates, first_report, narrative, tables


@pytest.fixture(scope="module")
def article(ledger):
    """The article's own claims (source S01), as the first issue curated them."""
    return ledger.claims[ledger.claims["source_id"] == "S01"].reset_index(drop=True)


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
        (1000, "nearly", 900, 999),  # rounded to a tenth of itself at most, not to thousands
        (10000, "about", 9500, 10499),
        (12, "dozens", 12, None),
        (3, "several", 3, None),
        (100, "hundreds", 100, None),
        (1_100_000_000, "up_to", 0, 1_100_000_000),  # 'up to 1.1 billion tenge': at most
    ],
)
def test_bounds_follow_the_documented_rules(value, qualifier, low, high):
    assert analysis.bounds(value, qualifier) == (low, high)


@pytest.mark.parametrize(
    ("value", "unit"),
    [(5800, 100), (240, 10), (2265, 1), (12000, 1000), (10000, 1000), (1000, 100), (0, 1), (7, 1)],
)
def test_rounding_unit(value, unit):
    assert analysis.rounding_unit(value) == unit


@pytest.mark.parametrize(
    ("value", "qualifier", "text"),
    [
        (164, "at_least", "at least 164"),
        (5800, "more_than", "over 5,800"),
        (1300, "exact", "1,300"),
        (12, "dozens", "dozens (counted as 12)"),
        (240, "nearly", "nearly 240"),
    ],
)
def test_display_value(value, qualifier, text):
    assert narrative.display_value(value, qualifier) == text


def test_casualty_table_lists_every_death_figure_nation_first(article):
    table = analysis.casualty_table(article)
    assert table["claim_id"].tolist() == ["A01", "A02", "A03", "A04", "A09", "A05"]
    assert table["value"].tolist() == [164, 26, 16, 103, 12, 3]
    assert table["low"].tolist() == [164, 26, 16, 103, 12, 3]
    assert table["high"].isna().tolist() == [True, False, False, False, True, True]


def test_injury_and_arrest_tables(article):
    injuries = analysis.injury_table(article)
    assert list(zip(injuries["claim_id"], injuries["population"], injuries["value"], strict=True)) == [
        ("A06", "all", 2200),
        ("A07", "security_forces", 1300),
    ]
    arrests = analysis.arrest_table(article)
    assert arrests[["claim_id", "scope", "measure", "value", "low"]].values.tolist() == [
        ["A08", "Almaty", "arrested", 5800, 5801]
    ]


def test_a_table_of_a_view_holds_its_place_alone(ledger):
    """One route to a place: the ledger's view (``Ledger.in_scope``), whose tables hold only it."""
    article = replace(ledger, claims=ledger.claims[ledger.claims["source_id"] == "S01"])
    assert analysis.casualty_table(article.in_scope("Almaty").claims)["claim_id"].tolist() == [
        "A04",
        "A09",
        "A05",
    ]
    assert analysis.arrest_table(article.in_scope("Kazakhstan").claims).empty


def test_officials_parts_are_added_but_minors_never(article):
    totals = analysis.group_totals(article, "deaths")
    assert totals[
        ["scope", "claimant_group", "value", "populations", "claim_ids", "status"]
    ].values.tolist() == [
        ["Kazakhstan", "official", 42, ("civilians", "security_forces"), ("A02", "A03"), "disputed"],
        ["Kazakhstan", "health_ministry", 164, ("all",), ("A01",), "retracted"],
        ["Almaty", "official", 12, ("attackers",), ("A09",), "superseded"],  # by 86, in March 2022
        ["Almaty", "health_ministry", 103, ("all",), ("A04",), "retracted"],  # not 103 + 3 minors
    ]
    assert totals["lower_bound"].tolist() == [False, True, True, False]


def test_officials_against_health_ministry(article):
    comparison = analysis.compare_official_with(article).set_index("scope")
    national, almaty = comparison.loc["Kazakhstan"], comparison.loc["Almaty"]
    assert (national["official_value"], national["health_ministry_value"]) == (42, 164)
    assert (national["difference"], national["ratio"]) == (122, 3.9)
    assert (almaty["official_value"], almaty["health_ministry_value"]) == (12, 103)
    assert (almaty["difference"], almaty["ratio"]) == (91, 8.58)
    assert comparison.index.tolist() == ["Kazakhstan", "Almaty"]


def test_latest_figure_of_a_group_wins_and_one_sided_places_are_not_compared():
    claims = pd.DataFrame(
        {
            "claim_id": ["X1", "X2", "X3"],
            "reported_on": pd.to_datetime(["2022-01-07", "2022-01-09", "2022-01-08"]),
            "measure": ["deaths"] * 3,
            "population": ["all", "all", "all"],
            "scope": ["Here"] * 3,
            "value": [10, 30, 20],
            "value_high": pd.array([None] * 3, dtype="Int64"),  # as the loader gives it: no ranges
            "qualifier": ["exact", "about", "exact"],
            "count_kind": ["running_total"] * 3,
            "claimant_group": ["official", "official", "independent"],
            "claimant": ["Office", "Office", "Watchers"],
            "source_id": ["S1", "S2", "S3"],
            "status": ["superseded", "active", "active"],
        }
    )
    totals = analysis.group_totals(claims)
    assert totals[["claimant_group", "value", "low", "high", "claim_ids"]].values.tolist() == [
        ["official", 30, 25, 34, ("X2",)],
        ["independent", 20, 20, 20, ("X3",)],
    ]
    assert analysis.compare_official_with(claims).empty  # no Health Ministry figure to compare


def test_as_of_the_articles_day_officials_42_against_the_ministrys_164(ledger):
    then = ledger.known_before("2022-01-10")
    national = analysis.compare_official_with(then.claims).set_index("scope").loc["Kazakhstan"]
    assert (national["official_value"], national["official_claim_ids"]) == (42, ("A02", "A03"))
    assert (national["health_ministry_value"], national["health_ministry_status"]) == (164, "retracted")
    assert national["ratio"] == 3.9


def test_by_default_the_ministrys_last_toll_against_officials_as_known_that_day(ledger):
    national = analysis.compare_official_with(ledger.claims).set_index("scope").loc["Kazakhstan"]
    # The ministry's last toll is the Health Minister's 227 of 18 January, not the withdrawn 164;
    # officials' is their 225 of 15 January, as known that day, not a restatement a year later.
    assert (national["health_ministry_value"], national["health_ministry_claim_ids"]) == (227, ("R46a",))
    assert (national["official_value"], national["official_claim_ids"]) == (225, ("R23a",))
    assert national["ratio"] == 1.01
    final = estimates.final_estimates(ledger.claims).set_index(
        ["measure", "population", "scope", "count_kind"]
    )
    assert final.loc[("deaths", "all", "Kazakhstan", "running_total"), "best"] == 238
    assert final.loc[("deaths", "security_forces", "Kazakhstan", "running_total"), "best"] == 19
    # The National Guard's own 2 dead is a part of the security personnel, estimated apart.
    assert final.loc[("deaths", "security_forces", "Kazakhstan", "period"), "best"] == 2


# Reconciliation, computed by hand from the ledger rows named in each case.
RECONCILED = [
    # Outlets' "at least 44" (their sum of officials' 26 attackers and 18 security personnel, in
    # print on 7 January): no upper bound.
    ("deaths", "all", "Kazakhstan", "2022-01-07", (44, 44, None), "R20", ""),
    # The 164s, withdrawn the day they were posted, are out; the 44 still stands.
    ("deaths", "all", "Kazakhstan", "2022-01-09", (44, 44, None), "R20", "A01 R09a"),
    # EFE's own "nearly 240" (230-239) is disputed: it widens the range but the best is the
    # newest undisputed figure, the Health Ministry's 227 of 18 January (officials' last: 225).
    # The outlets' "at least 44" is still the independent counters' latest: the low, the top open.
    ("deaths", "all", "Kazakhstan", "2022-02-21", (44, 227, None), "R20 R23a R29a R46a", "A01 R09a"),
    # Officials' "at least 227" replaces their 225.
    ("deaths", "all", "Kazakhstan", "2022-02-25", (44, 227, None), "R20 R29a R39 R46a", "A01 R09a"),
    # Two independent lists of named dead (floors of 188 and 221) and a disputed 241: the best
    # stays officials' 232 of 5 May, the newest figure with an upper bound.
    ("deaths", "all", "Kazakhstan", "2022-07-29", (188, 232, None), "R34a R34b R34c R46a R70a", "A01 R09a"),
    # The final count, with RFE/RL's own "at least 238" leaving the top open; as the independent
    # counters' latest day, it sets their side aside from the lists of named dead, so the low is
    # the Health Ministry's last 227.
    ("deaths", "all", "Kazakhstan", "2023-03-17", (227, 238, None), "R37a R38a R46a", "A01 R09a"),
    # Two official figures on one day (the President's 16, the ministry's 17).
    ("deaths", "security_forces", "Kazakhstan", "2022-01-10", (16, 16, 17), "R18 R19", ""),
    # Officials' 9,900 against AP's about 12,000 (11,500-12,499): newest is best.
    ("detained", "all", "Kazakhstan", "2022-01-12", (9900, 12000, 12499), "R21 R22b", ""),
]


@pytest.mark.parametrize(("measure", "population", "scope", "date", "bounds", "used", "excluded"), RECONCILED)
def test_reconciliation_by_hand(ledger, measure, population, scope, date, bounds, used, excluded):
    table = estimates.reconcile(ledger.claims)
    row = table[
        (table["measure"] == measure)
        & (table["population"] == population)
        & (table["scope"] == scope)
        & (table["date"] == pd.Timestamp(date))
    ]
    assert len(row) == 1
    row = row.iloc[0]
    assert tuple(None if pd.isna(row[c]) else int(row[c]) for c in ("low", "best", "high")) == bounds
    assert (row["claim_ids"], row["excluded_ids"]) == (tuple(used.split()), tuple(excluded.split()))


def test_the_toll_timeline_keeps_whole_totals_only(ledger):
    points = analysis.toll_timeline(ledger.in_scope("Kazakhstan").claims, "deaths")
    official = points[points["claimant_group"] == "official"]
    # Counts of everyone only: not the outlets' 44 (independent) nor the article's 26 + 16 (a sum
    # of parts); "nearly 240" is EFE's, not here. The ombudsperson's 238 of 14 March and the
    # Prosecutor General's 230 the same day are both officials'.
    assert official["value"].tolist() == [225, 227, 230, 238, 232, 232, 241, 238, 238, 238]
    health = points[points["claimant_group"] == "health_ministry"]
    assert list(zip(health["value"], health["status"], strict=True)) == [
        (164, "retracted"),
        (164, "retracted"),
        (227, "active"),
    ]


def test_corrections_are_built_from_ledger_rows(ledger):
    corrections = first_report.corrections(ledger.claims, "S01").set_index("claim_id")
    assert corrections.index.tolist() == [f"A0{n}" for n in range(1, 10)]
    shows = corrections["what_other_reporting_shows"]
    assert shows["A01"].startswith("withdrawn on 9 January 2022; ")
    assert "(16 Aug 2022): 238 dead (everyone, Kazakhstan)" in shows["A01"]  # the final count, R35a
    assert shows["A02"].endswith("26 dead ('attackers', Kazakhstan), that is 'attackers', not 'civilians'")
    assert shows["A07"].endswith(
        "that is injured, not treated; counted by officials, not the Health Ministry"
    )
    assert shows["A08"] == (
        "Office of the President (9 Jan 2022): about 5,800 detained (everyone, Kazakhstan), "
        "that is Kazakhstan, not Almaty; detained, not arrested"
    )
    assert corrections.loc["A01", "latest_estimate"] == "238 as of 17 Mar 2023"  # no claim ids for readers
    assert corrections.loc["A09", "latest_estimate"] == "86 as of 14 Mar 2022"  # "dozens" replaced by 86


def test_corrections_in_a_rewound_view_only_cite_what_was_known(ledger):
    then = ledger.known_before("2022-01-10")
    shows = first_report.corrections(then.claims, "S01").set_index("claim_id")["what_other_reporting_shows"]
    # The ministry's own 164 of 9 January (R09a), not the final count of August (R35a).
    assert "Khabar-24) (9 Jan 2022): 164 dead" in shows["A01"] and "16 Aug 2022" not in shows["A01"]


def test_from_detention_to_sentence_step_by_step(ledger):
    steps = analysis.steps_table(ledger.in_scope("Kazakhstan").place_claims)
    assert list(dict.fromkeys(steps["measure"])) == [
        "detained",
        "arrested",  # the same people, in a source's word: followed as one step
        "administrative_arrests",
        "remanded",
        "criminal_cases",
        "convicted",
    ]
    criminal = steps[steps["measure"] == "criminal_cases"]
    assert criminal["value"].tolist() == [125, 300, 546, 2044, 2729, 3770, 5300]  # oldest first; 300 is AP's
    latest = analysis.latest_steps(steps).set_index("measure")
    assert latest["claim_id"].to_dict() == {
        "detained": "R29c",  # about 10,000 "arrests" in February, later than AP's about 12,000
        "administrative_arrests": "R50b",
        "remanded": "R50d",  # 802 held by court order by then; 446 held so on 15 Jan is a snapshot
        "criminal_cases": "R55",
        "convicted": "R56",  # 1,205 of 1,221 tried, newer than HRW's "over 1,000"
    }
    assert latest.loc["convicted", "value"] == 1205


def test_the_steps_follow_a_rewound_view(ledger):
    early = ledger.known_before("2022-01-08")
    latest = analysis.latest_steps(analysis.steps_table(early.place_claims))
    assert latest[["measure", "claim_id", "value"]].values.tolist() == [["detained", "R07b", 3811]]
    nowhere = ledger.claims[ledger.claims["scope"] == "Nowhere"]  # a place with no figures yet
    assert analysis.latest_steps(analysis.steps_table(nowhere)).empty


def test_a_relabelled_figure_is_followed_under_the_label_that_holds(ledger):
    """The article's 26 'civilians' were officials' 26 'attackers': its latest figure is the
    attackers' (67 in the Prosecutor General's breakdown of January 2023), not the 20 civilians
    of March 2022, who are other people (R31d)."""
    corrections = first_report.corrections(ledger.claims, "S01").set_index("claim_id")
    assert corrections.at["A02", "latest_estimate"] == "67 as of 5 Jan 2023"
    assert corrections.at["A09", "what_other_reporting_shows"].startswith("replaced by ")
    assert (
        "(14 Mar 2022): 86 dead ('attackers', Almaty)" in corrections.at["A09", "what_other_reporting_shows"]
    )


def test_money_is_counted_in_its_own_unit_and_an_upper_bound_reads_as_one(ledger):
    """Compensation is tenge, not people: the justice table names no people for it, and the
    Prosecutor General's 'up to 1.1 billion' is written as a ceiling, from 0."""
    justice = tables.claims(analysis.justice_table(ledger.claims), ledger, "justice").frame
    paid = justice[justice["Counted"].str.contains("compensation")].set_index("Figure")
    assert paid.at["up to 1,100,000,000", "Range"] == "0 to 1,100,000,000"
    assert paid.at["up to 1,100,000,000", "Counted"] == "tenge paid in compensation"
    assert paid.at["451,000,000", "Counted"] == "security personnel: tenge paid in compensation"
