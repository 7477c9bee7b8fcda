"""The report's generated words hold for every place and date: no view of the ledger crashes a
chart or a finding, numbers are compared only as far as they can be, qualifiers survive, and a
rewound report cites only what had been published."""

from __future__ import annotations

from dataclasses import replace

import matplotlib

matplotlib.use("Agg")  # only here: notebooks must keep their inline backend

import nbformat
import pandas as pd
import pytest

from casualty_report import analysis, narrative
from casualty_report.pages import for_readers
from tests import drawing

DATES = [None, "2022-01-05", "2022-01-06", "2022-01-10", "2022-01-17", "2022-07-30"]
CHARTS = [drawing.death_tolls, drawing.injuries, drawing.arrests, drawing.toll_timeline,
          drawing.detentions_timeline, drawing.steps]  # fmt: skip
FINDINGS = [
    drawing.toll_summary,
    narrative.claims_summary,
    narrative.corrections_summary,
    drawing.timeline_summary,
    drawing.steps_summary,
]


@pytest.mark.parametrize("scope", [None, "Almaty", "Kazakhstan"])
def test_every_view_of_the_ledger_draws_and_words(ledger, scope):
    """Places appear on different days: Almaty has no death figure before 6 January."""
    for date in DATES:
        view = ledger.in_scope(scope).known_before(date)
        for chart in CHARTS:
            drawn = chart(view)
            assert drawn.title and "nan" not in drawn.title, (scope, date, chart.__name__)
        for finding in FINDINGS:
            assert "nan" not in finding(view).data, (scope, date, finding.__name__)


def test_a_lower_bound_is_compared_as_one(ledger):
    article_day = ledger.known_before("2022-01-10")
    assert "was at least 3.9 times officials' latest, 26 + 16 = 42" in drawing.death_tolls(article_day).title
    now = drawing.death_tolls(ledger).title
    assert now.endswith("toll of 227 was 11 fewer than officials' latest, 238")
    floor = drawing.death_tolls(ledger.known_before("2022-01-18")).title  # before the ministry's 227
    assert floor.endswith("toll of at least 164 was at most 61 fewer than officials' latest, 225")


def test_a_vague_word_or_another_population_is_not_compared(ledger):
    almaty = ledger.in_scope("Almaty").known_before("2022-01-10")
    title = drawing.death_tolls(almaty).title
    assert (
        title
        == "The Health Ministry's withdrawn toll: 103; officials' latest: dozens of 'attackers' (counted as 12)"
    )
    assert "times" not in drawing.toll_summary(almaty).data
    assert "not compared" in drawing.toll_summary(almaty).data


def test_qualifiers_survive_in_titles_and_findings(ledger):
    then = ledger.known_before("2022-01-10")
    assert (
        drawing.detentions_timeline(then).title
        == "Officials' count of people detained rose from 2,298 to at least 5,969"
    )
    assert (
        "the latest is about 10,000 (21 Feb 2022, R29c)" in drawing.timeline_summary(ledger, "detained").data
    )
    # The 44 (7 January) is older than the article's 26 + 16 (9 January): the project's sum, shown as one.
    assert "26 + 16 = 42" in drawing.death_tolls(ledger.known_before("2022-01-12")).title


def test_a_rewound_report_cites_only_what_was_published(ledger):
    then = ledger.known_before("2022-01-10")
    assert set(then.sources["source_id"]) == set(then.claims["source_id"]) | {"S12"}  # S12: the withdrawal
    assert pd.Timestamp("2022-05-05") not in set(then.sources["published_on"])
    assert len(then.sources) < len(ledger.sources)


def test_a_place_checked_against_the_whole_ledger_then_rewound(ledger):
    early = ledger.in_scope("Almaty").known_before("2022-01-06")
    assert early.claims.empty and early.place == "Almaty"
    assert drawing.timeline_summary(early).data.endswith("No standing total of people dead yet.")


def test_findings_use_the_reports_words(ledger):
    text = narrative.claims_summary(ledger.known_before("2022-01-06")).data
    assert "1 source:" in text or "sources:" in text
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


def test_claim_ids_read_both_separators():
    assert analysis.claim_ids(["A02 A03", "R36a R37a"], ["A03"]) == ["A02", "A03", "R36a", "R37a"]


def test_a_one_group_count_on_the_ministrys_side_is_not_compared(ledger):
    """The rule holds on both sides: a ministry count of one group is not a toll either."""
    claims = ledger.claims[~ledger.claims["claim_id"].isin(["A01", "R09a"])].copy()
    claims.loc[claims["claim_id"] == "R46a", "population"] = "civilians"
    text = drawing.toll_summary(replace(ledger, claims=claims)).data
    kazakhstan = text.split("In Kazakhstan, ")[1].split(" In ")[0]
    assert "the Health Ministry gave no toll, only a count of 227 'civilians'" in kazakhstan
    assert kazakhstan.endswith("the two count different things and are not compared.")
