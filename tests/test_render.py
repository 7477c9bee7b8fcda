"""Rendering end to end: notebooks executed by papermill, published as offline HTML, figures and
tables; skipped when nothing changed; a failure leaves the published report as it was."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from casualty_report import charts, load_ledger
from casualty_report.notebooks import find_notebooks
from casualty_report.paths import REPO_ROOT
from casualty_report.render import RenderError, render

NOTEBOOK_NAMES = ["01-build-claim-tables", "02-compare-death-tolls", "03-chart-injuries-and-arrests"]


def tree(directory: Path) -> dict[str, str]:
    """Every file under a folder, with its content hash."""
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    result = render(out, log=lambda _: None)
    assert not result.skipped
    return result.directory


def test_a_run_publishes_pages_notebooks_figures_and_tables(published):
    assert published.name == "default"
    assert sorted(tree(published)) == sorted(
        [f"{name}.html" for name in NOTEBOOK_NAMES]
        + [f"notebooks/{name}.ipynb" for name in NOTEBOOK_NAMES]
        + [f"figures/{name}.{fmt}" for name in ("death-tolls", "injuries", "arrests") for fmt in ("png", "svg")]
        + [f"tables/{name}.csv" for name in ("casualties", "injuries", "arrests", "sources", "death-toll-comparison")]
        + ["index.html", "manifest.json"]
    )


def test_published_tables_hold_the_ledgers_figures(published):
    casualties = pd.read_csv(published / "tables" / "casualties.csv")
    assert casualties["claim_id"].tolist() == ["A01", "A02", "A03", "A04", "A09", "A05"]
    assert casualties["value"].tolist() == [164, 26, 16, 103, 12, 3]
    comparison = pd.read_csv(published / "tables" / "death-toll-comparison.csv").set_index("scope")
    assert comparison.loc["Kazakhstan", ["official_value", "health_ministry_value", "difference"]].tolist() == [
        42, 164, 122,
    ]  # fmt: skip
    assert pd.read_csv(published / "tables" / "arrests.csv")["value"].tolist() == [5800]
    assert (published / "tables" / "injuries.csv").read_bytes().endswith(b"\n")
    assert b"\r\n" not in (published / "tables" / "injuries.csv").read_bytes()


def test_published_figures_are_exactly_what_the_package_draws(published, tmp_path):
    """The notebook's kernel and this process draw byte-identical files."""
    ledger = load_ledger()
    for stem, chart in (("death-tolls", charts.death_toll_chart), ("arrests", charts.arrests_chart)):
        for path in charts.save_figure(chart(ledger), tmp_path, stem, ["png", "svg"]):
            assert (published / "figures" / path.name).read_bytes() == path.read_bytes(), path.name


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
    assert "The code and data behind these findings follow." in text


def test_pages_show_the_figures_and_tables(published):
    deaths = parse(published / "02-compare-death-tolls.html")
    assert len(deaths.images) == 1
    assert "Officials against the Health Ministry: how many died?" in deaths.text.getvalue()
    assert "civilians + security_forces" in deaths.text.getvalue()
    injuries = parse(published / "03-chart-injuries-and-arrests.html")
    assert len(injuries.images) == 2
    assert "Office of the President" in injuries.text.getvalue()


def test_index_links_every_page(published):
    index = (published / "index.html").read_text(encoding="utf-8")
    for name in NOTEBOOK_NAMES:
        assert f'<a href="{name}.html">{name}</a>' in index


def test_manifest_records_what_the_run_used(published):
    manifest = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"] == {}
    assert len(manifest["inputs_hash"]) == 64
    assert [n["notebook"] for n in manifest["notebooks"]] == [f"{name}.ipynb" for name in NOTEBOOK_NAMES]
    assert all(n["seconds"] > 0 for n in manifest["notebooks"])
    assert manifest["versions"]["pandas"] == pd.__version__


def test_published_notebooks_carry_no_timestamps(published):
    notebook = nbformat.read(published / "notebooks" / "02-compare-death-tolls.ipynb", as_version=4)
    assert "papermill" not in notebook.metadata
    assert all("execution" not in cell.metadata for cell in notebook.cells)


def test_an_unchanged_run_is_skipped_and_a_forced_one_is_identical(published):
    before = tree(published)
    assert render(published.parent, log=lambda _: None).skipped
    assert not render(published.parent, force=True, log=lambda _: None).skipped
    after = tree(published)
    changed = sorted(name for name in before if before[name] != after[name])
    assert changed == ["manifest.json"]  # only the timings differ


def test_a_failing_notebook_keeps_the_previous_report(published, tmp_path):
    before = tree(published)
    broken = nbformat.read(find_notebooks()[1], as_version=4)
    broken.cells.insert(6, nbformat.v4.new_code_cell('raise RuntimeError("the ledger went missing")'))
    broken_path = tmp_path / "02-compare-death-tolls.ipynb"
    nbformat.write(broken, broken_path)

    with pytest.raises(RenderError) as caught:
        render(published.parent, notebooks=[find_notebooks()[0], broken_path], force=True, log=lambda _: None)
    message = str(caught.value)
    assert "02-compare-death-tolls.ipynb failed in cell" in message
    assert "RuntimeError: the ledger went missing" in message
    failed = published.parent / "default.failed" / "02-compare-death-tolls.ipynb"
    assert failed.exists() and "the ledger went missing" in failed.read_text(encoding="utf-8")
    assert tree(published) == before
    assert not [p for p in published.parent.iterdir() if ".staging-" in p.name]

    render(published.parent, force=True, log=lambda _: None)  # the next good run clears the failure
    assert not failed.parent.exists()


def test_a_parameter_set_gets_its_own_folder(published):
    almaty = render(published.parent, {"scope": "Almaty"}, log=lambda _: None).directory
    assert almaty.name == "scope-almaty"
    assert set(pd.read_csv(almaty / "tables" / "casualties.csv")["scope"]) == {"Almaty"}
    assert pd.read_csv(almaty / "tables" / "death-toll-comparison.csv")["scope"].tolist() == ["Almaty"]


def test_plain_papermill_works_from_the_repository_root(tmp_path):
    output = tmp_path / "out.ipynb"
    result = subprocess.run(
        [Path(sys.executable).parent / "papermill", "notebooks/02-compare-death-tolls.ipynb", str(output),
         "-p", "scope", "Almaty", "--no-progress-bar"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    executed = nbformat.read(output, as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert "claims about Almaty" in printed
