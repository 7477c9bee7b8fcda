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

import matplotlib.dates as mdates
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
COLOUR_NAMES = {"official": "blue", "health_ministry": "orange", "independent": "green", "international": "pink"}
INK = "#1a1a1a"
MUTED = "#5f5f5f"
GRID = "#dcdcdc"

FIGSIZE = (8.0, 4.5)  # inches; bar charts grow taller with their number of bars
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


@dataclass(frozen=True)
class Chart:
    """A drawn chart and the words that go with it wherever it is shown.

    In a notebook it displays as a PNG carrying its alt text (nbconvert writes it into the page's
    ``<img alt>``); its plain-text form is that alt text, so nbval compares words, not an object
    address. :func:`save_figure` writes its files; the front page reads its caption.
    """

    figure: Figure
    name: str  # the file stem: figures/<name>.png
    title: str  # the finding, stated
    subtitle: str  # what is counted, where, as of when, and how to read the marks
    source: str  # the outlets behind the figures
    claim_ids: tuple[str, ...] = ()

    @property
    def alt_text(self) -> str:
        return f"Chart: {self.title}. {self.subtitle}"

    def png(self, dpi: int = FILE_DPI) -> bytes:
        import io

        buffer = io.BytesIO()
        with _house_style():
            self.figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        return buffer.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None):
        import base64

        width = round(self.figure.get_figwidth() * SCREEN_DPI)
        data = {"image/png": base64.b64encode(self.png()).decode("ascii"), "text/plain": self.alt_text}
        metadata = {"image/png": {"alt": self.alt_text, "width": width}, "casualty_report": {"figure": self.name}}
        return data, metadata

    def __repr__(self) -> str:
        return self.alt_text


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
    """Officials' latest death toll against the Health Ministry's, for each place both gave one.

    A toll given in parts (civilians, security forces) is drawn as stacked parts.
    """
    by_id = ledger.claims.set_index("claim_id")
    totals = analysis.group_totals(ledger.claims, "deaths", scope)
    totals = totals[totals["claimant_group"].isin(["official", "health_ministry"])]
    totals = totals[totals.groupby("scope")["claimant_group"].transform("nunique") == 2]  # places both counted
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
    stacked = any(len(bar.segments) > 1 for bar in bars)
    return _bar_chart(
        ledger,
        bars,
        title="Death tolls: officials against the Health Ministry",
        what="Each side's latest count of the dead, by place" + ("; a toll given in parts is stacked" if stacked else ""),
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


def death_toll_timeline_chart(ledger: Ledger) -> Figure:
    """Every report of the national death toll over time, by claimant group, with the final count."""
    national = ledger.info.national_scope
    points = analysis.toll_timeline(ledger.claims, "deaths", national)
    final = analysis.final_estimates(ledger.claims)
    final = final[(final["measure"] == "deaths") & (final["population"] == "all") & (final["scope"] == national)]
    reference = None
    if len(final) and not pd.isna(final["best"].iloc[0]):
        reference = (int(final["best"].iloc[0]), f"latest estimate: {int(final['best'].iloc[0]):,}")
    return _timeline_chart(
        ledger,
        points,
        title="How the death toll moved",
        what=f"Reported totals of the dead in {national}, by who counted; lines join each group's figures",
        reference=reference,
    )


def detentions_timeline_chart(ledger: Ledger) -> Figure:
    """Every report of the national count of people detained, over time, by claimant group."""
    national = ledger.info.national_scope
    return _timeline_chart(
        ledger,
        analysis.toll_timeline(ledger.claims, "detained", national),
        title="How the count of the detained grew",
        what=f"Reported totals of people detained in {national}, by who counted",
    )


# --- files ------------------------------------------------------------------------------------


def save_figure(
    fig: Figure | Chart, directory: Path, stem: str | None = None, formats: Sequence[str] = ("png", "svg")
) -> list[Path]:
    """Write a figure as ``stem.<format>`` files, byte-identical for identical inputs (a chart's
    stem defaults to its name)."""
    if isinstance(fig, Chart):
        fig, stem = fig.figure, stem or fig.name
    if stem is None:
        raise ValueError("a bare Figure needs a file stem")
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


def _plain(text: str) -> str:
    """Ledger text drawn as written: '$' would otherwise start matplotlib's mathtext."""
    return text.replace("$", r"\$")


def _house_style():
    """Matplotlib's defaults plus the house style, whatever style the caller has active."""
    return matplotlib.style.context(["default", HOUSE_STYLE])


def _claims_chart(ledger: Ledger, table: pd.DataFrame, title: str, what: str) -> Figure:
    bars = [
        Bar(
            row.scope,
            f"{analysis.GROUP_LABELS[row.claimant_group]}: "
            f"{analysis.POPULATION_LABELS[row.population]} {analysis.MEASURE_WORDS[row.measure]}, "
            f"{row.reported_on:%-d %b %Y}",
            (Segment(row.claim_id, int(row.value), row.claimant_group, row.status),),
            analysis.display_value(int(row.value), row.qualifier)
            + (f" ({row.status})" if row.status in ("retracted", "disputed", "superseded") else ""),
            pd.isna(row.high),
        )
        for row in table.itertuples(index=False)
    ]
    return _bar_chart(ledger, bars, title=title, what=what)


TIMELINE_SPLIT = 21  # days after the first report: the left panel shows the first three weeks


def _timeline_chart(
    ledger: Ledger, points: pd.DataFrame, title: str, what: str, reference: tuple[int, str] | None = None
) -> Figure:
    """Reported figures over time: one colour per claimant group, a line through each group's
    figures that stood when reported, hollow rings for retracted ones. Two panels when the
    figures span more than three weeks: the first weeks, then the rest."""
    with _house_style():
        fig = Figure(figsize=FIGSIZE, dpi=SCREEN_DPI)
        FigureCanvasAgg(fig)
        statuses = set(points["status"]) if len(points) else set()
        keys = []
        if "retracted" in statuses:
            keys.append("hollow rings were retracted")
        if "disputed" in statuses:
            keys.append("half-filled markers are disputed")
        if len(points) and points["lower_bound"].any():
            keys.append("'+' marks a lower bound")
        groups = [g for g in analysis.GROUP_LABELS if g in set(points.get("claimant_group", []))]
        legend = ", ".join(f"{COLOUR_NAMES[g]}: {analysis.COUNTERS[g]}" for g in groups)
        subtitle = what + (f" ({legend})" if legend else "") + (". " + "; ".join(keys).capitalize() if keys else "") + "."
        _frame(fig, title, subtitle, _source_line(ledger, _ids(points)))
        if points.empty:
            ax = fig.add_subplot()
            ax.set_axis_off()
            ax.text(0.5, 0.5, "No figures in the ledger.", ha="center", va="center", color=MUTED)
        else:
            _draw_timeline_panels(fig, points, reference)
        fig.draw_without_rendering()
        fig.set_layout_engine("none")
    return fig


def _draw_timeline_panels(fig: Figure, points: pd.DataFrame, reference: tuple[int, str] | None) -> None:
    """The first weeks on the left, the rest on the right (one panel when all fit the first)."""
    start = points["reported_on"].min() - pd.Timedelta(days=1)
    split = start + pd.Timedelta(days=TIMELINE_SPLIT)
    late = points[points["reported_on"] > split]
    if late.empty:
        axes = [fig.add_subplot()]
        spans = [(start, points["reported_on"].max() + pd.Timedelta(days=1))]
    else:
        left, right = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1.2, 1.8], "wspace": 0.04})
        axes = [left, right]
        end = late["reported_on"].max()
        spans = [(start, split), (split, end + (end - split) * 0.06)]
        right.spines["left"].set_visible(False)
        right.tick_params(axis="y", length=0)
    top = max(points["value"].max(), reference[0] if reference else 0)
    for ax, (begin, finish) in zip(axes, spans, strict=True):
        _draw_timeline(ax, points)
        ax.set_xlim(begin, finish)
        ax.set_ylim(0, top * 1.15)
        ax.grid(axis="y", color=GRID, linewidth=0.8)
        ax.grid(axis="x", visible=False)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
        days = max((finish - begin).days, 1)
        if days <= 45:  # whole days only: no repeated labels on short spans
            ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, round(days / 6))))
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%-d %b"))
        else:
            ax.xaxis.set_major_locator(mdates.MonthLocator(interval=max(1, round(days / 150))))
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
        if reference:
            ax.axhline(reference[0], color=MUTED, linestyle=(0, (4, 3)), linewidth=0.9, zorder=1)
    if reference:  # under the line at the far right, where no figure is drawn
        axes[-1].text(0.99, reference[0] - top * 0.02, reference[1], transform=axes[-1].get_yaxis_transform(),
                      ha="right", va="top", fontsize=8.5, color=MUTED)  # fmt: skip


