"""The report's charts: one function per chart, each returning a :class:`Chart`.

Every title states the chart's finding and is generated from the data, so it stays true when
the ledger changes; every subtitle says what is counted, where, and as of when, and decodes the
marks: withdrawn figures are hollow with a dashed edge, superseded ones hollow and dotted,
disputed ones hatched (half-filled on timelines), and ▸ (or +) marks a lower bound ("at least",
"over", "dozens"). Each axis holds one measure: counts of different things get panels of their
own. The style is in :mod:`casualty_report.chart_style`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from casualty_report import analysis, narrative
from casualty_report.chart_style import (
    FIGSIZE,
    GRID,
    INK,
    LABEL_SIZE,
    MUTED,
    SCREEN_DPI,
    WIDTH,
    Chart,
    drawn_texts,
    frame,
    freeze,
    header_height,
    house_style,
    plain,
    save_figure,
)  # fmt: skip
from casualty_report.ledger import Ledger
from casualty_report.vocabulary import CLAIMANT_GROUPS, MEASURES, POPULATIONS, STATUSES

__all__ = [
    "INK",
    "Chart",
    "arrests_chart",
    "death_toll_chart",
    "death_toll_timeline_chart",
    "detentions_timeline_chart",
    "injuries_chart",
    "save_figure",
]  # fmt: skip

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

    @property
    def total(self) -> int:
        return sum(segment.value for segment in self.segments)


# --- the charts --------------------------------------------------------------------------------


def death_toll_chart(ledger: Ledger, scope: str | None = None) -> Chart:
    """Officials' latest death toll against the Health Ministry's, for each place both gave one.
    A toll given in parts (civilians, security forces) is drawn as stacked parts."""
    by_id = ledger.claims.set_index("claim_id")
    comparison = analysis.compare_official_health(ledger.claims, "deaths", scope)
    panels = []
    for row in comparison.itertuples(index=False):
        bars = []
        for group in ("official", "health_ministry"):
            ids = analysis.claim_ids([getattr(row, f"{group}_claim_ids")])
            segments = tuple(
                Segment(i, int(by_id.at[i, "value"]), group, str(by_id.at[i, "status"])) for i in ids
            )
            bars.append(Bar(
                f"{CLAIMANT_GROUPS[group].label}, {getattr(row, f'{group}_reported_on'):%-d %b %Y}",
                segments,
                _total_words(ledger, ids, by_id, getattr(row, f"{group}_status")),
                bool(getattr(row, f"{group}_lower_bound")),
            ))  # fmt: skip
        panels.append((row.scope, bars))
    title = _gap_title(ledger, comparison, by_id, len(panels) > 1)
    stacked = any(len(bar.segments) > 1 for _, bars in panels for bar in bars)
    what = (f"People killed in {_where(ledger, scope)}: each side's latest count, {_when(ledger)}"
            + ("; a toll given in parts is stacked, part by part" if stacked else ""))  # fmt: skip
    return _bar_chart(ledger, "death-tolls", panels, title, what, share_scale=True)


def injuries_chart(ledger: Ledger, scope: str | None = None) -> Chart:
    """Every figure for people injured, treated or in hospital: one panel per kind of count."""
    table = analysis.injury_table(ledger.claims, scope)
    what = f"People reported injured, treated or in hospital in {_where(ledger, scope)}, {_when(ledger)}; one panel per kind of count, one bar per claim, oldest first"
    return _claims_chart(ledger, "injuries", table, "injured, treated or in hospital", what, scope)


def arrests_chart(ledger: Ledger, scope: str | None = None) -> Chart:
    """Every figure for people detained, arrested, held or convicted: one panel per measure."""
    table = analysis.arrest_table(ledger.claims, scope)
    what = f"People reported detained, held or convicted in {_where(ledger, scope)}, {_when(ledger)}; one panel per kind of count, one bar per claim, oldest first"
    return _claims_chart(ledger, "arrests", table, "detained, held or convicted", what, scope)


def death_toll_timeline_chart(ledger: Ledger) -> Chart:
    """Every report of the place's death toll over time, by claimant group, with the estimate."""
    place = ledger.place
    points = analysis.toll_timeline(ledger.place_claims, "deaths")
    final = analysis.final_estimates(ledger.claims)
    final = final[(final["measure"] == "deaths") & (final["population"] == "all") & (final["scope"] == place)]
    best = None if final.empty or pd.isna(final["best"].iloc[0]) else int(final["best"].iloc[0])
    return _timeline_chart(
        ledger, "death-toll-timeline", points, _rise_title(ledger, points, "dead", place, best),
        f"Reported totals of the dead in {place}, {_when(ledger)}", best,
    )  # fmt: skip


