"""The house style every chart shares, and what a drawn chart carries with it.

FT / Economist / OWID conventions: a left-aligned title that states the finding, a subtitle that
says what is counted, where and as of when and decodes the marks, a source line naming the
outlets, comma thousands, direct labels instead of legends, the Okabe-Ito colour-blind-safe
palette by claimant group. Charts are 6 inches wide with large type, so they stay readable
when a phone shows them about 360 px wide.

Figures are built with ``matplotlib.figure.Figure`` rather than pyplot, so nothing depends on
the global backend; files are saved byte-for-byte reproducibly by :func:`save_figure`.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import matplotlib.style
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from PIL import Image

from casualty_report.conventions import CHART_METADATA

# The claimant groups' colours are in vocabulary.CLAIMANT_GROUPS.
INK = "#1a1a1a"
MUTED = "#5f5f5f"
GRID = "#dcdcdc"

WIDTH = 6.0  # inches: 600 px on a page, 900 px in the PNG file
#: A phone's chart: 360 px wide on a 390 px screen, so the same type sizes stay at least 11 px.
PHONE_WIDTH = 3.6
_width = [WIDTH]  # the width charts are drawn at now: WIDTH, or PHONE_WIDTH inside phone_size()


def chart_width() -> float:
    """The width, in inches, charts are being drawn at."""
    return _width[-1]


@contextlib.contextmanager
def phone_size():
    """Draw charts for a phone's screen inside this block: narrower, the type the same size."""
    _width.append(PHONE_WIDTH)
    try:
        yield
    finally:
        _width.pop()


FIGSIZE = (WIDTH, 4.4)
SCREEN_DPI = 100
FILE_DPI = 150  # 900 px wide files: sharp at 1.5x, light enough to embed in a page
TITLE_SIZE, TEXT_SIZE, LABEL_SIZE, SOURCE_SIZE = 14, 11, 10.5, 9
WRAP_TITLE, WRAP_TEXT, WRAP_SOURCE = 52, 74, 84  # characters per line at those sizes and this width

#: No dates or versions in the files: the same chart gives the same bytes.
FILE_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "Creator": None, "Producer": None},
}

HOUSE_STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: the same glyphs on every machine
    "font.size": TEXT_SIZE,
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
    "xtick.labelsize": LABEL_SIZE,
    "ytick.color": MUTED,
    "ytick.labelsize": LABEL_SIZE,
    "ytick.major.size": 0,
    "svg.hashsalt": "casualty-report",  # stable element ids in SVG output
    "svg.fonttype": "path",
}


@dataclass(frozen=True)
class Chart:
    """A drawn chart and the words that go with it wherever it is shown.

    In a notebook it displays as a PNG carrying its alt text (the page template writes it into
    ``<img alt>``); its plain-text form is that alt text, so nbval compares words, not an
    object's address. :func:`save_figure` writes its files.
    """

    figure: Figure
    name: str  # the file stem: figures/<name>.png
    title: str  # the finding, stated
    subtitle: str  # what is counted, where, as of when, and how to read the marks
    source: str  # the outlets behind the figures
    claim_ids: tuple[str, ...] = ()
    data: str = ""  # the run's table of the figures it draws: tables/<data>.csv ("" when none)
    phone: Chart | None = None  # the same chart drawn for a phone's screen, where there is one

    @property
    def alt_text(self) -> str:
        return f"Chart: {self.title}. {self.subtitle}"

    @cached_property
    def png(self) -> bytes:
        """The PNG file's bytes, drawn once: shown inline and written to disk alike. Drawn as raw
        pixels, not as a PNG to decode again: the same pixels, a compression pass fewer."""
        buffer = io.BytesIO()
        with house_style():
            self.figure.savefig(buffer, format="rgba", dpi=FILE_DPI)
        # The width is whole (WIDTH inches at FILE_DPI); the height is read off the buffer, since
        # inches times dpi can land a hair under a whole pixel that Agg still draws.
        raw, width = buffer.getvalue(), round(self.figure.get_figwidth() * FILE_DPI)
        height, remainder = divmod(len(raw), 4 * width)
        if remainder:
            raise ValueError(f"chart {self.name}: {len(raw)} bytes of RGBA are not rows {width} pixels wide")
        return palette_png(Image.frombuffer("RGBA", (width, height), raw))

    def _repr_mimebundle_(self, include=None, exclude=None):
        width = round(self.figure.get_figwidth() * SCREEN_DPI)
        data = {"image/png": base64.b64encode(self.png).decode("ascii"), "text/plain": self.alt_text}
        words = {
            "name": self.name,
            "title": self.title,
            "subtitle": self.subtitle,
            "source": self.source,
            "figures": len(self.claim_ids),
            "data": self.data,
            "phone": self.phone is not None,
        }
        return data, {"image/png": {"alt": self.alt_text, "width": width}, CHART_METADATA: words}

    def __repr__(self) -> str:
        return self.alt_text


