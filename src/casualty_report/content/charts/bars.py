"""Bar charts: one bar per claim (or per side's total, stacked part by part), in one panel
per kind of count; withdrawn bars hollow and dashed, superseded hollow and dotted, disputed
hatched, ▸ after a lower bound."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from casualty_report.content import legend
from casualty_report.content.charts.style import (
    FIGSIZE,
    INK,
    LABEL_SIZE,
    MUTED,
    SCREEN_DPI,
    WIDTH,
    Chart,
    few_ticks,
    frame,
    freeze,
    header_height,
    house_style,
    plain,
)
from casualty_report.content.charts.words import (
    asides,
    by_prominence,
    latest_figures_title,
    sentence,
    source_line,
)
from casualty_report.content.narrative import display_value
from casualty_report.ledger.load import Ledger
from casualty_report.ledger.statuses import STATUSES
from casualty_report.ledger.vocabulary import CLAIMANT_GROUPS, MEASURES, POPULATIONS, QUALIFIERS

MAX_BARS = 24  # past this a bar chart is a wall; the table beside it lists every figure


@dataclass(frozen=True)
class Segment:
    """One claim's share of a bar."""

    claim_id: str
    value: int
    group: str
    status: str


@dataclass(frozen=True)
class Bar:
    label: str  # written above the bar
    segments: tuple[Segment, ...]
    value_text: str  # written after it
    lower_bound: bool
    top: int | None = None  # a range's upper figure: a thin line carries the bar on to it

    @property
    def total(self) -> int:
        return sum(segment.value for segment in self.segments)

    @property
    def reach(self) -> int:
        """How far the bar's marks reach: its total, or a range's top."""
        return max(self.total, self.top or 0)


def claims_chart(
    ledger: Ledger, name: str, table: pd.DataFrame, what_word: str, what: str, title: str | None = None
) -> Chart:
    """One bar per claim, in one panel per measure, oldest first. With a title (a story told in
    steps), panels follow the table's order of measures and those counting the same unit share a
    scale, so a shrinking count looks shorter; otherwise the most reported come first, each on
    its own scale."""
    many_places = table["scope"].nunique() > 1
    panels = []
    measures = list(dict.fromkeys(table["measure"])) if title else by_prominence(table["measure"])
    for measure in measures:
        rows = table[table["measure"] == measure]
        bars = []
        for row in rows.sort_values(["reported_on", "claim_id"]).itertuples(index=False):
            label = [f"{row.reported_on:%-d %b %Y}", CLAIMANT_GROUPS[row.claimant_group].label]
            if row.population != "all":
                label.append(POPULATIONS[row.population].label)
            if many_places:
                label.append(row.scope)
            bars.append(
                Bar(
                    ", ".join(label),
                    (Segment(row.claim_id, int(row.value), row.claimant_group, row.status),),
                    display_value(int(row.value), row.qualifier, row.high)
                    + asides(row.count_kind, row.status),
                    pd.isna(row.high),
                    int(row.high) if QUALIFIERS[row.qualifier].range else None,
                )
            )
        panels.append((MEASURES[measure].label.capitalize(), bars))
    if title is None:
        return bar_chart(ledger, name, panels, latest_figures_title(table, what_word), what)
    units = [MEASURES[measure].unit for measure in measures]
    if len(set(units)) > 1:
        what += (
            "; counts of people share one scale, counts of "
            + " and of ".join(sorted(set(units) - {"people"}))
            + " have their own"
        )
    return bar_chart(ledger, name, panels, title, what, scales=units)


def _latest_of_each(panels, limit: int):
    """At most ``limit`` bars: seats go one at a time to each panel in turn, and a panel keeps its
    latest bars, so the figures a title names are not the ones cut while there are seats for
    every panel."""
    seats = [0] * len(panels)
    while sum(seats) < limit:
        grew = False
        for index, (_, bars) in enumerate(panels):
            if seats[index] < len(bars) and sum(seats) < limit:
                seats[index] += 1
                grew = True
        if not grew:
            break
    # More panels than seats: the first panels keep one bar each, the others are left out.
    return [
        (heading, bars[len(bars) - seat :])
        for (heading, bars), seat in zip(panels, seats, strict=True)
        if seat
    ]


