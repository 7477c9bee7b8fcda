"""One executed notebook as one published page: plumbing removed, outputs sanitised, HTML out.

What a reader sees is the notebook's story: its Markdown, its generated findings, its tables and
charts. What an analyst needs (parameters, imports, "Output" cells) stays in the notebook and is
removed from the page by the cell tags Jupyter Book uses, read by nbconvert's own
``TagRemovePreprocessor``:

- ``remove-cell``: the whole cell (set-up code, "Preparation", "Output");
- ``remove-input``: the code, keeping what it shows (every code cell's input is hidden anyway);
- ``remove-output``: the output, keeping nothing on the page.

The page's own markup (headings, paragraphs, tables) reaches the browser as HTML. Text from the
ledger was escaped where the package inserted it (``narrative``, ``tables``); as a second line of
defence every HTML and Markdown output is cleaned by nh3 against an allowlist that keeps the
report's markup and drops scripts, event handlers, styles and non-http links. (nbconvert's
``sanitize_html`` escaped the report's own markup: every page showed tags as text.)
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import nh3
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbconvert.preprocessors import TagRemovePreprocessor

from casualty_report.conventions import CHART_METADATA

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

REMOVE_CELL_TAGS = frozenset({"remove-cell", "parameters", "injected-parameters"})
REMOVE_INPUT_TAGS = frozenset({"remove-input"})
REMOVE_OUTPUT_TAGS = frozenset({"remove-output"})

#: The markup a page may carry: what Markdown and the report's tables produce, nothing active.
ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "col",
        "colgroup",
        "dd",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang"},
    "a": {"href"},
    "abbr": {"title"},
    "div": {"tabindex", "role", "aria-label"},  # a scrolling table box is reachable by keyboard
    # Tables carry their roles explicitly (tables.py), and each cell its column's name for phones.
    **{tag: {"role"} for tag in ("table", "thead", "tbody", "tr")},
    "th": {"colspan", "rowspan", "scope", "role"},
    "td": {"colspan", "rowspan", "role", "data-label"},
}
URL_SCHEMES = frozenset({"http", "https"})
#: The outputs a page may show; anything else (JavaScript, widgets, SVG with scripts) is dropped.
PAGE_MIMETYPES = frozenset({"text/plain", "text/html", "text/markdown", "image/png"})


def clean_html(markup: str) -> str:
    """Keep the report's markup, drop anything that could run or load: scripts, styles, event
    handlers, images, and links that are not http(s)."""
    return nh3.clean(
        markup,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
    )


def markdown_to_html(text: str) -> str:
    """Markdown as nbconvert renders it, then cleaned."""
    return clean_html(markdown2html_mistune(text))


def for_readers(notebook):
    """A copy of an executed notebook as a page shows it: tagged plumbing removed, every HTML
    or Markdown output turned into cleaned HTML. The notebook itself is left untouched."""
    page = copy.deepcopy(notebook)
    remover = TagRemovePreprocessor(
        remove_cell_tags=set(REMOVE_CELL_TAGS),
        remove_input_tags=set(REMOVE_INPUT_TAGS),
        remove_all_outputs_tags=set(REMOVE_OUTPUT_TAGS),
        enabled=True,
    )
    page, _ = remover.preprocess(page, {})
    for cell in page.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for kind in set(data) - PAGE_MIMETYPES:  # no script, widget or other active output
                del data[kind]
            if "text/html" in data:
                data["text/html"] = clean_html(_joined(data["text/html"]))
            elif "text/markdown" in data:
                data["text/html"] = markdown_to_html(_joined(data.pop("text/markdown")))
    return page


def export_page(notebook, name: str, siblings: Sequence[Path] = ()) -> str:
    """One self-contained, offline HTML page of an executed notebook, without code, titled by its
    question (its first heading), not its file name; with an "on this page" list of its sections
    and links to the previous and next of ``siblings`` (the run's notebooks, in order)."""
    page = for_readers(notebook)
    previous, following = neighbours(siblings, name)
    resources = {
        "metadata": {"name": page_title(notebook, name)},
        "report": {"contents": contents(page), "previous": previous, "next": following},
    }
    body, _ = _exporter().from_notebook_node(page, resources=resources)
    return body


def page_title(notebook, fallback: str) -> str:
    """The notebook's first ``# `` heading, else ``fallback``."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def contents(page) -> list[tuple[str, str]]:
    """Each section of a page as (anchor, heading): its ``## `` headings, anchored as nbconvert
    anchors them (spaces become '-')."""
    headings = [
        line[3:].strip()
        for cell in page.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("## ")
    ]
    return [(re.sub(r"\s", "-", heading), heading) for heading in headings]


def neighbours(siblings: Sequence[Path], name: str) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """The pages before and after ``name`` among ``siblings`` (notebook paths, in order), as
    (page file, title)."""
    stems = [path.stem for path in siblings]
    if name not in stems:
        return None, None
    at = stems.index(name)

    def page(path: Path) -> tuple[str, str]:
        return f"{path.stem}.html", _title_of(str(path), path.stat().st_mtime_ns)

    return (
        page(siblings[at - 1]) if at > 0 else None,
        page(siblings[at + 1]) if at + 1 < len(siblings) else None,
    )


@functools.lru_cache(maxsize=64)
def _title_of(path: str, _mtime: int) -> str:
    """A notebook file's title, read once per version of the file (a worker exports many pages)."""
    return page_title(nbformat.read(path, as_version=4), Path(path).stem)


def warm_exporter() -> None:
    """Compile the page templates now, in this process: a render calls this before its pool
    forks, so every worker inherits them compiled (a third of a second of CPU each, otherwise
    spent again by each worker on its first page)."""
    _exporter().from_notebook_node(nbformat.v4.new_notebook())


@functools.cache
def _exporter() -> HTMLExporter:
    """One exporter per process, as nbconvert's own command line keeps one for every notebook:
    a new one compiles the templates again, a third of a page's time. Not thread-safe (it keeps
    per-export state); a render warms it in its main thread (:func:`warm_exporter`), then exports
    in forked worker processes, one page at a time each. No
    ``embed_images``: the charts are data URIs already and the cleaning drops Markdown's images,
    so it only parsed and rewrote each page unchanged (half the time of a 10,000-claim page)."""
    return HTMLExporter(
        template_name="offline",
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


@dataclass
class Page:
    """One notebook's page, as the front page presents it."""

    href: str
    title: str
    question: str = ""
    caveat: str = ""
    charts: list[dict[str, str]] = field(default_factory=list)


def read_page(notebook_path: Path, html_name: str, run_dir: Path) -> Page:
    """What the front page needs from one executed notebook."""
    notebook = nbformat.read(notebook_path, as_version=4)
    markdown = [cell for cell in notebook.cells if cell.cell_type == "markdown"]
    lede = markdown[0].source if markdown else ""
    title = next(
        (line[2:].strip() for line in lede.splitlines() if line.startswith("# ")), notebook_path.stem
    )
    page = Page(html_name, title, _paragraph(lede, "The question."), _paragraph(lede, "The main caveat."))
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data, metadata = output.get("data", {}), output.get("metadata", {})
            if CHART_METADATA in metadata and "image/png" in data:
                words = dict(metadata[CHART_METADATA])
                words.setdefault("figures", 2)
                png = run_dir / "figures" / f"{words['name']}.png"
                words["src"] = (
                    f"figures/{png.name}" if png.exists() else f"data:image/png;base64,{data['image/png']}"
                )
                words["alt"] = metadata.get("image/png", {}).get("alt", words["title"])
                phone = run_dir / "figures" / f"{words['name']}-phone.png"
                words["phone_src"] = f"figures/{phone.name}" if words.get("phone") and phone.exists() else ""
                page.charts.append(words)
    return page


def _paragraph(markdown: str, label: str) -> str:
    """The text of the lede paragraph that starts with a bold label, without the label."""
    for paragraph in markdown.split("\n\n"):
        if paragraph.startswith(f"**{label}**"):
            return paragraph.removeprefix(f"**{label}**").strip()
    return ""