def detentions_timeline_chart(ledger: Ledger) -> Chart:
    """Every report of the place's count of people detained, over time, by claimant group."""
    place = ledger.place
    points = analysis.toll_timeline(ledger.place_claims, "detained")
    return _timeline_chart(
        ledger, "detentions-timeline", points, _rise_title(ledger, points, "detained", place, None),
        f"Reported totals of people detained in {place}, {_when(ledger)}", None,
    )  # fmt: skip


# --- words ---------------------------------------------------------------------------------------


def _when(ledger: Ledger) -> str:
    if ledger.as_of is not None:
        return f"as known at the start of {ledger.as_of:%-d %b %Y}"
    until = ledger.reported_until
    return f"as reported up to {until:%-d %b %Y}" if until is not None else "with no figures reported"


def _where(ledger: Ledger, scope: str | None) -> str:
    return scope or ledger.scope or "every place in the ledger"


def _total_words(ledger: Ledger, ids: Sequence[str], by_id: pd.DataFrame, status: str) -> str:
    """'238', 'at least 164 (withdrawn)', '42 = 26 'civilians' + 16 security forces (disputed)'."""
    parts = [(analysis.display_value(int(by_id.at[i, "value"]), by_id.at[i, "qualifier"]),
              POPULATIONS[by_id.at[i, "population"]].label) for i in ids]  # fmt: skip
    if len(parts) == 1:
        words = narrative.total_words(ledger, ids[0], 0, False)
    else:
        total = sum(int(by_id.at[i, "value"]) for i in ids)
        words = f"{total:,} = " + " + ".join(" ".join(part) for part in parts)
    return words + _status_suffix(status)


def _day(date) -> str:
    """'14 Mar 2022' with no-break spaces, so a wrapped title keeps a date on one line."""
    return f"{date:%-d}\u00a0{date:%b}\u00a0{date:%Y}"


def _sentence(parts: Sequence[str]) -> str:
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def _status_suffix(status: str) -> str:
    return "" if status == "active" else f" ({narrative.status_word(status)})"


def _gap_title(ledger: Ledger, comparison: pd.DataFrame, by_id: pd.DataFrame, name_place: bool) -> str:
    """The finding of the toll comparison, for the first place both sides counted, compared only
    as far as the figures allow (see :func:`narrative.gap_words`)."""
    if comparison.empty:
        return "No place has death tolls from both officials and the Health Ministry"
    row = comparison.iloc[0]
    health = narrative.total_words(ledger, row["health_ministry_claim_ids"], row["health_ministry_value"],
                                   row["health_ministry_lower_bound"])  # fmt: skip
    parts = analysis.claim_ids([row["official_claim_ids"]])
    official = narrative.total_words(
        ledger, row["official_claim_ids"], row["official_value"], row["official_lower_bound"]
    )
    if len(parts) > 1:  # the project's sum of the officials' parts, shown as a sum
        official = " + ".join(f"{int(by_id.at[i, 'value']):,}" for i in parts) + f" = {official}"
    status = row["health_ministry_status"]
    adjective = "" if status == "active" else narrative.status_word(status) + " "
    where = f"In {row['scope']}, the" if name_place else "The"
    relation = narrative.gap_words(ledger, next(comparison.head(1).itertuples(index=False)))
    if relation is None:  # not comparable: say what each side said
        return f"{where} Health Ministry's {adjective}toll: {health}; officials' latest: {official}"
    return (
        f"{where} Health Ministry's {adjective}toll of {health} was {relation} officials' latest, {official}"
    )