def palette_png(image: Image.Image) -> bytes:
    """The picture as a PNG of at most 256 colours, about a third of the bytes: a chart is a few
    flat colours and their anti-aliased edges (250 to 1,150 colours in the report's charts), and
    pages embed every chart. Maximum coverage keeps the most used colours as drawn, white among
    them: on the report's charts no pixel moved more than 4 levels (median cut, used before,
    moved some by 38) and it takes half the time (test_charts.py pins this). No dithering, so the
    result is the same for the same pixels."""
    buffer = io.BytesIO()
    image.convert("RGB").quantize(
        colors=256, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE
    ).save(buffer, format="PNG")
    return buffer.getvalue()


def house_style():
    """Matplotlib's defaults plus the house style, whatever style the caller has active."""
    return matplotlib.style.context(["default", HOUSE_STYLE])


def plain(text: str) -> str:
    """Ledger text drawn as written: '$' would otherwise start matplotlib's mathtext."""
    return text.replace("$", r"\$")


def save_figure(
    fig: Figure | Chart, directory: Path, stem: str | None = None, formats: Sequence[str] = ("png", "svg")
) -> list[Path]:
    """Write a figure as ``stem.<format>`` files, byte-identical for identical inputs (a chart's
    stem defaults to its name)."""
    chart = fig if isinstance(fig, Chart) else None
    if isinstance(fig, Chart):
        stem, fig = stem or fig.name, fig.figure
    if stem is None:
        raise ValueError("a bare Figure needs a file stem")
    unknown = set(formats) - set(FILE_METADATA)
    if unknown:
        raise ValueError(f"unknown figure format(s) {', '.join(sorted(unknown))}: use png, svg or pdf")
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    with house_style():
        for fmt in formats:
            path = directory / f"{stem}.{fmt}"
            if chart is not None and fmt == "png":
                path.write_bytes(chart.png)  # the bytes the notebook showed
            else:
                fig.savefig(path, format=fmt, dpi=FILE_DPI, metadata=FILE_METADATA[fmt])
            paths.append(path)
    if chart is not None and chart.phone is not None:  # the pages offer it to phones, whatever the formats
        phone = directory / f"{stem}-phone.png"
        phone.write_bytes(chart.phone.png)
        paths.append(phone)
    return paths


def header_lines(title: str, subtitle: str, source: str) -> tuple[list[str], list[str], list[str]]:
    return (
        wrapped(title, WRAP_TITLE, TITLE_SIZE, "bold"),
        wrapped(subtitle, WRAP_TEXT, TEXT_SIZE - 0.5),
        wrapped(source, WRAP_SOURCE, SOURCE_SIZE),
    )


def wrapped(text: str, chars: int, size: float, weight: str = "normal") -> list[str]:
    """The text's lines at ``chars`` characters a line, or fewer where a line would still run
    past the figure's right margin at the screen's or the file's resolution: hinted glyphs are
    not proportionally wider at every resolution, and a title that fit at 100 dpi was cut off
    in the 150-dpi file pages show."""
    font = FontProperties(family=HOUSE_STYLE["font.family"], size=size, weight=weight)
    lines = textwrap.wrap(text, chars)
    while chars > 20 and not all(_fits(line, font) for line in lines):
        chars -= 1
        lines = textwrap.wrap(text, chars)
    return lines


def _fits(line: str, font: FontProperties) -> bool:
    """Whether the line, drawn from the left margin, ends before the right one (0.5%)."""
    for dpi in (SCREEN_DPI, FILE_DPI):
        width, _, _ = _measurer(dpi).get_text_width_height_descent(line, font, ismath=False)
        if width > (1 - 0.02 - 0.005) * chart_width() * dpi:
            return False
    return True


@functools.cache
def _measurer(dpi: float) -> RendererAgg:
    return RendererAgg(1, 1, dpi)


def header_height(title: str, subtitle: str, source: str) -> float:
    """Inches the title, subtitle and source line take: charts grow by this much."""
    titles, subtitles, sources = header_lines(title, subtitle, source)
    return 0.25 + 0.27 * len(titles) + 0.2 * len(subtitles) + 0.17 * len(sources) + 0.5


