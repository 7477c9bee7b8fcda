"""Charts in one house style: one function per chart, each returning a matplotlib Figure.

House style: a left-aligned title, a one-line subtitle that decodes the encoding, a source line
naming the ledger's sources and claim ids, comma thousands, the Okabe-Ito colour-blind-safe
palette by claimant group. Retracted figures are hollow with a dashed edge, disputed ones
hatched, and a ▸ after a bar marks a lower bound ("at least", "over", "dozens").

Figures are built with ``matplotlib.figure.Figure`` rather than pyplot, so nothing depends on
the global backend: notebooks show them inline, tests render them headless, files are saved
byte-for-byte reproducibly by :func:`save_figure`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.style
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter

from casualty_report import analysis
from casualty_report.ledger import Ledger

# Okabe & Ito (2008), safe for the common colour-vision deficiencies.
PALETTE = {
    "official": "#0072B2",  # blue
    "health_ministry": "#D55E00",  # vermillion
    "independent": "#009E73",  # bluish green
    "international": "#CC79A7",  # reddish purple
}
INK = "#1a1a1a"
MUTED = "#5f5f5f"
GRID = "#dcdcdc"

FIGSIZE = (8.0, 4.5)  # inches; fixed so baselines and files never change size
SCREEN_DPI = 100
FILE_DPI = 200

HOUSE_STYLE = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: the same glyphs on every machine
    "font.size": 9.5,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": MUTED,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.spines.left": False,
    "axes.grid": True,
    "axes.grid.axis": "x",
    "axes.axisbelow": True,
    "grid.color": GRID,
    "grid.linewidth": 0.8,
    "xtick.color": MUTED,
    "ytick.color": INK,
    "ytick.major.size": 0,
    "svg.hashsalt": "casualty-report",  # stable element ids in SVG output
    "svg.fonttype": "path",
}

STATUS_KEYS = {
    "retracted": "hollow dashed bars were retracted",
    "disputed": "hatched bars are disputed (see the table's notes)",
    "superseded": "hollow dotted bars were superseded",
}
MEASURE_WORDS = {
    "deaths": "dead",
    "injured": "injured",
    "treated": "treated",
    "sought_care": "sought care",
    "hospitalised": "in hospital",
    "detained": "detained",
    "arrested": "arrested",
    "in_custody": "held",
    "convicted": "convicted",
}


@dataclass(frozen=True)
class Segment:
    """One claim's share of a bar."""

    claim_id: str
    value: int
    group: str
    status: str


@dataclass(frozen=True)
class Bar:
    scope: str
    label: str
    segments: tuple[Segment, ...]
    value_text: str
    lower_bound: bool

    @property
    def total(self) -> int:
        return sum(segment.value for segment in self.segments)


# --- the charts --------------------------------------------------------------------------------


def death_toll_chart(ledger: Ledger, scope: str | None = None) -> Figure:
    """Officials' death toll against the Health Ministry's, one pair of bars per place.

    Officials gave their toll in parts (civilians, security forces); the parts are stacked.
    """
    by_id = ledger.claims.set_index("claim_id")
    totals = analysis.group_totals(ledger.claims, "deaths", scope)
    bars = []
    for total in totals.itertuples(index=False):
        ids = total.claim_ids.split(" + ")
        segments = tuple(
            Segment(claim_id, int(by_id.at[claim_id, "value"]), total.claimant_group, str(by_id.at[claim_id, "status"]))
            for claim_id in ids
        )
        # Say what was counted and, for officials' parts, how they add up.
        prefix = "at least " if total.lower_bound else ""
        parts = [f"{by_id.at[i, 'value']:,} {analysis.POPULATION_LABELS[by_id.at[i, 'population']]}" for i in ids]
        if total.populations == "all":
            value_text = f"{prefix}{total.value:,}"
        elif len(parts) == 1:
            value_text = f"{prefix}{parts[0]}"
        else:
            value_text = f"{prefix}{total.value:,} = {' + '.join(parts)}"
        if total.status in ("retracted", "disputed"):
            value_text += f" ({total.status})"
        bars.append(
            Bar(total.scope, analysis.GROUP_LABELS[total.claimant_group], segments, value_text, total.lower_bound)
        )
    return _bar_chart(
        ledger,
        bars,
        title="Death tolls: officials against the Health Ministry",
        what="People reported killed, by who counted and where; officials' parts are stacked",
    )