def _latest_figures_title(table: pd.DataFrame, what: str) -> str:
    """'Latest figures: 4,353 injured; 2,678 sought care': each measure's latest standing figure."""
    standing = table[table["status"].isin(["active", "disputed"])]
    if standing.empty:
        return f"No standing figure for people {what}"
    parts = []
    for measure in _by_prominence(standing["measure"])[:3]:
        rows = standing[standing["measure"] == measure]
        everyone = rows[rows["population"] == "all"]
        latest = (everyone if len(everyone) else rows).sort_values(["reported_on", "value"]).iloc[-1]
        who = "" if latest["population"] == "all" else f" {POPULATIONS[latest['population']].label}"
        flag = " (disputed)" if latest["status"] == "disputed" else ""
        parts.append(f"{analysis.display_value(int(latest['value']), latest['qualifier'])}{who} "
                     f"{MEASURES[measure].label} ({_day(latest['reported_on'])}){flag}")  # fmt: skip
    return "Latest figures: " + "; ".join(parts)


def _by_prominence(measures: pd.Series) -> list[str]:
    """Measures with the most claims first; ties in the vocabulary's order."""
    counts = measures.value_counts()
    return sorted(counts.index, key=lambda measure: (-counts[measure], list(MEASURES).index(measure)))


def _rise_title(ledger: Ledger, points: pd.DataFrame, word: str, place: str, best: int | None) -> str:
    """How the most frequent counter's total moved, and whether a withdrawn figure was nearer
    the latest best estimate than that counter's first."""
    standing = points[points["status"] != "retracted"]
    if standing.empty:
        return f"No standing total of people {word} in {place} yet"
    group = standing["claimant_group"].value_counts(sort=True).index[0]
    own = standing[standing["claimant_group"] == group]
    first, last = own.iloc[0], own.iloc[-1]

    def shown(point) -> str:
        return narrative.total_words(ledger, point["claim_ids"], point["value"], point["lower_bound"])

    if len(own) == 1 or first["value"] == last["value"]:
        title = f"{CLAIMANT_GROUPS[group].whose} count of people {word}: {shown(last)}"
    else:
        verb = "rose" if last["value"] > first["value"] else "fell"
        title = f"{CLAIMANT_GROUPS[group].whose} count of people {word} {verb} from {shown(first)} to {shown(last)}"
    withdrawn = points[points["status"] == "retracted"]
    if best is not None and len(withdrawn):
        nearest = min(withdrawn["value"], key=lambda value: abs(value - best))
        if abs(nearest - best) < abs(first["value"] - best):
            title += f"; the withdrawn {int(nearest):,} was nearer the latest best estimate, {best:,}, than their first count"
    return title


def _source_line(ledger: Ledger, claim_ids: Iterable[str]) -> str:
    """The outlets behind a chart, in the order of their first figure; past six, a count."""
    claim_ids = sorted(set(claim_ids))
    if not claim_ids:
        return "Source: no claims in the ledger for this view."
    claims = ledger.claims[ledger.claims["claim_id"].isin(claim_ids)].sort_values(["reported_on", "claim_id"])
    outlets = ledger.sources.set_index("source_id")["outlet"]
    named = list(dict.fromkeys(str(outlets.get(source_id, source_id)) for source_id in claims["source_id"]))
    shown = "; ".join(named[:6]) + (f"; and {len(named) - 6} more" if len(named) > 6 else "")
    return f"Source: {shown}. Every figure is a claim in the report's ledger, listed with its page in the tables."


# --- bar charts ----------------------------------------------------------------------------------


def _claims_chart(ledger: Ledger, name: str, table: pd.DataFrame, what_word: str, what: str, scope) -> Chart:
    """One bar per claim, in one panel per measure, oldest first."""
    many_places = table["scope"].nunique() > 1
    panels = []
    for measure in _by_prominence(table["measure"]):
        rows = table[table["measure"] == measure]
        bars = []
        for row in rows.sort_values(["reported_on", "claim_id"]).itertuples(index=False):
            label = [f"{row.reported_on:%-d %b %Y}", CLAIMANT_GROUPS[row.claimant_group].label]
            if row.population != "all":
                label.append(POPULATIONS[row.population].label)
            if many_places:
                label.append(row.scope)
            bars.append(Bar(
                ", ".join(label),
                (Segment(row.claim_id, int(row.value), row.claimant_group, row.status),),
                analysis.display_value(int(row.value), row.qualifier) + _status_suffix(row.status),
                pd.isna(row.high),
            ))  # fmt: skip
        panels.append((MEASURES[measure].label.capitalize(), bars))
    return _bar_chart(ledger, name, panels, _latest_figures_title(table, what_word), what)


