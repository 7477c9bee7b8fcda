"""The report's generated words hold for every place and date: no view of the ledger crashes a
chart or a finding, numbers are compared only as far as they can be, qualifiers survive, and a
rewound report cites only what had been published."""

from __future__ import annotations

import re
from dataclasses import replace

import matplotlib

matplotlib.use("Agg")  # only here: notebooks must keep their inline backend

import nbformat
import pandas as pd
import pytest

from casualty_report.content import analysis, narrative, tables
from casualty_report.publishing.pages import for_readers
from tests import drawing

DATES = [None, "2022-01-05", "2022-01-06", "2022-01-10", "2022-01-17", "2022-07-30"]
CHARTS = [
    drawing.death_tolls,
    drawing.injuries,
    drawing.arrests,
    drawing.toll_timeline,
    drawing.detentions_timeline,
    drawing.steps,
]
FINDINGS = [
    drawing.toll_summary,
    narrative.claims_summary,
    narrative.corrections_summary,
    drawing.timeline_summary,
    drawing.steps_summary,
]


#: How a missing value prints: pandas' <NA>, NaN and NaT, numpy's nan. (Not "None": the words
#: say "None of the figures".)
MISSING = re.compile(r"<NA>|\bNaN\b|\bNaT\b|\bnan\b")


@pytest.mark.parametrize("scope", [None, "Almaty", "Kazakhstan"])
def test_every_view_of_the_ledger_draws_and_words(ledger, scope):
    """Places appear on different days: Almaty has no death figure before 6 January."""
    for date in DATES:
        view = ledger.in_scope(scope).known_before(date)
        for chart in CHARTS:
            drawn = chart(view)
            assert drawn.title and not MISSING.search(drawn.title + drawn.subtitle), (
                scope,
                date,
                chart.__name__,
            )
        for finding in FINDINGS:
            assert not MISSING.search(finding(view).data), (scope, date, finding.__name__)


def test_a_floor_bounds_the_gap_to_the_final_count(ledger):
    """'At least 164' against the final 238 is at most 74 short, never '74 fewer'."""
    timeline = drawing.toll_timeline(ledger).title
    assert timeline.endswith("the Health Ministry's withdrawn “at least 164” was at most 74 fewer than it")
    # The ministry's last toll against officials' as known that day, not a restatement a year on.
    now = drawing.death_tolls(ledger).title
    assert now.endswith("the Health Ministry's 227 was 2 more than officials' 225 of 15 January 2022")
    assert "11 fewer than the final count, 238" in drawing.toll_summary(ledger).data


def test_a_vague_word_or_another_population_is_not_compared(ledger):
    almaty = ledger.in_scope("Almaty").known_before("2022-01-10")
    title = drawing.death_tolls(almaty).title
    assert title == (
        "The Health Ministry's withdrawn 103 and officials' dozens of 'attackers' are not compared: "
        "they count different people (everyone and 'attackers')"
    )
    assert "times" not in drawing.toll_summary(almaty).data
    assert "not compared" in drawing.toll_summary(almaty).data


def test_qualifiers_survive_in_titles_and_findings(ledger):
    then = ledger.known_before("2022-01-10")
    assert (
        drawing.detentions_timeline(then).title
        == "Officials' count of people detained rose from 2,298 to at least 5,969"
    )
    # EFE's own about 10,000, among the independent counts (officials' count ends at 9,900).
    assert (
        "between about 10,000 (21 February 2022) and about 12,000"
        in drawing.timeline_summary(ledger, "detained").data
    )
    # The article's 26 + 16 (9 January) is the project's sum of two counts of parts, said as one.
    assert (
        "42 is our sum of them, not a toll anyone gave"
        in drawing.death_tolls(ledger.known_before("2022-01-12")).title
    )


def test_a_rewound_report_cites_only_what_was_published(ledger):
    then = ledger.known_before("2022-01-10")
    assert set(then.sources["source_id"]) == set(then.claims["source_id"]) | {"S12"}  # S12: the withdrawal
    assert pd.Timestamp("2022-05-05") not in set(then.sources["published_on"])
    assert len(then.sources) < len(ledger.sources)


def test_a_place_checked_against_the_whole_ledger_then_rewound(ledger):
    early = ledger.in_scope("Almaty").known_before("2022-01-06")
    assert early.claims.empty and early.place == "Almaty"
    assert drawing.timeline_summary(early).data.endswith("No count of everyone dead in Almaty yet.")


def test_findings_use_the_reports_words(ledger):
    text = narrative.claims_summary(ledger.known_before("2022-01-06")).data
    assert (
        "The tables hold 2 figures from 1 publication, given between 5 January 2022 and 5 January 2022"
        in text
    )
    assert (
        "withdrawn" in narrative.claims_summary(ledger).data
        and "retracted" not in narrative.claims_summary(ledger).data
    )
    assert narrative.corrections_summary(ledger.known_before("2022-01-09")).data.endswith(
        "had been reported yet."
    )


def test_ledger_text_cannot_open_a_block_in_a_finding(ledger):
    assert narrative._text("Almaty\n\n- x\n===") == "Almaty - x ==="


def test_a_page_drops_active_outputs():
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"application/javascript": "alert(1)", "text/plain": "x"})
    ]
    notebook.cells = [cell]
    (shown,) = for_readers(notebook).cells[0].outputs
    assert set(shown["data"]) == {"text/plain"}


def test_claim_ids_come_from_every_column_in_order_once_each():
    """Ids are separated by spaces, however many, in every column; an empty cell adds none, and
    an id seen before is not repeated."""
    got = analysis.claim_ids(["A02 A03", "R36a  R37a", ""], ["A03", "R09a"])
    assert got == ["A02", "A03", "R36a", "R37a", "R09a"]
    # a computed frame's cells: tuples, an empty one among them
    assert analysis.claim_ids([("A02", "A03"), ()], [("A03",), ("R09a",)]) == ["A02", "A03", "R09a"]


def test_one_id_as_a_bare_string_is_refused_where_ids_are_expected(ledger):
    """A bare 'A02' is a sequence of characters: read as ids, it would be a sum of three."""
    from casualty_report.content import narrative, tables

    assert narrative.total_words(ledger, ("R23a",), 225, False) == "225"
    for call in (
        lambda: narrative.total_words(ledger, "R23a", 225, False),
        lambda: tables.read_in(ledger, "R23a"),
    ):
        with pytest.raises(TypeError, match="expected claim ids"):
            call()


def test_a_one_group_count_on_the_ministrys_side_is_not_compared(ledger):
    """The rule holds on both sides: a ministry count of one group is not a toll either."""
    claims = ledger.claims[~ledger.claims["claim_id"].isin(["A01", "R09a"])].copy()
    claims.loc[claims["claim_id"] == "R46a", "population"] = "civilians"
    text = drawing.toll_summary(replace(ledger, claims=claims)).data
    kazakhstan = text.split("**Kazakhstan.** ")[1].split(" **")[0]
    assert kazakhstan.startswith("The Health Ministry's 227 'civilians' (18 January 2022) and officials' 225")
    assert kazakhstan.endswith("are not compared: they count different people ('civilians' and everyone).")


def test_an_empty_table_says_so_instead_of_showing_a_header_over_nothing(ledger):
    nothing = tables.notes([], ledger, "nothing")
    assert nothing.to_html() == '<p class="empty-table" id="table-nothing">None in this report.</p>\n'
    assert repr(nothing) == "None in this report."
