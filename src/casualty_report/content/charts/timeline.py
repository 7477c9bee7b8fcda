"""Timelines: each reported total over time, one colour per claimant group, a line through the
figures that stood (for a group whose figures form one series), hollow rings for withdrawn ones,
value labels placed clear of each other, and a break mark when the figures span more than three
weeks."""

from __future__ import annotations

from collections.abc import Sized
from typing import Any, cast

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from casualty_report.content import analysis, legend
from casualty_report.content.charts.style import (
    GRID,
    LABEL_SIZE,
    MUTED,
    SCREEN_DPI,
    WIDTH,
    Chart,
    chart_width,
    drawn_texts,
    few_ticks,
    frame,
    freeze,
    header_height,
    house_style,
)
from casualty_report.content.charts.words import sentence, source_line
from casualty_report.ledger.load import Ledger
from casualty_report.ledger.statuses import SOUND, STATUSES
from casualty_report.ledger.vocabulary import CLAIMANT_GROUPS, QUALIFIERS, range_words

TIMELINE_SPLIT = 21  # days after the first report: the left panel shows the first three weeks
NAME_SPOTS = 4  # a group's name is tried by its newest points in each panel, up to this many


def timeline_chart(
    ledger: Ledger, name: str, points: pd.DataFrame, title: str, what: str, reference: tuple[int, str] | None
) -> Chart:
    """Reported figures over time: one colour per claimant group, a line through each group's
    figures that stood when reported, hollow rings for withdrawn ones, and a dashed line at
    ``reference`` (value, what it is: the final count). Two panels with a break mark when the
    figures span more than three weeks: the first weeks, then the rest."""
    best = None if reference is None else reference[0]
    # Each group is labelled beside its last point, in its colour: no colour key to decode.
    keys = legend.status_keys(set(points["status"]) if len(points) else set(), "timeline")
    if len(points) and points["lower_bound"].any():
        keys.append(legend.LOWER_BOUND.timeline)
    rounded = rounded_totals(ledger, points)
    if rounded:
        keys.append(legend.ROUNDED.timeline)
    ranged = ranged_totals(ledger, points)
    if ranged:
        keys.append(legend.RANGE.timeline)
    if reference is not None:
        keys.append(f"the dashed line is {reference[1]}, {reference[0]:,}")
    subtitle = what + (". " + sentence(keys) if keys else "") + "."
    claim_ids = analysis.claim_ids(points.get("claim_ids", []))
    source = source_line(ledger, claim_ids)
    height = header_height(title, subtitle, source) + 3.0
    with house_style():
        fig = Figure(figsize=(chart_width(), height), dpi=SCREEN_DPI)
        FigureCanvasAgg(fig)
        frame(fig, title, subtitle, source)
        if points.empty:
            ax = fig.add_subplot()
            ax.set_axis_off()
            ax.text(0.5, 0.5, "No figures in the ledger.", ha="center", va="center", color=MUTED)
            freeze(fig)
        else:
            names, labels = _draw_timeline_panels(fig, points, best, rounded, ranged)
            freeze(fig)
            _place_labels(fig, names, labels)
    return Chart(fig, name, title, subtitle, source, tuple(sorted(claim_ids)))


def rounded_totals(ledger: Ledger, points: pd.DataFrame) -> set[tuple[str, ...]]:
    """The totals (by claim ids) that are one figure given as 'about' or 'nearly'."""
    rounded = set(ledger.claims.loc[ledger.claims["qualifier"].isin(["about", "nearly"]), "claim_id"])
    return {ids for ids in points.get("claim_ids", []) if len(ids) == 1 and ids[0] in rounded}


def ranged_totals(ledger: Ledger, points: pd.DataFrame) -> set[tuple[str, ...]]:
    """The totals (by claim ids) that are one figure given as a range ('55–77')."""
    ranges = [word for word, qualifier in QUALIFIERS.items() if qualifier.range]
    ranged = set(ledger.claims.loc[ledger.claims["qualifier"].isin(ranges), "claim_id"])
    return {ids for ids in points.get("claim_ids", []) if len(ids) == 1 and ids[0] in ranged}