def frame(fig: Figure, title: str, subtitle: str, source: str) -> None:
    """Title, subtitle and source line, placed in inches from the edges whatever the figure's
    height, and a constrained layout for the plot that leaves room for them."""
    height = fig.get_figheight()
    titles, subtitles, sources = header_lines(title, subtitle, source)
    top = 0.18
    left = 0.02
    title_text = plain("\n".join(titles))
    fig.text(
        left, 1 - top / height, title_text, fontsize=TITLE_SIZE, fontweight="bold", va="top", linespacing=1.15
    )
    top += 0.27 * len(titles) + 0.08
    subtitle_text = plain("\n".join(subtitles))
    fig.text(
        left,
        1 - top / height,
        subtitle_text,
        color=MUTED,
        va="top",
        linespacing=1.3,
        fontsize=TEXT_SIZE - 0.5,
    )
    top += 0.2 * len(subtitles) + 0.12
    source_line = plain("\n".join(sources))
    fig.text(
        left, 0.08 / height, source_line, fontsize=SOURCE_SIZE, color=MUTED, va="bottom", linespacing=1.3
    )
    footer = (0.17 * len(sources) + 0.16) / height
    top += 0.12  # air between the words and the plot, where a top tick label may reach
    fig.set_layout_engine(ConstrainedLayoutEngine(rect=(0.0, footer, 1.0, 1.0 - top / height - footer)))


def freeze(fig: Figure) -> None:
    """Lay out once, then freeze: every later draw (inline, PNG, SVG) uses the same geometry.

    The layout engine runs on its own, not inside ``draw_without_rendering``: that also walked
    every artist through a draw that renders nothing (almost half of what freezing cost), and the
    same pictures and files come out either way (the chart hashes and baselines say so). A
    ``ValueError`` from the engine leaves the layout as it was, as matplotlib's own draw does."""
    engine = fig.get_layout_engine()
    if engine is not None:
        with contextlib.suppress(ValueError):
            engine.execute(fig)
    fig.set_layout_engine("none")
    # The layout solver's last bits vary from run to run (its sums follow memory addresses);
    # rounded positions make the files byte-identical, SVG clip ids included.
    for ax in fig.axes:
        left, bottom, width, height = (round(float(value), 5) for value in ax.get_position().bounds)
        ax.set_position((left, bottom, width, height))


def drawn_texts(fig: Figure) -> list[Text]:
    """Every text a reader sees: the figure's words, each axes' titles, texts and annotations,
    and the tick labels inside the axes' range (matplotlib keeps invisible ones beyond it)."""
    texts = [*fig.texts]
    for ax in fig.axes:
        # The left and right titles are private attributes, missing from matplotlib's stubs.
        texts += [ax.title, ax._left_title, ax._right_title, *ax.texts]  # type: ignore[attr-defined]
        if not ax.axison:
            continue
        low, high = sorted(ax.get_xlim())
        texts += [t for t in ax.get_xticklabels() if low <= t.get_position()[0] <= high]
        low, high = sorted(ax.get_ylim())
        texts += [t for t in ax.get_yticklabels() if low <= t.get_position()[1] <= high]
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def overlapping_texts(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of drawn texts whose boxes overlap, and texts that leave the figure (paired with
    "edge"): what a reader would see as a collision or a clipped label. Measured at the screen's
    resolution and at the PNG file's, which pages show: hinted glyphs are not proportionally
    wider at every resolution, and a title that fits at 100 dpi was cut off at 150."""
    found: list[tuple[str, str]] = []
    screen = fig.dpi
    try:
        for dpi in (SCREEN_DPI, FILE_DPI):
            fig.dpi = dpi
            found += [pair for pair in _overlaps_at_this_dpi(fig) if pair not in found]
    finally:
        fig.dpi = screen
    return found


def _overlaps_at_this_dpi(fig: Figure) -> list[tuple[str, str]]:
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # an Agg canvas; stubs: the base
    bounds = fig.bbox
    drawn: list[tuple[str, Bbox]] = []
    for text in drawn_texts(fig):
        drawn.append((text.get_text(), text.get_window_extent(renderer)))
    found = []
    for index, (words, box) in enumerate(drawn):
        if (
            box.x0 < bounds.x0 - 0.5
            or box.x1 > bounds.x1 + 0.5
            or box.y0 < bounds.y0 - 0.5
            or box.y1 > bounds.y1 + 0.5
        ):
            found.append((words, "edge"))
        for other_words, other in drawn[index + 1 :]:
            common = box.intersection(box, other) if box.overlaps(other) else None
            if common is not None and common.width > 0.5 and common.height > 0.5:
                found.append((words, other_words))
    return found


def few_ticks():
    """At most four ticks, whole numbers: enough to read a bar or a point against."""
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(nbins=4, integer=True, min_n_ticks=2)
