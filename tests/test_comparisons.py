"""The comparison rules (comparisons.py), each with a pair that breaks it, on the shipped
ledger's own figures: a rule that stopped holding would set these pairs against each other."""

from __future__ import annotations

import pandas as pd
import pytest

from casualty_report.content import comparisons
from casualty_report.content.comparisons import compare, figure, gap_words, sentence


@pytest.fixture(scope="module")
def of(ledger):
    return lambda ids: figure(ledger, ids)


def test_the_same_day_two_figures_are_set_against_each_other_and_the_day_is_named(of):
    judged = compare(of("R23a"), of("R46a"))  # officials' 225 (15 Jan), the ministry's 227 (18 Jan)
    assert (judged.basis, judged.day) == ("same day", pd.Timestamp("2022-01-18"))
    assert (judged.gap_low, judged.gap_high) == (2, 2)
    assert sentence(judged) == (
        "As known on 18 January 2022, the Health Ministry's 227 was 2 more than officials' 225 "
        "of 15 January 2022."
    )


def test_a_year_apart_is_not_one_day(of):
    """The ministry's 227 of January 2022 against officials' 238 restated in January 2023 (not
    named final here): a year's gap is not a disagreement."""
    judged = compare(of("R40"), of("R46a"))  # 14 March 2022 against 18 January 2022
    assert not judged.compared and judged.gap_low is None
    assert judged.reason == "they were given 2 months apart, so they are not figures of one day"


def test_the_window_is_three_days(of):
    assert compare(of("R23a"), of("R46a"), window=pd.Timedelta(days=2)).basis == ""
    assert comparisons.WINDOW == pd.Timedelta(days=3)


def test_against_the_final_count_any_date_will_do_and_the_words_say_so(of):
    judged = compare(of("R35a"), of("R46a"))
    assert judged.basis == "final"
    assert sentence(judged) == (
        "The Health Ministry's 227 (18 January 2022) was 11 fewer than the final count, 238."
    )


def test_a_floor_bounds_the_gap_and_never_measures_it(of):
    """'At least 164' may have been 238 itself: the gap is at most 74, not 74."""
    judged = compare(of("R35a"), of("A01"))
    assert (judged.gap_low, judged.gap_high) == (-74, None)  # 164 - 238 at the least, open above
    assert gap_words(compare(of("A01"), of("R35a"))) == "at most 74 more than"
    assert "at most 74 fewer than the final count, 238" in sentence(judged)
    assert "was 74 fewer" not in sentence(judged)


def test_a_rounded_figure_gives_a_range(of):
    # EFE's 'nearly 240' (230-239) against the final 238: within 8 of it, not 2 more.
    assert gap_words(compare(of("R35a"), of("R29a"))) == "within 8 of"


def test_different_people_are_not_compared(of):
    judged = compare(of("A09"), of("A04"))  # dozens of 'attackers' against everyone, Almaty
    assert not judged.compared
    assert judged.reason == "they count different people (everyone and 'attackers')"


def test_different_places_are_not_compared(of):
    assert compare(of("R09b"), of("R09a")).reason == "they count different places (Kazakhstan and Almaty)"


def test_different_kinds_of_count_are_not_compared(of):
    """719 in hospital on one day is not fewer than the 897 admitted over the whole emergency."""
    judged = compare(of("R48a"), of("R49b"))
    assert judged.reason == "they are different kinds of count (a running total and a count at one moment)"


def test_different_measures_are_not_compared(of):
    assert compare(of("R12a"), of("R13b")).reason.startswith("they count different things")


def test_a_vague_word_gives_no_number(ledger, of):
    # Two figures for the same people, one of them 'dozens': a number only on one side.
    judged = compare(of("A09"), of("R04"))
    assert not judged.compared and judged.reason == "“dozens” gives no number to compare"


def test_a_sum_is_ours_and_never_a_toll(of):
    """26 'civilians' + 16 security forces is the article's and our addition, not officials' toll."""
    judged = compare(of(["A02", "A03"]), of("A01"))
    assert not judged.compared
    assert (
        judged.reason == "officials gave counts of parts, and 42 is our sum of them, not a toll anyone gave"
    )
    assert of(["A02", "A03"]).words == "26 'civilians' and 16 security personnel"


def test_another_word_for_the_same_people_is_the_same_measure(of):
    """A wire report's 'arrests' counts the people officials counted as detained."""
    assert of("R29c").measure == "detained"
    assert compare(of("R21"), of("R29c")).reason.startswith("they were given 41 days apart")


def test_the_final_count_is_the_datasets_and_only_in_views_that_hold_it(ledger):
    assert comparisons.final_of(ledger, "deaths", "Kazakhstan").claim_ids == ("R35a",)
    assert comparisons.final_of(ledger, "deaths", "Almaty").claim_ids == ("R37b",)
    assert comparisons.final_of(ledger.known_before("2022-08-01"), "deaths", "Kazakhstan") is None
    assert comparisons.final_of(ledger, "detained", "Kazakhstan") is None  # no final count of detentions


def test_the_comparison_table_keeps_a_difference_only_where_the_rules_allow(ledger):
    article_day = comparisons.official_against(ledger.known_before("2022-01-10")).set_index("scope")
    assert article_day["basis"].tolist() == ["", ""]
    assert article_day["difference"].isna().all() and article_day["ratio"].isna().all()
    now = comparisons.official_against(ledger).set_index("scope")
    assert now.loc["Kazakhstan", ["basis", "difference"]].tolist() == ["same day", 2]
    assert now.loc["Almaty", ["basis", "difference"]].tolist() == ["final", -48]
    assert pd.isna(now.loc["Almaty region", "difference"])  # officials counted civilians only there


def test_a_withdrawn_figure_is_set_only_against_a_final_count(ledger):
    """Almaty as known on 11 January: the ministry's withdrawn 103 is not '7 fewer' than the
    mayor's 110 of the next day; against the city's final 151 it may be."""
    view = ledger.in_scope("Almaty").known_before("2022-01-11")
    judged = compare(figure(view, "R17"), figure(view, "R09b"))
    assert not judged.compared
    assert (
        judged.reason == "the Health Ministry's 103 had been withdrawn: it is set only against a final count"
    )
    assert compare(figure(ledger, "R37b"), figure(ledger, "R09b")).basis == "final"


def test_two_floors_bound_nothing(of):
    judged = compare(of("R39"), of("A01"))  # at least 227 against at least 164
    assert not judged.compared and "neither bounds the gap" in judged.reason


def test_a_floor_at_the_final_count_is_at_least_as_many(of):
    assert gap_words(compare(of("R35a"), of("R38a"))) == "at least as many as"  # the UN's 'at least 238'