def _draw_timeline_panels(
    fig: Figure,
    points: pd.DataFrame,
    best: int | None,
    rounded: set[tuple[str, ...]],
    ranged: set[tuple[str, ...]],
) -> tuple[dict[str, list], list]:
    """The first weeks on the left, the rest on the right (one panel when all fit the first)."""
    start = points["reported_on"].min() - pd.Timedelta(days=1)
    split = start + pd.Timedelta(days=TIMELINE_SPLIT)
    late = points[points["reported_on"] > split]
    if late.empty:
        axes = [fig.add_subplot()]
        spans = [(start, points["reported_on"].max() + pd.Timedelta(days=1))]
    else:
        left, right = fig.subplots(
            1, 2, sharey=True, gridspec_kw={"width_ratios": [1.15, 1.0], "wspace": 0.08}
        )
        axes = [left, right]
        end = late["reported_on"].max()
        spans = [(start, split), (split, end + (end - split) * 0.08)]
        right.spines["left"].set_visible(False)
        right.tick_params(axis="y", length=0, labelleft=False)
    # A range reaches its top figure: the plot has room for it.
    tops = points["high"].where(points["claim_ids"].map(ranged.__contains__)).fillna(points["value"])
    top = max(tops.max(), best or 0)
    labels: list = []
    names: dict[str, list] = {}
    for ax, (begin, finish) in zip(axes, spans, strict=True):
        in_panel = points[(points["reported_on"] >= begin) & (points["reported_on"] <= finish)]
        panel_names, panel_labels = _draw_timeline(ax, in_panel, points, rounded, ranged)
        labels += panel_labels
        for group, spots in panel_names.items():  # a later panel's spots come first
            names[group] = spots + names.get(group, [])
        ax.set_xlim(begin, finish)
        ax.set_ylim(0, top * 1.18)
        ax.grid(axis="y", color=GRID, linewidth=0.8)
        ax.grid(axis="x", visible=False)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
        ax.yaxis.set_major_locator(few_ticks())
        days = max((finish - begin).days, 1)
        if days <= 45:  # whole days only: no repeated labels on short spans
            ticks = 4 if chart_width() >= WIDTH else 2  # a phone's panel has room for fewer dates
            ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(2, round(days / ticks))))
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%-d %b"))
        else:
            # Room for about four dates a panel: half-yearly up to 18 months, then yearly.
            months = (1,) if days > 540 else (1, 7) if days > 300 else range(1, 13, 3)
            ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=months))
            # On a phone the month and year stack: side by side, two dates run into each other.
            ax.xaxis.set_major_formatter(
                mdates.DateFormatter("%b %Y" if chart_width() >= WIDTH else "%b\n%Y")
            )
        if best is not None:
            ax.axhline(best, color=MUTED, linestyle=(0, (4, 3)), linewidth=0.9, zorder=1)
    if len(axes) == 2:
        _break_marks(*axes)
    return names, labels


def _break_marks(left: Axes, right: Axes) -> None:
    """Two short slanted strokes where the time axis is cut, as print charts mark a break."""
    size = 0.018
    for ax, x in ((left, 1.0), (right, 0.0)):
        for dx in (-size * 0.6, size * 0.6):
            ax.plot(
                [x + dx - size / 2, x + dx + size / 2],
                [-size * 1.6, size * 1.6],
                transform=ax.transAxes,
                color=MUTED,
                linewidth=1.0,
                clip_on=False,
            )
    left.spines["right"].set_visible(False)


