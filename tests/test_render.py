"""Rendering end to end: notebooks executed by papermill, published as offline HTML, figures and
tables; skipped when nothing changed; a failure leaves the published report as it was.

The tests here read the default set of the render every test shares, or a copy of it;
test_render_sets.py reads its other parameter sets, test_render_processes.py runs renders as
processes and breaks them."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from casualty_report.content.charts.style import save_figure
from casualty_report.errors import RenderError
from casualty_report.ledger.load import load_ledger
from casualty_report.parameters import defaults
from casualty_report.publishing import pages
from casualty_report.publishing.notebooks import find_notebooks
from casualty_report.publishing.render import render
from casualty_report.publishing.site import describe_parameters
from tests import drawing

from .conftest import FIXTURES, TINY_NOTEBOOKS, broken_tiny_notebooks, copy_reports

NOTEBOOK_NAMES = [
    "01-build-claim-tables",
    "02-compare-death-tolls",
    "03-chart-injuries-and-arrests",
    "04-trace-figures-over-time",
    "05-check-the-first-report",
]
FIGURES = ["death-tolls", "injuries", "arrests", "steps", "death-toll-timeline", "detentions-timeline"]
TABLES = [
    "casualties",
    "injuries",
    "arrests",
    "justice",
    "sources",
    "death-toll-comparison",
    "detention-to-sentence",
    "estimates",
    "death-toll-timeline",
    "detentions-timeline",
    "corrections",
]


TODAY = dt.datetime.now(dt.UTC).date().isoformat()


def tree(directory: Path) -> dict[str, str]:
    """Every file under a folder, with its content hash."""
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def test_a_run_publishes_pages_notebooks_figures_and_tables(published):
    assert published.name == f"default-{TODAY}"
    assert sorted(tree(published)) == sorted(
        [f"{name}.html" for name in NOTEBOOK_NAMES]
        + [f"notebooks/{name}.ipynb" for name in NOTEBOOK_NAMES]
        + [f"figures/{name}.{fmt}" for name in FIGURES for fmt in ("png", "svg")]
        + [
            f"figures/{name}-phone.png" for name in ("death-toll-timeline", "detentions-timeline")
        ]  # for phones
        + [f"tables/{name}.csv" for name in TABLES]
        + ["index.html", "manifest.json", "datapackage.json"]
        + ["changes.html", "changes.json", "findings.json"]  # what changed since the last run (issue 21)
        + [f"ledger/{name}" for name in ("claims.csv", "sources.csv", "dataset.yml")]  # compared next time
    )


def test_published_tables_hold_the_ledgers_figures(published, ledger):
    casualties = pd.read_csv(published / "tables" / "casualties.csv")
    assert len(casualties) == (ledger.claims["measure"] == "deaths").sum()
    assert casualties["claim_id"].head(3).tolist() == ["R34a", "R29a", "R35a"]  # nation first, largest first
    comparison = pd.read_csv(published / "tables" / "death-toll-comparison.csv").set_index("scope")
    # The ministry's last toll (18 Jan 2022) against officials' 225 as known that day (15 Jan).
    national = comparison.loc["Kazakhstan"]
    assert national[["official_value", "health_ministry_value", "difference"]].tolist() == [225, 227, 2]
    assert (national["basis"], national["compared_on"]) == ("same day", "2022-01-18")
    corrections = pd.read_csv(published / "tables" / "corrections.csv").set_index("claim_id")
    assert corrections.loc["A08", "what_other_reporting_shows"].endswith(
        "Kazakhstan, not Almaty; detained, not arrested"
    )
    estimates = pd.read_csv(published / "tables" / "estimates.csv")
    final = estimates[
        (estimates["measure"] == "deaths")
        & (estimates["population"] == "all")
        & (estimates["scope"] == "Kazakhstan")
    ].iloc[-1]
    assert (final["date"], final["best"], final["claim_ids"]) == (
        "2023-03-17",
        238,
        "R37a R38a R46a",
    )
    assert (published / "tables" / "injuries.csv").read_bytes().endswith(b"\n")
    assert b"\r\n" not in (published / "tables" / "injuries.csv").read_bytes()


def test_published_figures_are_exactly_what_the_package_draws(published, tmp_path):
    """The notebook's kernel and this process draw byte-identical files, all six figures."""
    ledger = load_ledger()
    for stem, chart in (
        ("death-tolls", drawing.death_tolls),
        ("injuries", drawing.injuries),
        ("arrests", drawing.arrests),
        ("steps", drawing.steps),
        ("death-toll-timeline", drawing.toll_timeline),
        ("detentions-timeline", drawing.detentions_timeline),
    ):
        for path in save_figure(chart(ledger), tmp_path, stem, ["png", "svg"]):
            assert (published / "figures" / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_a_page_is_its_published_notebook_exported(published, name):
    """Exported again here by a new exporter, the published notebook gives the published page byte
    for byte: the render's workers keep one exporter for every page they export (pages.py), and
    nothing of one page may carry into the next."""
    pages._exporter.cache_clear()
    notebook = nbformat.read(published / "notebooks" / f"{name}.ipynb", as_version=4)
    siblings = sorted((published / "notebooks").glob("[0-9][0-9]-*.ipynb"))  # same names and titles
    exported = pages.export_page(notebook, name, siblings)
    assert exported == (published / f"{name}.html").read_text(encoding="utf-8")


def test_pages_link_their_neighbours_and_sections(published):
    page = (published / "02-compare-death-tolls.html").read_text(encoding="utf-8")
    assert (
        '<a href="01-build-claim-tables.html" rel="prev">Previous: Every figure, claim by claim</a>' in page
    )
    assert 'rel="next">Next: Injured, detained, sentenced: counts that do not add up</a>' in page
    assert '<a href="#How-far-apart-are-the-two-counts?">How far apart are the two counts?</a>' in page
    assert "<title>Officials against the other count: how many died?</title>" in page
    assert (
        'figures/death-tolls.svg">SVG</a>) and the figures it draws '
        '(<a href="tables/death-toll-comparison.csv">' in page
    )


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.links: list[str] = []
        self.images: list[str] = []
        self.text = io.StringIO()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img":
            self.images.append(attrs.get("src", ""))

    def handle_data(self, data):
        self.text.write(data)


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_pages_open_offline_and_hide_code(published, name):
    page = parse(published / f"{name}.html")
    assert page.scripts == []  # no require.js, MathJax or mermaid from a CDN
    assert [link for link in page.links if "//" in link] == []
    assert all(src.startswith("data:image/png;base64,") for src in page.images)
    text = page.text.getvalue()
    assert "load_ledger(" not in text and "import " not in text  # code cells are left out
    # Plumbing cells are tagged remove-cell: they stay in the notebook, not on the page.
    for plumbing in ("Preparation", "output_dir", "A bad ledger stops the run", "## Output", "\nOutput\n"):
        assert plumbing not in text, plumbing
    assert "The code behind these findings is in the report" in text
    notebook = nbformat.read(published / "notebooks" / f"{name}.ipynb", as_version=4)
    assert any(cell.source == "## Preparation" for cell in notebook.cells)  # still there for analysts


def test_pages_show_the_figures_and_tables(published):
    deaths = parse(published / "02-compare-death-tolls.html")
    assert len(deaths.images) == 1
    text = deaths.text.getvalue()
    assert "Officials against the other count: how many died?" in text
    # The ministry's last toll against officials' as known that day, then against the final count.
    assert "As known on 18 January 2022, the Health Ministry's 227 was 2 more than officials' 225" in text
    assert "The Health Ministry's 227 (18 January 2022) was 11 fewer than the final count, 238." in text
    injuries = parse(published / "03-chart-injuries-and-arrests.html")
    assert len(injuries.images) == 3
    assert "Office of the President" in injuries.text.getvalue()
    timeline = parse(published / "04-trace-figures-over-time.html")
    assert len(timeline.images) == 2
    first = parse(published / "05-check-the-first-report.html").text.getvalue()
    assert "Of the 9 figures in the article, none stands as published" in first


class TableParser(HTMLParser):
    """Each table's header texts and, row by row, its cells' ``data-label``s."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, list]] = []
        self.header: list[str] | None = None  # the header cell being read

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append({"headers": [], "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag == "th" and attrs.get("scope") == "col":
            self.header = []
        elif tag == "td":
            self.tables[-1]["rows"][-1].append(attrs.get("data-label"))

    def handle_endtag(self, tag):
        if tag == "th" and self.header is not None:
            self.tables[-1]["headers"].append("".join(self.header).strip())
            self.header = None

    def handle_data(self, data):
        if self.header is not None:
            self.header.append(data)


@pytest.mark.parametrize("page", [f"{name}.html" for name in NOTEBOOK_NAMES] + ["../index.html"])
def test_every_table_cell_names_its_column_for_phones(published, page):
    """report.css shows a row as a card of labelled lines on a phone: the labels must survive the
    page's HTML cleaning and match the header, cell for cell (the site's index of runs too)."""
    parser = TableParser()
    parser.feed((published / page).read_text(encoding="utf-8"))
    assert parser.tables, f"{page} shows no table"
    for table in parser.tables:
        body = [row for row in table["rows"] if row]
        assert body and all(row == table["headers"] for row in body), (table["headers"], body[:2])


def test_the_front_page_is_the_report(published):
    """Title, what the run covers, the article checked, the written findings with their figures
    cited, the charts that carry them, then the pages, sources and downloads."""
    index = (published / "index.html").read_text(encoding="utf-8")
    page = parse(published / "index.html")
    text = page.text.getvalue()
    assert "<h1>Kazakhstan, January 2022: whose casualty figures?</h1>" in index
    assert '<p class="view-title">Every place, every figure to 17 March 2023</p>' in index
    assert (
        "Checking the article: 19FortyFive, Steve Balestrieri, "
        "&ldquo;Forget Ukraine: Is Russia Slowly Taking Control of Kazakhstan?&rdquo;, 9 January 2022."
        in index
    )
    for name in NOTEBOOK_NAMES:
        assert f'<a href="{name}.html">' in index
    # the written findings, in the dataset's order, each figure filled in and cited
    findings = index.split('<ul class="findings">')[1].split("</ul>")[0]
    assert findings.count("<li>") == 5
    assert "The only count of everyone killed that the authorities gave in the first week" in findings
    assert 'The Health Ministry\'s 164<sup class="cite"><a href="#source-1"' in findings
    assert "The official count settled at 238<sup" in findings
    assert '<li id="source-1">TASS, <a href="https://tass.ru/' in index  # the first source cited comes first
    # the two charts that carry the story, not the claim-by-claim bars
    assert page.images == ["figures/death-toll-timeline.png", "figures/detentions-timeline.png"]
    # phones are given the charts drawn for them
    assert (
        '<source media="(max-width: 40rem)" srcset="figures/death-toll-timeline-phone.png" width="360">'
        in index
    )
    assert (published / "figures" / "death-toll-timeline-phone.png").exists()
    assert "Officials' count of people dead rose from 225 to the final count, 238" in index.replace(
        "&#39;", "'"
    )
    for name in FIGURES:
        assert f'<a href="figures/{name}.svg">SVG</a>' in index
    for name in TABLES:
        assert f'<a href="tables/{name}.csv">' in index
    assert '<a href="datapackage.json">the codebook</a>' in index
    assert "How to read the charts and tables." in text
    assert "A withdrawn figure is not necessarily a false one" in text
    manifest = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
    day = dt.date.fromisoformat(TODAY)
    assert f"Rendered on {day.day} {day:%B %Y}" in text
    if manifest["git_commit"]:
        assert manifest["git_commit"][:12] in text
    assert manifest["title"] == "Every place, every figure to 17 March 2023"


def test_manifest_records_what_the_run_used(published):
    manifest = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"] == defaults()  # every parameter, explicitly
    assert len(manifest["inputs_hash"]) == 64
    assert [n["notebook"] for n in manifest["notebooks"]] == [f"{name}.ipynb" for name in NOTEBOOK_NAMES]
    assert all(n["seconds"] > 0 for n in manifest["notebooks"])
    assert manifest["versions"]["pandas"] == pd.__version__


def test_published_notebooks_carry_no_timestamps(published):
    notebook = nbformat.read(published / "notebooks" / "02-compare-death-tolls.ipynb", as_version=4)
    assert "papermill" not in notebook.metadata
    assert all("execution" not in cell.metadata for cell in notebook.cells)


def test_an_unchanged_run_is_skipped(shared_reports, tmp_path):
    """(A forced run over a published one is in test_faults.py; that two renders of the same
    inputs are byte-identical, in test_parameters.py.)"""
    published = copy_reports(shared_reports, tmp_path / "reports") / f"default-{TODAY}"
    before = tree(published)
    assert render(published.parent, log=lambda _: None).skipped
    assert tree(published) == before


def test_a_change_to_any_layer_of_the_package_is_a_change_to_the_run():
    """A run's fingerprint hashes every file of the package, every layer (the ledger, the content,
    publishing, the root and the templates), so an edit to a chart or a sentence renders again
    instead of keeping the stale report. (After the package moved into folders, it hashed the
    publishing folder alone.)"""
    from casualty_report.paths import PACKAGE_DIR
    from casualty_report.publishing.fingerprint import input_files

    hashed = {path.resolve() for path in input_files([], defaults())}
    code = {path.resolve() for path in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in path.parts}
    assert len(code) > 40 and code <= hashed
    for part in (
        "content/analysis.py",
        "ledger/load.py",
        "conventions.py",
        "publishing/templates/site/run.html.j2",
    ):
        assert (PACKAGE_DIR / part).resolve() in hashed, part


def test_a_failing_notebook_keeps_the_previous_report(shared_tiny_reports, tmp_path):
    published = copy_reports(shared_tiny_reports, tmp_path / "reports") / f"default-{TODAY}"
    before = tree(published)
    broken = broken_tiny_notebooks(tmp_path / "broken", 'raise RuntimeError("the ledger went missing")')

    with pytest.raises(RenderError) as caught:
        render(published.parent, notebooks=find_notebooks(broken), force=True, jobs=1, log=lambda _: None)
    message = str(caught.value)
    assert "02-say-when.ipynb failed in cell 4 with RuntimeError: the ledger went missing" in message
    failed = published.parent / "failed" / "default" / "02-say-when.ipynb"
    assert failed.exists() and "the ledger went missing" in failed.read_text(encoding="utf-8")
    assert tree(published) == before
    assert not [p for p in published.parent.iterdir() if ".staging-" in p.name]

    # The next good run clears the failure.
    render(published.parent, notebooks=find_notebooks(TINY_NOTEBOOKS), force=True, jobs=1, log=lambda _: None)
    assert not failed.parent.exists()


def test_the_site_index_says_what_each_set_covers_in_words(shared_reports):
    """Each event's sets by what they cover, as a reader reads it: no set's slug, no defaults,
    no folder paths."""
    index = (shared_reports / "index.html").read_text(encoding="utf-8")
    kazakhstan = index.split("<h3")[1]
    assert "Kazakhstan, January 2022: whose casualty figures?</h3>" in kazakhstan
    assert '<a href="latest/default/index.html">Every place, every figure to 17 March 2023</a>' in kazakhstan
    assert ">Almaty, every figure to 5 January 2023</a>" in kazakhstan
    assert ">As known at the start of 10 January 2022, the day after the article</a>" in kazakhstan
    assert "Exampleland, March 2031 (a fictional test event)</h3>" in index.split("<h3")[2]
    for slug in (">default<", ">scope-almaty<", ">as-of-2022-01-10<", ">exampleland<", f"-{TODAY}<"):
        assert slug not in index, slug
    assert "figure_formats" not in index and "data_dir" not in index and str(FIXTURES) not in index
    assert describe_parameters({"as_of": "10/01/2022", "figure_formats": ["png"]}) == (
        "every place; as known at the start of 10/01/2022; figure formats png"  # a refused set's, as given
    )


def test_index_and_latest_after_success_and_failure(shared_reports, tmp_path):
    out = copy_reports(shared_reports, tmp_path / "reports")
    assert os.readlink(out / "latest" / "default") == f"../default-{TODAY}"
    before = (out / "latest" / "default" / "manifest.json").read_bytes()
    broken = broken_tiny_notebooks(tmp_path / "broken", "1 / 0")
    with pytest.raises(RenderError):
        render(out, notebooks=find_notebooks(broken), force=True, jobs=1, log=lambda _: None)
    assert (out / "latest" / "default" / "manifest.json").read_bytes() == before  # still the good run
    history = [json.loads(line) for line in (out / "history.jsonl").read_text().splitlines()]
    assert history[-1]["status"] == "failed" and history[-1]["set"] == "default"
    assert "ZeroDivisionError" in history[-1]["error"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="latest/default/index.html">Every place, every figure to 17 March 2023</a>' in index
    # the set's headline: its first written finding's lead
    assert "The only count of everyone killed that the authorities gave in the first week" in index
    first_row = index.split('<tbody role="rowgroup">')[1].split("</tr>")[0]
    assert "Every place" in first_row  # newest first
    assert 'data-label="Event">Kazakhstan, January 2022</td>' in first_row  # from the set's latest run
    # Readers are told the run was not published and why, in words; the error (a notebook's file
    # name, its cell, a path on the machine) is for maintainers: the history and the log.
    assert 'data-label="Outcome">not published: a page of it could not be built</td>' in first_row
    assert "ipynb" not in index and "ZeroDivisionError" not in index and str(out) not in index
    assert 'href="failed/' not in index  # the site never carries the failed notebooks


def test_adding_a_claim_gives_a_changes_page_naming_it_and_a_feed_entry(tmp_path):
    """issue 21: each run keeps the ledger it was rendered from; the next run of the set says
    what changed since, in words with the page it was read in, and reports/feed.xml (Atom, parsed
    by feedparser) gets an entry for it. The first run says it is the first."""
    import csv

    import feedparser

    from casualty_report.publishing import changes

    data = shutil.copytree(FIXTURES / "exampleland-2031", tmp_path / "exampleland")
    out = tmp_path / "reports"

    def render_on(day: dt.date):
        notebooks = find_notebooks(TINY_NOTEBOOKS)
        return render(
            out,
            {"data_dir": str(data)},
            name="example",
            notebooks=notebooks,
            jobs=1,
            log=lambda _: None,
            today=day,
        )

    first = render_on(dt.date(2031, 3, 20))
    assert changes.read(first.directory)["first"] is True
    assert "first published run of this report" in (first.directory / "changes.html").read_text(
        encoding="utf-8"
    )

    with (data / "claims.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    added = dict(
        rows[0],
        claim_id="X99",
        value="4321",
        status="active",
        superseded_by="",
        status_since="",
        status_source_id="",
        corrected_by="",
        qualifier="exact",
        note="A figure added for the test.",
    )
    with (data / "claims.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n").writerow(added)
    second = render_on(dt.date(2031, 3, 21))
    said = changes.read(second.directory)
    assert said["previous"] == first.directory.name and [c["kind"] for c in said["changes"]] == ["added"]
    page = (second.directory / "changes.html").read_text(encoding="utf-8")
    assert "Figures added" in page and "4,321" in page and "X99" not in page  # words, never ids
    assert "since 20 March 2031" in (second.directory / "index.html").read_text(encoding="utf-8")

    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert [entry.link for entry in feed.entries] == [
        f"{second.directory.name}/changes.html",
        f"{first.directory.name}/changes.html",
    ]
    assert "1 figure added" in feed.entries[0].title and "4,321" in feed.entries[0].summary
    assert '<link rel="alternate" type="application/atom+xml"' in (out / "index.html").read_text(
        encoding="utf-8"
    )


def test_changes_say_a_figure_disputed_a_value_corrected_a_source_added(tmp_path):
    from casualty_report.publishing import changes

    before, after = tmp_path / "before", tmp_path / "after"
    for run in (before, after):
        shutil.copytree(FIXTURES / "exampleland-2031", run / changes.SNAPSHOT)
    claims = after / changes.SNAPSHOT / "claims.csv"
    lines = claims.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    second = lines[2].split(",")  # E02, standing: officials' 9 civilians
    second[header.index("status")] = "disputed"
    second[header.index("value")] = "10"
    claims.write_text("\n".join([*lines[:2], ",".join(second), *lines[3:]]) + "\n", encoding="utf-8")
    # A new source, cited by the changed claim: only a cited source is in the view.
    sources = after / changes.SNAPSHOT / "sources.csv"
    first_source = sources.read_text(encoding="utf-8").splitlines()[1].split(",")
    added = ["F99", "Exampleland Herald (fictional)", "A new page", *first_source[3:]]
    sources.write_text(sources.read_text(encoding="utf-8") + ",".join(added) + "\n", encoding="utf-8")
    second[header.index("source_id")] = "F99"
    claims.write_text("\n".join([*lines[:2], ",".join(second), *lines[3:]]) + "\n", encoding="utf-8")

    said = changes.compare(before, after, {})
    kinds = [change["kind"] for change in said["changes"]]
    assert kinds == ["status", "corrected", "source"], said
    assert "now disputed (it stood before)" in said["changes"][0]["words"]
    assert (
        said["changes"][1]["words"].startswith("10 'civilians' dead in Exampleland")
        and "(was 9)" in said["changes"][1]["words"]
    )
    assert said["changes"][2]["words"] == "Exampleland Herald (fictional), “A new page”"
    assert changes.summary(said) == "1 figure's standing changed, 1 figure corrected, 1 source added"


def test_a_second_run_the_same_day_compares_with_the_run_before_it(tmp_path):
    """The run of the day replaces the day's earlier run: what changed is still said against
    the last run of an earlier day, not against the run it replaces."""
    from casualty_report.publishing import changes

    data = shutil.copytree(FIXTURES / "exampleland-2031", tmp_path / "exampleland")
    out = tmp_path / "reports"
    options = {
        "name": "example",
        "notebooks": find_notebooks(TINY_NOTEBOOKS),
        "jobs": 1,
        "log": lambda _: None,
    }
    first = render(out, {"data_dir": str(data)}, today=dt.date(2031, 3, 20), **options)
    text = (data / "claims.csv").read_text(encoding="utf-8")
    (data / "claims.csv").write_text(
        text.replace("Invented: officials' first count of civilians.", "Invented: edited."), encoding="utf-8"
    )
    render(out, {"data_dir": str(data)}, today=dt.date(2031, 3, 21), **options)
    (data / "claims.csv").write_text(
        text.replace(",active,,,,,F01,para 2,", ",disputed,,,,,F01,para 2,", 1), encoding="utf-8"
    )
    again = render(out, {"data_dir": str(data)}, today=dt.date(2031, 3, 21), force=True, **options)
    said = changes.read(again.directory)
    assert said["previous"] == first.directory.name, said