def _bar_chart(ledger: Ledger, name: str, panels, title: str, what: str, share_scale: bool = False) -> Chart:
    """Panels of horizontal bars, each bar's label above it and its value after it."""
    count = sum(len(bars) for _, bars in panels)
    if count > MAX_BARS:
        what += f" (the first {MAX_BARS} of {count:,}; the table lists them all)"
        kept, capped = MAX_BARS, []
        for heading, bars in panels:
            if kept > 0:
                capped.append((heading, bars[:kept]))
                kept -= len(bars[:kept])
        panels = capped
    bars_drawn = [bar for _, bars in panels for bar in bars]
    statuses = {segment.status for bar in bars_drawn for segment in bar.segments}
    keys = [s.bar_key for w, s in STATUSES.items() if s.bar_key and w in statuses]
    if any(bar.lower_bound for bar in bars_drawn):
        keys.append("▸ marks a lower bound (at least, over, dozens)")
    subtitle = what + (". " + _sentence(keys) if keys else "") + "."
    claim_ids = [segment.claim_id for bar in bars_drawn for segment in bar.segments]
    source = _source_line(ledger, claim_ids)
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
        longest = max(bar.total for bar in bars_drawn)
        labels = []
        for ax, (heading, bars) in zip(axes, panels, strict=True):
            labels.append((ax, _draw_bars(ax, bars, longest if share_scale else max(b.total for b in bars))))
            ax.set_title(plain(heading), loc="left", fontweight="bold", fontsize=LABEL_SIZE + 1, pad=4)
        freeze(fig)
        for ax, drawn in labels:
            _make_room_for(ax, drawn)
        if share_scale:  # one scale for every panel: the widest any of them needs
            right = max(ax.get_xlim()[1] for ax in axes)
            for ax in axes:
                ax.set_xlim(0, right)
        for ax in axes:  # ticks chosen for the final range, none at its very edge
            right = ax.get_xlim()[1]
            ax.set_xticks([tick for tick in _few_ticks().tick_values(0, right) if 0 <= tick <= right * 0.93])
    return Chart(fig, name, title, subtitle, source, tuple(sorted(set(claim_ids))))


def _draw_bars(ax: Axes, bars: Sequence[Bar], longest: int) -> list:
    """Each bar with its label above and its value after; returns the value labels."""
    values = []
    for index, bar in enumerate(bars):
        top = index * 1.0
        ax.text(0, top, plain(bar.label), va="center", ha="left", fontsize=LABEL_SIZE, color=INK,
                transform=ax.get_yaxis_transform(), in_layout=False)  # fmt: skip
        centre = top + 0.47
        left = 0
        for segment in bar.segments:
            _draw_segment(ax, centre, left, segment)
            left += segment.value
        end = left
        if bar.lower_bound:
            ax.plot(end + longest * 0.015, centre, marker=">", markersize=6, color=INK, clip_on=False)[
                0
            ].set_in_layout(False)
            end += longest * 0.03
        values.append(ax.annotate(plain(bar.value_text), (end, centre), xytext=(4, 0), textcoords="offset points",
                                  va="center", ha="left", fontsize=LABEL_SIZE, color=INK, annotation_clip=False,
                                  in_layout=False))  # fmt: skip
    ax.set_ylim(len(bars) - 0.25, -0.35)  # first bar at the top
    ax.set_yticks([])
    ax.set_xlim(0, longest * 1.05)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.xaxis.set_major_locator(_few_ticks())
    return values


def _few_ticks():
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(nbins=4, integer=True, min_n_ticks=2)


def _make_room_for(ax: Axes, labels: Sequence) -> None:
    """Widen the x range just enough that every value label ends inside the axes.

    A label starting at data x0 (plus an offset of o pixels) with width w fits an axes W pixels
    wide when the range reaches x0 * W / (W - w - o - margin); widths do not depend on the range.
    """
    if not labels:
        return
    renderer = ax.figure.canvas.get_renderer()
    axes_width = ax.get_window_extent(renderer).width
    margin = 10  # pixels: the offset of the label and a little air
    needed = max(
        label.xy[0] * axes_width / max(axes_width - label.get_window_extent(renderer).width - margin, 1)
        for label in labels
    )
    ax.set_xlim(0, max(ax.get_xlim()[1], needed))