def injuries_chart(ledger: Ledger, scope: str | None = None) -> Figure:
    """Every figure for people injured or treated."""
    return _claims_chart(
        ledger,
        analysis.injury_table(ledger.claims, scope),
        title="Injured and treated: two counts, not one",
        what="People reported injured or treated for injuries, one bar per claim",
    )


def arrests_chart(ledger: Ledger, scope: str | None = None) -> Figure:
    """Every figure for people arrested, detained or held."""
    return _claims_chart(
        ledger,
        analysis.arrest_table(ledger.claims, scope),
        title="Arrests and detentions",
        what="People reported arrested or detained, one bar per claim",
    )


# --- files ------------------------------------------------------------------------------------


def save_figure(fig: Figure, directory: Path, stem: str, formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Write a figure as ``stem.<format>`` files, byte-identical for identical inputs."""
    metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}, "pdf": {"CreationDate": None, "Creator": None, "Producer": None}}
    unknown = set(formats) - set(metadata)
    if unknown:
        raise ValueError(f"unknown figure format(s) {', '.join(sorted(unknown))}: use png, svg or pdf")
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    with _house_style():
        for fmt in formats:
            path = directory / f"{stem}.{fmt}"
            fig.savefig(path, format=fmt, dpi=FILE_DPI, metadata=metadata[fmt])
            paths.append(path)
    return paths


# --- drawing ----------------------------------------------------------------------------------


def _house_style():
    """Matplotlib's defaults plus the house style, whatever style the caller has active."""
    return matplotlib.style.context(["default", HOUSE_STYLE])


def _claims_chart(ledger: Ledger, table: pd.DataFrame, title: str, what: str) -> Figure:
    bars = [
        Bar(
            row.scope,
            f"{analysis.GROUP_LABELS[row.claimant_group]}: "
            f"{analysis.POPULATION_LABELS[row.population]} {MEASURE_WORDS[row.measure]}",
            (Segment(row.claim_id, int(row.value), row.claimant_group, row.status),),
            analysis.display_value(int(row.value), row.qualifier)
            + (f" ({row.status})" if row.status in ("retracted", "disputed", "superseded") else ""),
            pd.isna(row.high),
        )
        for row in table.itertuples(index=False)
    ]
    return _bar_chart(ledger, bars, title=title, what=what)


def _bar_chart(ledger: Ledger, bars: Sequence[Bar], title: str, what: str) -> Figure:
    """Horizontal bars grouped under place headings, with the house title, subtitle and source."""
    with _house_style():
        fig = Figure(figsize=FIGSIZE, dpi=SCREEN_DPI)
        FigureCanvasAgg(fig)  # a renderer to measure text with, independent of any backend
        ax = fig.add_subplot()
        labels = _draw_bars(ax, bars) if bars else []
        if not bars:
            ax.set_axis_off()
            ax.text(0.5, 0.5, "No figures for this place in the ledger.", ha="center", va="center", color=MUTED)

        statuses = {segment.status for bar in bars for segment in bar.segments}
        keys = [STATUS_KEYS[status] for status in STATUS_KEYS if status in statuses]
        if any(bar.lower_bound for bar in bars):
            keys.append("▸ marks a lower bound")
        subtitle = what + (". " + "; ".join(keys).capitalize() if keys else "") + "."
        claim_ids = sorted({segment.claim_id for bar in bars for segment in bar.segments})
        source = _source_line(ledger, claim_ids)

        subtitle_lines = textwrap.wrap(subtitle, 100)
        source_lines = textwrap.wrap(source, 130)
        top = 0.955
        fig.text(0.015, top, title, fontsize=13, fontweight="bold", va="top")
        fig.text(0.015, top - 0.075, "\n".join(subtitle_lines), color=MUTED, va="top", linespacing=1.3)
        fig.text(0.015, 0.018, "\n".join(source_lines), fontsize=7.5, color=MUTED, va="bottom", linespacing=1.3)
        header = 0.075 + 0.05 * len(subtitle_lines) + 0.045
        footer = 0.035 * len(source_lines) + 0.03
        fig.set_layout_engine(ConstrainedLayoutEngine(rect=(0.0, footer, 1.0, 1.0 - header - footer)))
        # Lay out once, then freeze: every later draw (inline, PNG, SVG) uses the same geometry.
        fig.draw_without_rendering()
        fig.set_layout_engine("none")
        _make_room_for(ax, labels)
    return fig


def _draw_bars(ax: Axes, bars: Sequence[Bar]) -> list[Text]:
    """Draw the bars; return the value labels, which :func:`_make_room_for` fits in later."""
    positions, headings, y = [], [], 0.0
    for index, bar in enumerate(bars):
        if index == 0 or bar.scope != bars[index - 1].scope:
            if index:
                y += 0.6  # a gap between places
            headings.append((y, bar.scope))
            y += 0.75  # room for the heading
        positions.append(y)
        y += 1.0

    longest = max(bar.total for bar in bars)
    labels = []
    for position, bar in zip(positions, bars, strict=True):
        left = 0
        for segment in bar.segments:
            _draw_segment(ax, position, left, segment)
            left += segment.value
        end = left + longest * 0.012
        # Labels may run past the axes; kept out of the layout so it cannot shift from draw to draw.
        if bar.lower_bound:
            ax.plot(end + longest * 0.008, position, marker=">", markersize=6, color=INK, clip_on=False)[0].set_in_layout(
                False
            )
            end += longest * 0.03
        labels.append(
            ax.text(end, position, bar.value_text, va="center", ha="left", fontsize=9, color=INK, in_layout=False)
        )

    ax.set_yticks(positions, [bar.label for bar in bars])
    for heading_y, place in headings:
        ax.text(0, heading_y - 0.05, place, transform=ax.get_yaxis_transform(), ha="right", va="center",
                fontweight="bold", fontsize=10, color=INK)  # fmt: skip
    ax.set_ylim(y - 0.4, -0.3)  # first bar at the top
    ax.set_xlim(0, longest * 1.05)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.tick_params(axis="y", pad=6)
    return labels


def _make_room_for(ax: Axes, labels: Sequence[Text]) -> None:
    """Widen the x range just enough that every value label ends inside the axes.

    A label starting at data x0 with width w pixels fits an axes W pixels wide when the range
    reaches x0 * W / (W - w - margin); label widths in pixels do not depend on the range.
    """
    if not labels:
        return
    renderer = ax.figure.canvas.get_renderer()
    axes_width = ax.get_window_extent(renderer).width
    margin = 4  # pixels
    needed = max(
        label.get_position()[0] * axes_width / max(axes_width - label.get_window_extent(renderer).width - margin, 1)
        for label in labels
    )
    ax.set_xlim(0, max(ax.get_xlim()[1], needed))


def _draw_segment(ax: Axes, y: float, left: int, segment: Segment) -> None:
    colour = PALETTE[segment.group]
    style: dict[str, object] = {"height": 0.62, "left": left, "linewidth": 1.2}
    if segment.status == "retracted":
        style |= {"color": "none", "edgecolor": colour, "linestyle": (0, (3, 2))}
    elif segment.status == "superseded":
        style |= {"color": "none", "edgecolor": colour, "linestyle": (0, (1, 1.5))}
    elif segment.status == "disputed":
        style |= {"color": colour, "alpha": 0.9, "hatch": "////", "edgecolor": "white"}
    else:
        style |= {"color": colour, "edgecolor": "white"}
    ax.barh(y, segment.value, **style)


def _source_line(ledger: Ledger, claim_ids: Iterable[str]) -> str:
    claim_ids = list(claim_ids)
    sources = ledger.sources_for(claim_ids)
    names = [
        f"{row.outlet}"
        + (f", {row.published_on:%-d %b %Y}" if not pd.isna(row.published_on) else "")
        + f" ({row.source_id})"
        for row in sources.itertuples(index=False)
    ]
    if not claim_ids:
        return f"No claims drawn from the {ledger.directory.name} ledger."
    return f"Source: {'; '.join(names)}. Claims {', '.join(claim_ids)} of the {ledger.directory.name} ledger."