def _draw_timeline(ax: Axes, points: pd.DataFrame) -> None:
    labelled: set[tuple[object, str, int]] = set()
    for group, figures in points.groupby("claimant_group", sort=False):
        colour = PALETTE[group]
        standing = figures[figures["status"] != "retracted"].sort_values("reported_on")
        if len(standing) > 1:
            ax.plot(standing["reported_on"], standing["value"], color=colour, linewidth=1.2, zorder=2)
        for point in figures.itertuples(index=False):
            style: dict[str, object] = {"marker": "o", "markersize": 6.5, "color": colour, "zorder": 3}
            if point.status == "retracted":
                style |= {"markerfacecolor": "white", "markeredgewidth": 1.4, "linestyle": "none"}
            elif point.status == "disputed":
                style |= {"fillstyle": "left", "markerfacecoloralt": "white", "linestyle": "none"}
            else:
                style |= {"linestyle": "none", "markeredgecolor": "white", "markeredgewidth": 0.8}
            ax.plot([point.reported_on], [point.value], **style)
            key = (point.reported_on, group, int(point.value))
            if key not in labelled:
                labelled.add(key)
                text = f"{int(point.value):,}{'+' if point.lower_bound else ''}"
                ax.annotate(text, (point.reported_on, point.value), xytext=(0, 6), textcoords="offset points",
                            ha="center", va="bottom", fontsize=7.5, color=colour, annotation_clip=True)  # fmt: skip


