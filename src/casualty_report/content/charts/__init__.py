"""The report's charts: one function per chart, each returning a :class:`Chart`.

Every title states the chart's finding and is generated from the data, so it stays true when
the ledger changes; every subtitle says what is counted, where, and as of when, and decodes the
marks it draws, in the legend's words (:mod:`casualty_report.content.legend`): withdrawn figures
hollow with a dashed edge, superseded ones hollow and dotted, disputed ones hatched (half-filled
on timelines), and ▸ (or +) after a lower bound. Each axis holds one measure: counts of
different things get panels of their own. The style is in :mod:`casualty_report.content.charts.style`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from casualty_report.content import analysis
from casualty_report.content.charts.bars import Bar, Segment, bar_chart, claims_chart
from casualty_report.content.charts.style import Chart, phone_size
from casualty_report.content.charts.timeline import timeline_chart
from casualty_report.content.charts.words import (
    as_of_words,
    bar_total_words,
    gap_title,
    place_words,
    rise_title,
    steps_title,
)
from casualty_report.content.comparisons import final_of
from casualty_report.ledger.load import Ledger
from casualty_report.ledger.vocabulary import CLAIMANT_GROUPS, QUALIFIERS


def death_toll_chart(comparison: pd.DataFrame, ledger: Ledger) -> Chart:
    """Officials' latest death toll against the other counter's (the dataset's ``compared_with``),
    for each place both gave one (``comparison`` is :func:`comparisons.official_against`'s
    frame). A toll given in parts (civilians, security forces) is drawn as stacked parts."""
    panels = []
    for row in comparison.itertuples(index=False):
        bars = []
        for group in ("official", ledger.info.compared_with):
            ids = analysis.claim_ids([getattr(row, f"{group}_claim_ids")])
            segments = tuple(
                Segment(i, int(ledger.claim[i].value), group, str(ledger.claim[i].status)) for i in ids
            )
            bars.append(
                Bar(
                    f"{CLAIMANT_GROUPS[group].label}, {getattr(row, f'{group}_reported_on'):%-d %b %Y}",
                    segments,
                    bar_total_words(ledger, ids, getattr(row, f"{group}_status")),
                    bool(getattr(row, f"{group}_lower_bound")),
                    _range_top(ledger, ids),
                )
            )
        panels.append((row.scope, bars))
    title = gap_title(ledger, comparison, len(panels) > 1)
    stacked = any(len(bar.segments) > 1 for _, bars in panels for bar in bars)
    what = f"People killed in {place_words(ledger)}: each side's latest count, {as_of_words(ledger)}" + (
        "; a toll given in parts is stacked, part by part" if stacked else ""
    )
    return replace(
        bar_chart(ledger, "death-tolls", panels, title, what, share_scale=True), data="death-toll-comparison"
    )


def _range_top(ledger: Ledger, ids: list[str]) -> int | None:
    """The upper figure of a total that is one range ('55–77'), which its bar reaches; else None."""
    if len(ids) != 1 or not QUALIFIERS[ledger.claim[ids[0]].qualifier].range:
        return None
    return int(ledger.claim[ids[0]].value_high)


def injuries_chart(table: pd.DataFrame, ledger: Ledger) -> Chart:
    """Every figure in ``table`` (:func:`analysis.injury_table` of the ledger's view) for people
    injured, treated or in hospital: one panel per kind of count."""
    return _every_claim(table, ledger, "injuries", "injured, treated or in hospital")


def arrests_chart(table: pd.DataFrame, ledger: Ledger) -> Chart:
    """Every figure in ``table`` (:func:`analysis.arrest_table`) for people detained, arrested,
    held or convicted: one panel per measure."""
    return _every_claim(table, ledger, "arrests", "detained, held or convicted")


def _every_claim(table: pd.DataFrame, ledger: Ledger, name: str, counted: str) -> Chart:
    what = (
        f"People reported {counted} in {place_words(ledger)}, "
        f"{as_of_words(ledger)}; one panel per kind of count, one bar per claim, oldest first"
    )
    return replace(claims_chart(ledger, name, table, counted, what), data=name)


def steps_chart(table: pd.DataFrame, ledger: Ledger) -> Chart:
    """From detention to sentence (``table``: :func:`analysis.steps_table`): one panel per step in
    its order, one bar per report, oldest first; cases are counted in a panel of their own."""
    what = (
        f"Reported figures for each step from detention to sentence in {ledger.place}, "
        f"{as_of_words(ledger)}; one panel per step, one bar per report, oldest first"
    )
    title = steps_title(analysis.latest_steps(table))
    chart = claims_chart(ledger, "steps", table, "detained or sentenced", what, title)
    return replace(chart, data="detention-to-sentence")


def death_toll_timeline_chart(points: pd.DataFrame, ledger: Ledger) -> Chart:
    """Every report of the place's death toll over time (``points``:
    :func:`analysis.toll_timeline`), by claimant group, against the final count where the view
    holds it."""
    place = ledger.place
    final = final_of(ledger, "deaths", place)
    return with_phone(
        lambda: timeline_chart(
            ledger,
            "death-toll-timeline",
            points,
            rise_title(ledger, points, "dead", place, final),
            f"Reported counts of everyone killed in {place}, {as_of_words(ledger)}",
            None if final is None else (final.value, "the final count"),
        ),
        data="death-toll-timeline",
    )


def detentions_timeline_chart(points: pd.DataFrame, ledger: Ledger) -> Chart:
    """Every report of the place's count of people detained, over time, by claimant group."""
    place = ledger.place
    return with_phone(
        lambda: timeline_chart(
            ledger,
            "detentions-timeline",
            points,
            rise_title(ledger, points, "detained", place, final_of(ledger, "detained", place)),
            f"Reported totals of people detained in {place}, {as_of_words(ledger)}",
            None,
        ),
        data="detentions-timeline",
    )


def with_phone(draw: Callable[[], Chart], data: str) -> Chart:
    """The chart ``draw`` makes, carrying a second drawing of it for a phone's screen: the
    front page's charts, which must read at 390 px (the type at least 11 px)."""
    chart = draw()
    with phone_size():
        phone = draw()
    return replace(chart, data=data, phone=replace(phone, data=data))