def bar_chart(
    ledger: Ledger,
    name: str,
    panels,
    title: str,
    what: str,
    share_scale: bool = False,
    scales: Sequence[str] | None = None,
) -> Chart:
    """Panels of horizontal bars, each bar's label above it and its value after it. Panels share
    one scale with ``share_scale``; with ``scales`` (a key per panel), those with the same key
    share one (people with people, cases with cases); otherwise each panel has its own."""
    if scales is None:
        scales = ["shared" if share_scale else str(index) for index in range(len(panels))]
    count = sum(len(bars) for _, bars in panels)
    if count > MAX_BARS:
        what += f" ({MAX_BARS} of {count:,}, the latest of each kind; the table lists them all)"
        panels = _latest_of_each(panels, MAX_BARS)
    bars_drawn = [bar for _, bars in panels for bar in bars]
    statuses = {segment.status for bar in bars_drawn for segment in bar.segments}
    keys = legend.status_keys(statuses, "bar")
    if any(bar.lower_bound for bar in bars_drawn):
        keys.append(legend.LOWER_BOUND.bar)
    if any(bar.top is not None for bar in bars_drawn):
        keys.append(legend.RANGE.bar)
    subtitle = what + (". " + sentence(keys) if keys else "") + "."
    claim_ids = [segment.claim_id for bar in bars_drawn for segment in bar.segments]
    source = source_line(ledger, claim_ids)
    rows = [len(bars) for _, bars in panels] or [1]
    height = header_height(title, subtitle, source) + sum(0.5 + 0.62 * n + 0.3 for n in rows)
    with house_style():
        fig = Figure(figsize=(WIDTH, max(FIGSIZE[1], height)), dpi=SCREEN_DPI)
        FigureCanvasAgg(fig)  # a renderer to measure text with, independent of any backend
        frame(fig, title, subtitle, source)
        if not panels:
            ax = fig.add_subplot()
            ax.set_axis_off()
            ax.text(
                0.5, 0.5, "No figures for this place in the ledger.", ha="center", va="center", color=MUTED
            )
            freeze(fig)
            return Chart(fig, name, title, subtitle, source, ())
        axes = fig.subplots(
            len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": [n + 0.6 for n in rows]}
        )[:, 0]
        scales = list(scales)[: len(panels)]
        longest = {
            key: max(b.reach for (_, bars), k in zip(panels, scales, strict=True) if k == key for b in bars)
            for key in scales
        }
        labels = []
        for ax, (heading, bars), key in zip(axes, panels, scales, strict=True):
            labels.append((ax, _draw_bars(ax, bars, longest[key])))
            ax.set_title(plain(heading), loc="left", fontweight="bold", fontsize=LABEL_SIZE + 1, pad=4)
        freeze(fig)
        for ax, drawn in labels:
            _make_room_for(ax, drawn)
        for key in dict.fromkeys(scales):  # panels sharing a scale: the widest any of them needs
            shared = [ax for ax, k in zip(axes, scales, strict=True) if k == key]
            right = max(ax.get_xlim()[1] for ax in shared)
            for ax in shared:
                ax.set_xlim(0, right)
        for ax in axes:  # ticks chosen for the final range, none at its very edge
            right = ax.get_xlim()[1]
            ax.set_xticks([tick for tick in few_ticks().tick_values(0, right) if 0 <= tick <= right * 0.93])
    return Chart(fig, name, title, subtitle, source, tuple(sorted(set(claim_ids))))


def _draw_bars(ax: Axes, bars: Sequence[Bar], longest: int) -> list:
    """Each bar with its label above and its value after; returns the value labels."""
    values = []
    for index, bar in enumerate(bars):
        top = index * 1.0
        ax.text(
            0,
            top,
            plain(bar.label),
            va="center",
            ha="left",
            fontsize=LABEL_SIZE,
            color=INK,
            transform=ax.get_yaxis_transform(),
            in_layout=False,
        )
        centre = top + 0.47
        left = 0
        for segment in bar.segments:
            _draw_segment(ax, centre, left, segment)
            left += segment.value
        end: float = left
        if bar.top is not None:
            colour = CLAIMANT_GROUPS[bar.segments[-1].group].colour
            ax.plot([end, bar.top], [centre, centre], color=colour, linewidth=1.6, solid_capstyle="butt")
            ax.plot([bar.top], [centre], marker="|", markersize=9, markeredgewidth=1.6, color=colour)
            end = bar.top
        if bar.lower_bound:
            ax.plot(end + longest * 0.015, centre, marker=">", markersize=6, color=INK, clip_on=False)[
                0
            ].set_in_layout(False)
            end += longest * 0.03
        values.append(
            ax.annotate(
                plain(bar.value_text),
                (end, centre),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                fontsize=LABEL_SIZE,
                color=INK,
                annotation_clip=False,
                in_layout=False,
            )
        )
    ax.set_ylim(len(bars) - 0.25, -0.35)  # first bar at the top
    ax.set_yticks([])
    ax.set_xlim(0, longest * 1.05)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.xaxis.set_major_locator(few_ticks())
    return values


def _make_room_for(ax: Axes, labels: Sequence) -> None:
    """Widen the x range just enough that every value label ends inside the axes.

    A label starting at data x0 (plus an offset of o pixels) with width w fits an axes W pixels
    wide when the range reaches x0 * W / (W - w - o - margin); widths do not depend on the range.
    """
    if not labels:
        return
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]  # an Agg canvas; stubs: the base
    axes_width = ax.get_window_extent(renderer).width
    margin = 10  # pixels: the offset of the label and a little air
    needed = max(
        label.xy[0] * axes_width / max(axes_width - label.get_window_extent(renderer).width - margin, 1)
        for label in labels
    )
    ax.set_xlim(0, max(ax.get_xlim()[1], needed))


def _draw_segment(ax: Axes, y: float, left: int, segment: Segment) -> None:
    colour = CLAIMANT_GROUPS[segment.group].colour
    style: dict[str, Any] = {"height": 0.42, "left": left, "linewidth": 1.2}
    if STATUSES[segment.status].withdrawn:
        style |= {"color": "none", "edgecolor": colour, "linestyle": (0, (3, 2))}
    elif STATUSES[segment.status].replaced:
        style |= {"color": "none", "edgecolor": colour, "linestyle": (0, (1, 1.5))}
    elif STATUSES[segment.status].contested:
        style |= {"color": colour, "alpha": 0.9, "hatch": "////", "edgecolor": "white"}
    else:
        style |= {"color": colour, "edgecolor": "white"}
    ax.barh(y, segment.value, **style)
