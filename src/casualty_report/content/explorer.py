"""The explorer notebook's logic: one view of the ledger (a place, as known on a date, a measure)
drawn with the report's own chart and table, and the ipywidgets controls that redraw it.

``notebooks/explore.ipynb`` is for people in JupyterLab: it is not a page of the report (its name
is not ``NN-verb-object``), and it runs top to bottom without a widget frontend (papermill,
nbval), showing the default view as plain outputs before the controls.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from casualty_report.content import analysis, charts, tables
from casualty_report.content.charts.style import Chart
from casualty_report.content.tables import ReadableTable, date_words
from casualty_report.ledger.load import Ledger
from casualty_report.ledger.vocabulary import MEASURES, same_people

#: The measures the explorer draws, and how: a timeline of totals, or bars of every claim.
EXPLORED = {"deaths": "timeline", "detained": "timeline", "injured": "bars"}


def view(
    ledger: Ledger, place: str | None = None, as_of: str | None = None, measure: str = "deaths"
) -> tuple[Chart, ReadableTable]:
    """The chart and the claims table of one choice, as the report's pages draw them."""
    if measure not in EXPLORED:
        raise ValueError(f"measure {measure!r}: the explorer shows {', '.join(EXPLORED)}")
    seen = ledger.in_scope(place).known_before(as_of)
    if measure == "deaths":
        chart = charts.death_toll_timeline_chart(analysis.toll_timeline(seen.place_claims, "deaths"), seen)
    elif measure == "detained":
        chart = charts.detentions_timeline_chart(analysis.toll_timeline(seen.place_claims, "detained"), seen)
    else:
        chart = charts.injuries_chart(analysis.injury_table(seen.claims), seen)
    figures = analysis.claims_table(seen.claims, same_people(measure))
    return chart, tables.claims(figures, seen, "explore")


def choices(ledger: Ledger) -> dict[str, list[tuple[str, Any]]]:
    """What each control offers: every place; every day a figure was reported (the view as known
    at the end of it); the measures. "" stands for every place and for everything: a dropdown
    shows an option whose value is None as no choice at all."""
    places = [("Every place", "")] + [(place, place) for place in analysis.scope_order(ledger.claims)]
    days = sorted(set(ledger.claims["reported_on"]))
    known = [("Everything, as known today", "")] + [
        (f"As known at the end of {date_words(day)}", (day + pd.Timedelta(days=1)).date().isoformat())
        for day in days
    ]
    measures = [(MEASURES[word].label.capitalize(), word) for word in EXPLORED]
    return {"place": places, "as_of": known, "measure": measures}


def controls(ledger: Ledger, place: str | None = None, as_of: str | None = None, measure: str = "deaths"):
    """Dropdowns for place, date and measure over an output that redraws the view on each choice."""
    import ipywidgets as widgets
    from IPython.display import display

    offered = choices(ledger)
    picked = {"place": place or "", "as_of": as_of or "", "measure": measure}
    if picked["as_of"] not in {value for _, value in offered["as_of"]}:  # a day no figure came in
        day = pd.Timestamp(picked["as_of"]) - pd.Timedelta(days=1)
        offered["as_of"] = sorted(
            [*offered["as_of"], (f"As known at the end of {date_words(day)}", picked["as_of"])],
            key=lambda option: option[1],
        )
    labels = {"place": "Place", "as_of": "As known", "measure": "Counted"}
    pickers = {
        name: widgets.Dropdown(
            options=options,
            value=picked[name],
            description=labels[name],
            layout=widgets.Layout(width="auto"),
            style={"description_width": "initial"},
        )
        for name, options in offered.items()
    }
    output = widgets.Output()

    def redraw(_change: object = None) -> None:
        with output:
            output.clear_output(wait=True)
            try:
                chosen: dict[str, Any] = {name: picker.value or None for name, picker in pickers.items()}
                chart, table = view(ledger, **chosen)
            except ValueError as error:  # a place with no figure of this measure yet, say
                print(error)
                return
            display(chart, table)

    for picker in pickers.values():
        picker.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox(list(pickers.values())), output])