def _draw_timeline(
    ax: Axes,
    shown: pd.DataFrame,
    points: pd.DataFrame,
    rounded: set[tuple[str, ...]],
    ranged: set[tuple[str, ...]],
) -> tuple[dict[str, list], list]:
    """Markers and lines for the points in this panel; returns the candidate spots for each
    group's name (by its points here, newest first) and one value label per change of a group's
    value (a repeated 238 is labelled once)."""
    labels: list = []
    names: dict[str, list] = {}
    for group, figures in points.groupby("claimant_group", sort=False):
        colour = CLAIMANT_GROUPS[group].colour
        here = figures[figures["claim_ids"].map(set(shown["claim_ids"]).__contains__)].sort_values(
            ["reported_on", "value"]
        )
        # Where the group's name may go: by its points in this panel, the newest first.
        names[group] = [
            ax.annotate(
                CLAIMANT_GROUPS[group].label,
                (point.reported_on, point.value),
                xytext=(8, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=LABEL_SIZE - 0.5,
                color=colour,
                annotation_clip=False,
                in_layout=False,
            )
            for point in list(here.itertuples(index=False))[::-1][:NAME_SPOTS]
        ]
        # The line follows what the group stood by: not withdrawn or disputed figures, and one
        # point a day (two lists of named dead on one day are two counts, not a fall and a rise).
        settled = figures[figures["status"].isin(SOUND)]
        line = settled.groupby("reported_on", sort=True)["value"].max()
        if len(line) > 1 and CLAIMANT_GROUPS[group].series:
            ax.plot(line.index, line.to_numpy(), color=colour, linewidth=1.4, zorder=2)
        previous = None
        ordered = figures.sort_values(["reported_on", "value"])
        for point in ordered.itertuples(index=False):
            in_panel = point.claim_ids in set(shown["claim_ids"])
            style: dict[str, Any] = {
                "marker": "o",
                "markersize": 6.5,
                "color": colour,
                "zorder": 3,
                "linestyle": "none",
            }
            if STATUSES[point.status].withdrawn:
                style |= {"markerfacecolor": "white", "markeredgewidth": 1.5}
            elif STATUSES[point.status].contested:
                style |= {"fillstyle": "left", "markerfacecoloralt": "white"}
            else:
                style |= {"markeredgecolor": "white", "markeredgewidth": 0.8}
            text = (
                f"{'≈' if point.claim_ids in rounded else ''}{int(point.value):,}"
                f"{'+' if point.lower_bound else ''}"
            )
            at = point.value
            if point.claim_ids in ranged:  # both ends, joined: a range is not a point
                text, at = range_words(int(point.value), int(point.high)), point.high
                if in_panel:
                    ax.plot(
                        [point.reported_on] * 2,
                        [point.value, point.high],
                        color=colour,
                        linewidth=2.2,
                        solid_capstyle="butt",
                        zorder=3,
                    )
                    ax.plot([point.reported_on], [point.high], **style)
            if in_panel:
                ax.plot([point.reported_on], [point.value], **style)
                if int(point.value) != previous:
                    labels.append(
                        ax.annotate(
                            text,
                            (point.reported_on, at),
                            xytext=(0, 7),
                            textcoords="offset points",
                            ha="center",
                            va="bottom",
                            fontsize=LABEL_SIZE - 0.5,
                            color=colour,
                            fontweight="bold",
                            annotation_clip=False,
                            in_layout=False,
                        )
                    )
            previous = int(point.value)
    return names, labels


# Where a value label may go, in points from its marker, in order of preference.
LABEL_OFFSETS = (
    (0, 7, "center", "bottom"),
    (0, -8, "center", "top"),
    (8, 0, "left", "center"),
    (-8, 0, "right", "center"),
    (0, 20, "center", "bottom"),
    (0, -21, "center", "top"),
    (-8, 14, "right", "bottom"),
    (-8, -15, "right", "top"),
    (0, 34, "center", "bottom"),
    (0, -35, "center", "top"),
)
# A name may also stand further off, aligned to its point's side: a point at an edge of the
# plot, or in a crowd, still gets its group's name nearby.
NAME_OFFSETS = LABEL_OFFSETS + tuple(
    (dx, dy, ha, va)
    for dy, va in ((30, "bottom"), (-30, "top"), (48, "bottom"), (-48, "top"))
    for dx, ha in ((-4, "right"), (4, "left"))
)


def _marker_boxes(fig: Figure) -> list:
    """The drawn markers, as boxes in pixels: labels must not cover them either."""
    from matplotlib.transforms import Bbox

    boxes = []
    for ax in fig.axes:
        for line in ax.lines:
            if line.get_marker() in (None, "None", "") or not len(cast(Sized, line.get_xdata())):
                continue
            radius = line.get_markersize() * fig.dpi / 72 / 2 + 1
            for x, y in ax.transData.transform(line.get_xydata()):
                boxes.append(Bbox.from_extents(x - radius, y - radius, x + radius, y + radius))
    return boxes


def _place_labels(fig: Figure, names: dict[str, list], labels: list) -> None:
    """Each group's name at the first of its spots that is free, then each value label at the
    first free offset from its marker; a label with no free spot is hidden (the table beside the
    chart lists it). Free: overlapping no placed label or marker, and inside the figure."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # an Agg canvas; stubs: the base
    bounds = fig.bbox
    candidates = {id(label) for label in labels} | {id(spot) for spots in names.values() for spot in spots}
    placed = _marker_boxes(fig) + [
        t.get_window_extent(renderer) for t in drawn_texts(fig) if id(t) not in candidates
    ]

    def fits(label, offsets=LABEL_OFFSETS) -> bool:
        for dx, dy, ha, va in offsets:
            label.set_position((dx, dy))  # offset points (textcoords)
            label.set_ha(ha)
            label.set_va(va)
            box = label.get_window_extent(renderer)
            inside = box.x0 >= bounds.x0 and box.x1 <= bounds.x1 and box.y1 <= bounds.y1
            if inside and not any(box.overlaps(other) for other in placed):
                placed.append(box)
                return True
        label.set_visible(False)
        return False

    for spots in names.values():
        for at, spot in enumerate(spots):
            if fits(spot, NAME_OFFSETS):
                for rest in spots[at + 1 :]:
                    rest.set_visible(False)
                break
    for label in labels:
        fits(label)
