"""A range the claimant gave ('55–77'): one row with its two ends (qualifier range, value_high),
bounded by both, written as both, drawn from one to the other, and compared from each end. The
examples are the second event's real rows: independent investigators' 55–77 dead (I01) and
officials' final 21 (C01)."""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
import pytest

from casualty_report.content import analysis, charts, comparisons, estimates, narrative
from casualty_report.content.charts.style import drawn_texts
from casualty_report.content.findings import markdown
from casualty_report.ledger.load import load_ledger

RANGE, FINAL = "I01", "C01"


@pytest.fixture(scope="module")
def nukus():
    return load_ledger("karakalpakstan-2022-07")


def test_a_range_is_bounded_by_its_two_ends():
    assert analysis.bounds(55, "range", 77) == (55, 77)
    with pytest.raises(ValueError, match="value_high"):
        analysis.bounds(55, "range", None)


def test_a_range_is_written_as_its_two_ends(nukus):
    claim = nukus.claim[RANGE]
    assert (int(claim.value), int(claim.value_high), claim.qualifier) == (55, 77, "range")
    assert narrative.claim_value(claim) == "55–77"
    assert narrative.describe(claim) == "55–77 dead (everyone, Karakalpakstan)"
    assert pd.isna(nukus.claim[FINAL].value_high)  # every other figure has no top
    with pytest.raises(ValueError, match="value_high"):
        narrative.display_value(55, "range")


def test_a_range_is_compared_from_each_end(nukus):
    judged = comparisons.compare(comparisons.figure(nukus, FINAL), comparisons.figure(nukus, RANGE))
    assert (judged.basis, judged.gap_low, judged.gap_high) == ("final", 34, 56)
    assert comparisons.sentence(judged) == (
        "Independent counters' 55–77 (1 July 2023) was between 34 and 56 more than the final count, 21."
    )


def test_a_range_sets_the_estimates_bounds(nukus):
    # Officials' 21 and the range alone: the range's top is the high bound, its bottom the best
    # (the figure with an upper bound reported last, read conservatively).
    claims = nukus.claims[nukus.claims["claim_id"].isin([RANGE, "K11"])]
    day = estimates.reconcile(claims).iloc[-1]
    assert (day["date"], day["low"], day["best"], day["high"]) == (pd.Timestamp("2023-07-01"), 21, 55, 77)
    # With every figure of that day, the floors (at least 77) leave the high bound open.
    everything = estimates.reconcile(nukus.claims)
    that_day = everything[
        (everything["measure"] == "deaths") & (everything["date"] == pd.Timestamp("2023-07-01"))
    ]
    assert (that_day["low"].iloc[0], that_day["best"].iloc[0]) == (21, 77) and pd.isna(
        that_day["high"].iloc[0]
    )


def test_the_timeline_draws_a_range_from_one_end_to_the_other(nukus):
    points = analysis.toll_timeline(nukus.claims)
    chart = charts.death_toll_timeline_chart(points, nukus)
    day = mdates.date2num(pd.Timestamp("2023-07-01"))
    bars = [
        line
        for ax in chart.figure.axes
        for line in ax.get_lines()
        if len(line.get_xdata()) == 2 and list(line.get_ydata()) == [55, 77]
    ]
    assert len(bars) == 1 and all(mdates.date2num(x) == day for x in bars[0].get_xdata())
    assert "55–77" in [text.get_text() for text in drawn_texts(chart.figure)]
    assert "a bar joins the two ends of a range" in chart.subtitle


def test_a_bar_chart_carries_a_range_on_to_its_top(nukus):
    table = analysis.casualty_table(nukus.claims)
    chart = charts.claims_chart(
        nukus, "deaths", table[table["claim_id"].isin([RANGE, FINAL])], "dead", "Deaths"
    )
    texts = [text.get_text() for text in drawn_texts(chart.figure)]
    assert "55–77" in texts and "21" in texts
    tops = [line for ax in chart.figure.axes for line in ax.get_lines() if list(line.get_xdata()) == [55, 77]]
    assert len(tops) == 1, "no line carries the bar from 55 to 77"
    assert chart.subtitle.endswith("A thin line carries a range from its lower figure to its upper one.")


def test_the_findings_write_a_range_and_its_gap(nukus):
    text = markdown(nukus)
    assert "the range of 55–77 that independent investigators gave is between 34 and 56 more than it" in text


def test_the_comparison_chart_carries_the_range_to_its_top(nukus):
    chart = charts.death_toll_chart(comparisons.official_against(nukus), nukus)
    tops = [line for ax in chart.figure.axes for line in ax.get_lines() if list(line.get_xdata()) == [55, 77]]
    assert len(tops) == 1, "the independent counters' bar stops at 55"
    assert max(ax.get_xlim()[1] for ax in chart.figure.axes) > 77