def _ids(points: pd.DataFrame) -> set[str]:
    return {claim_id for ids in points.get("claim_ids", []) for claim_id in ids.split(" + ")}


def _frame(fig: Figure, title: str, subtitle: str, source: str) -> None:
    """Title, subtitle and source line, placed in inches from the edges whatever the figure's
    height, and a constrained layout for the plot that leaves room for them."""
    height = fig.get_figheight()
    subtitle_lines = textwrap.wrap(subtitle, 100)
    source_lines = textwrap.wrap(source, 130)
    fig.text(0.015, 1 - 0.2 / height, _plain(title), fontsize=13, fontweight="bold", va="top")
    fig.text(0.015, 1 - 0.54 / height, _plain("\n".join(subtitle_lines)), color=MUTED, va="top", linespacing=1.3)
    fig.text(0.015, 0.08 / height, _plain("\n".join(source_lines)), fontsize=7.5, color=MUTED, va="bottom",
             linespacing=1.3)  # fmt: skip
    header = (0.54 + 0.225 * len(subtitle_lines) + 0.2) / height
    footer = (0.16 * len(source_lines) + 0.14) / height
    fig.set_layout_engine(ConstrainedLayoutEngine(rect=(0.0, footer, 1.0, 1.0 - header - footer)))


MAX_BARS = 40  # past this a bar chart is unreadable; the notebook's table lists every figure


def _bar_chart(ledger: Ledger, bars: Sequence[Bar], title: str, what: str) -> Figure:
    """Horizontal bars grouped under place headings, with the house title, subtitle and source."""
    if len(bars) > MAX_BARS:
        what += f" (the first {MAX_BARS} of {len(bars):,}; the table lists them all)"
        bars = bars[:MAX_BARS]
    places = len({bar.scope for bar in bars})
    # Taller with more bars, so each keeps its room; the height depends on the data only.
    height = max(FIGSIZE[1], 1.9 + 0.27 * len(bars) + 0.35 * places)
    with _house_style():
        fig = Figure(figsize=(FIGSIZE[0], height), dpi=SCREEN_DPI)
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

        _frame(fig, title, subtitle, source)
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
        ax.text(0, heading_y - 0.05, _plain(place), transform=ax.get_yaxis_transform(), ha="right", va="center",
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
    """Name the sources and claims behind a chart; past a few, count them (the notebook's table
    beside the chart lists every claim)."""
    claim_ids = sorted(claim_ids)
    if not claim_ids:
        return f"No claims drawn from the {ledger.directory.name} ledger."
    sources = ledger.sources_for(claim_ids)
    if len(sources) <= 3:
        cited = "; ".join(
            f"{row.outlet}"
            + (f", {row.published_on:%-d %b %Y}" if not pd.isna(row.published_on) else "")
            + f" ({row.source_id})"
            for row in sources.itertuples(index=False)
        )
    else:
        cited = f"{len(sources)} publications listed in the ledger's sources.csv"
    claims = f"claims {', '.join(claim_ids)}" if len(claim_ids) <= 10 else f"{len(claim_ids)} claims"
    return f"Source: {cited}. Figures: {claims} of the {ledger.directory.name} ledger."