def _draw_segment(ax: Axes, y: float, left: int, segment: Segment) -> None:
    colour = CLAIMANT_GROUPS[segment.group].colour
    style: dict[str, object] = {"height": 0.42, "left": left, "linewidth": 1.2}
    if segment.status == "retracted":
        style |= {"color": "none", "edgecolor": colour, "linestyle": (0, (3, 2))}
    elif segment.status == "superseded":
        style |= {"color": "none", "edgecolor": colour, "linestyle": (0, (1, 1.5))}
    elif segment.status == "disputed":
        style |= {"color": colour, "alpha": 0.9, "hatch": "////", "edgecolor": "white"}
    else:
        style |= {"color": colour, "edgecolor": "white"}
    ax.barh(y, segment.value, **style)


# --- timelines -----------------------------------------------------------------------------------

TIMELINE_SPLIT = 21  # days after the first report: the left panel shows the first three weeks


def _timeline_chart(
    ledger: Ledger, name: str, points: pd.DataFrame, title: str, what: str, best: int | None
) -> Chart:
    """Reported figures over time: one colour per claimant group, a line through each group's
    figures that stood when reported, hollow rings for withdrawn ones. Two panels with a break
    mark when the figures span more than three weeks: the first weeks, then the rest."""
    groups = [g for g in CLAIMANT_GROUPS if g in set(points.get("claimant_group", []))]
    keys = [f"{CLAIMANT_GROUPS[g].colour_name}: {CLAIMANT_GROUPS[g].counter}" for g in groups]
    statuses = set(points["status"]) if len(points) else set()
    if "retracted" in statuses:
        keys.append("hollow rings were withdrawn")
    if "disputed" in statuses:
        keys.append("half-filled markers are disputed")
    if len(points) and points["lower_bound"].any():
        keys.append("+ marks a lower bound")
    rounded = _rounded_totals(ledger, points)
    if rounded:
        keys.append("≈ marks a rounded figure (about, nearly)")
    if best is not None:
        keys.append("the dashed line is the latest best estimate")
    subtitle = what + (". " + _sentence(keys) if keys else "") + "."
    claim_ids = analysis.claim_ids(points.get("claim_ids", []))
    source = _source_line(ledger, claim_ids)
    height = header_height(title, subtitle, source) + 3.0
    with house_style():
        fig = Figure(figsize=(WIDTH, height), dpi=SCREEN_DPI)
        FigureCanvasAgg(fig)
        frame(fig, title, subtitle, source)
        if points.empty:
            ax = fig.add_subplot()
            ax.set_axis_off()
            ax.text(0.5, 0.5, "No figures in the ledger.", ha="center", va="center", color=MUTED)
            freeze(fig)
        else:
            labels = _draw_timeline_panels(fig, points, best, rounded)
            freeze(fig)
            _place_labels(fig, labels)
    return Chart(fig, name, title, subtitle, source, tuple(sorted(claim_ids)))


def _rounded_totals(ledger: Ledger, points: pd.DataFrame) -> set[str]:
    """The totals (by claim ids) that are one figure given as 'about' or 'nearly'."""
    rounded = set(ledger.claims.loc[ledger.claims["qualifier"].isin(["about", "nearly"]), "claim_id"])
    return {ids for ids in points.get("claim_ids", []) if ids in rounded}


def _draw_timeline_panels(fig: Figure, points: pd.DataFrame, best: int | None, rounded: set[str]) -> list:
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
    top = max(points["value"].max(), best or 0)
    labels = []
    for ax, (begin, finish) in zip(axes, spans, strict=True):
        labels += _draw_timeline(ax, points[(points["reported_on"] >= begin) & (points["reported_on"] <= finish)], points,
                                 rounded)  # fmt: skip
        ax.set_xlim(begin, finish)
        ax.set_ylim(0, top * 1.18)
        ax.grid(axis="y", color=GRID, linewidth=0.8)
        ax.grid(axis="x", visible=False)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
        ax.yaxis.set_major_locator(_few_ticks())
        days = max((finish - begin).days, 1)
        if days <= 45:  # whole days only: no repeated labels on short spans
            ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(2, round(days / 4))))
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%-d %b"))
        else:
            ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 7) if days > 300 else range(1, 13, 3)))
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
        if best is not None:
            ax.axhline(best, color=MUTED, linestyle=(0, (4, 3)), linewidth=0.9, zorder=1)
    if len(axes) == 2:
        _break_marks(*axes)
    return labels


