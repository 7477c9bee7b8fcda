"""The explorer (issue 21): the report's chart and table for any place, day and measure, with
controls that redraw them; the notebook runs under papermill with no widget front end."""

from __future__ import annotations

import nbformat
import papermill
import pytest

from casualty_report.content import explorer
from casualty_report.publishing.notebooks import EXPLORER, find_notebooks


def test_a_view_is_the_reports_own_chart_and_table_for_the_choice(ledger):
    chart, table = explorer.view(ledger, "Almaty", "2022-01-12", "deaths")
    assert chart.title == "Officials' count of people dead: 110; the Health Ministry's 103 was withdrawn"
    assert set(table.frame["Place"]) == {"Almaty"}
    assert all(day.endswith("Jan 2022") and int(day.split()[0]) <= 11 for day in table.frame["Reported"])
    detained, _ = explorer.view(ledger, None, None, "detained")
    assert "detained" in detained.title
    with pytest.raises(ValueError, match="the explorer shows deaths, detained, injured"):
        explorer.view(ledger, None, None, "fined")


def test_the_controls_offer_every_place_and_day_and_redraw(ledger):
    offered = explorer.choices(ledger)
    assert offered["place"][0] == ("Every place", "") and ("Almaty", "Almaty") in offered["place"]
    assert ("As known at the end of 9 Jan 2022", "2022-01-10") in offered["as_of"]
    box = explorer.controls(ledger, "Almaty", None, "deaths")
    place, day, measure = box.children[0].children
    measure.value = "injured"  # redraws; an error there would raise here
    place.value = ""  # every place
    assert [picker.value for picker in (place, day, measure)] == ["", "", "injured"]
    assert [picker.description for picker in (place, day, measure)] == ["Place", "As known", "Counted"]


def test_the_explorer_runs_under_papermill_and_is_no_page(tmp_path):
    assert EXPLORER not in find_notebooks()  # never published
    executed = tmp_path / "explored.ipynb"
    papermill.execute_notebook(
        str(EXPLORER),
        str(executed),
        parameters={"dataset": "karakalpakstan-2022-07", "place": "Karakalpakstan", "interactive": False},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(EXPLORER.parent),
    )
    outputs = [o for cell in nbformat.read(executed, as_version=4).cells for o in cell.get("outputs", [])]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert any("Karakalpakstan" in o.get("data", {}).get("text/html", "") for o in outputs)


def test_the_controls_start_at_any_day_given(ledger):
    """A day on which no figure came in (1 March 2022) is offered too, rather than refused."""
    box = explorer.controls(ledger, None, "2022-03-01", "deaths")
    day = box.children[0].children[1]
    assert day.value == "2022-03-01" and day.label == "As known at the end of 28 Feb 2022"
