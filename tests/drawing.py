"""The notebooks' compositions, for tests: compute a frame from a ledger view, then draw or
describe it, as the notebooks do cell by cell."""

from __future__ import annotations

from IPython.display import Markdown

from casualty_report.content import analysis, charts, comparisons, estimates, narrative
from casualty_report.content.charts.style import Chart
from casualty_report.ledger.load import Ledger


def death_tolls(ledger: Ledger) -> Chart:
    return charts.death_toll_chart(comparisons.official_against(ledger, "deaths"), ledger)


def injuries(ledger: Ledger) -> Chart:
    return charts.injuries_chart(analysis.injury_table(ledger.claims), ledger)


def arrests(ledger: Ledger) -> Chart:
    return charts.arrests_chart(analysis.arrest_table(ledger.claims), ledger)


def toll_timeline(ledger: Ledger) -> Chart:
    points = analysis.toll_timeline(ledger.place_claims, "deaths")
    return charts.death_toll_timeline_chart(points, ledger)


def detentions_timeline(ledger: Ledger) -> Chart:
    return charts.detentions_timeline_chart(analysis.toll_timeline(ledger.place_claims, "detained"), ledger)


def toll_summary(ledger: Ledger) -> Markdown:
    return narrative.toll_summary(comparisons.official_against(ledger, "deaths"), ledger)


def timeline_summary(ledger: Ledger, measure: str = "deaths") -> Markdown:
    points = analysis.toll_timeline(ledger.place_claims, measure)
    return narrative.timeline_summary(points, estimates.reconcile(ledger.claims), ledger, measure)


def steps(ledger: Ledger) -> Chart:
    return charts.steps_chart(analysis.steps_table(ledger.place_claims), ledger)


def steps_summary(ledger: Ledger) -> Markdown:
    latest = analysis.latest_steps(analysis.steps_table(ledger.place_claims))
    return narrative.steps_summary(latest, ledger)