def _break_marks(left: Axes, right: Axes) -> None:
    """Two short slanted strokes where the time axis is cut, as print charts mark a break."""
    size = 0.018
    for ax, x in ((left, 1.0), (right, 0.0)):
        for dx in (-size * 0.6, size * 0.6):
            ax.plot([x + dx - size / 2, x + dx + size / 2], [-size * 1.6, size * 1.6], transform=ax.transAxes,
                    color=MUTED, linewidth=1.0, clip_on=False)  # fmt: skip
    left.spines["right"].set_visible(False)


def _draw_timeline(ax: Axes, shown: pd.DataFrame, points: pd.DataFrame, rounded: set[str]) -> list:
    """Markers and lines for the points in this panel; returns candidate value labels: one per
    change of a group's value (a repeated 238 is labelled once)."""
    labels = []
    for group, figures in points.groupby("claimant_group", sort=False):
        colour = CLAIMANT_GROUPS[group].colour
        standing = figures[figures["status"] != "retracted"].sort_values("reported_on")
        if len(standing) > 1:
            ax.plot(standing["reported_on"], standing["value"], color=colour, linewidth=1.4, zorder=2)
        previous = None
        ordered = figures.sort_values(["reported_on", "value"])
        for point in ordered.itertuples(index=False):
            in_panel = point.claim_ids in set(shown["claim_ids"])
            style: dict[str, object] = {
                "marker": "o",
                "markersize": 6.5,
                "color": colour,
                "zorder": 3,
                "linestyle": "none",
            }
            if point.status == "retracted":
                style |= {"markerfacecolor": "white", "markeredgewidth": 1.5}
            elif point.status == "disputed":
                style |= {"fillstyle": "left", "markerfacecoloralt": "white"}
            else:
                style |= {"markeredgecolor": "white", "markeredgewidth": 0.8}
            text = f"{'≈' if point.claim_ids in rounded else ''}{int(point.value):,}{'+' if point.lower_bound else ''}"
            if in_panel:
                ax.plot([point.reported_on], [point.value], **style)
                if int(point.value) != previous:
                    labels.append(ax.annotate(text, (point.reported_on, point.value), xytext=(0, 7),
                                              textcoords="offset points", ha="center", va="bottom",
                                              fontsize=LABEL_SIZE - 0.5, color=colour, fontweight="bold",
                                              annotation_clip=False, in_layout=False))  # fmt: skip
            previous = int(point.value)
    return labels


# Where a value label may go, in points from its marker, in order of preference.
LABEL_OFFSETS = ((0, 7, "center", "bottom"), (0, -8, "center", "top"), (8, 0, "left", "center"),
                 (-8, 0, "right", "center"), (0, 20, "center", "bottom"), (0, -21, "center", "top"))  # fmt: skip


def _marker_boxes(fig: Figure) -> list:
    """The drawn markers, as boxes in pixels: labels must not cover them either."""
    from matplotlib.transforms import Bbox

    boxes = []
    for ax in fig.axes:
        for line in ax.lines:
            if line.get_marker() in (None, "None", "") or not len(line.get_xdata()):
                continue
            radius = line.get_markersize() * fig.dpi / 72 / 2 + 1
            for x, y in ax.transData.transform(line.get_xydata()):
                boxes.append(Bbox.from_extents(x - radius, y - radius, x + radius, y + radius))
    return boxes


def _place_labels(fig: Figure, labels: list) -> None:
    """Move each value label to the first spot where it overlaps no placed label and stays in
    the figure; a label with no free spot is hidden (the table beside the chart lists it)."""
    renderer = fig.canvas.get_renderer()
    bounds = fig.bbox
    candidates = set(map(id, labels))
    placed = _marker_boxes(fig) + [
        t.get_window_extent(renderer) for t in drawn_texts(fig) if id(t) not in candidates
    ]
    for label in labels:
        for dx, dy, ha, va in LABEL_OFFSETS:
            label.set_position((dx, dy))  # offset points (textcoords)
            label.set_ha(ha)
            label.set_va(va)
            box = label.get_window_extent(renderer)
            inside = box.x0 >= bounds.x0 and box.x1 <= bounds.x1 and box.y1 <= bounds.y1
            if inside and not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
        else:
            label.set_visible(False)
