"""Other parameter sets than the defaults: a place, a date, a fictional event, the second real
event, rendered with the defaults in one pool of warm kernels (the shared render,
conftest.SHARED_SETS); and plain papermill on a notebook."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest

from casualty_report.ledger.load import load_ledger
from casualty_report.ledger.vocabulary import CLAIMANT_GROUPS
from casualty_report.paths import REPO_ROOT
from casualty_report.publishing.notebooks import find_notebooks
from casualty_report.publishing.render import render_sets

from .conftest import copy_reports
from .test_render import NOTEBOOK_NAMES, TODAY, parse


@pytest.fixture(scope="module")
def almaty(shared_runs) -> Path:
    return shared_runs["almaty"]


def test_a_parameter_set_gets_its_own_folder(published, almaty):
    assert almaty.name == f"scope-almaty-{TODAY}"
    assert set(pd.read_csv(almaty / "tables" / "casualties.csv")["scope"]) == {"Almaty"}
    assert pd.read_csv(almaty / "tables" / "death-toll-comparison.csv")["scope"].tolist() == ["Almaty"]
    # Every page is about its place: each table with a scope column holds Almaty rows only ...
    for table in sorted((almaty / "tables").glob("*.csv")):
        frame = pd.read_csv(table)
        if "scope" in frame:
            assert set(frame["scope"]) <= {"Almaty"}, table.name  # (the city has no court figures)
    ledger = load_ledger()
    almaty_ids = set(ledger.claims.loc[ledger.claims["scope"] == "Almaty", "claim_id"])
    assert set(pd.read_csv(almaty / "tables" / "corrections.csv")["claim_id"]) <= almaty_ids
    cited = set(ledger.claims.loc[ledger.claims["scope"] == "Almaty", "source_id"])
    assert set(pd.read_csv(almaty / "tables" / "sources.csv")["source_id"]) <= cited | {"S12"}
    # ... and every chart differs from the national one (none is a national chart under a place heading).
    for figure in sorted((published / "figures").glob("*.png")):
        assert (almaty / "figures" / figure.name).read_bytes() != figure.read_bytes(), figure.name
    front = (almaty / "index.html").read_text(encoding="utf-8")
    assert '<p class="view-title">Almaty, every figure to 5 January 2023</p>' in front
    assert "In Almaty, the withdrawn figure was below the city's final count." in front


def test_as_of_renders_the_articles_world(shared_runs):
    then = shared_runs["as_of"]
    assert then.name == f"as-of-2022-01-10-{TODAY}"
    comparison = pd.read_csv(then / "tables" / "death-toll-comparison.csv").set_index("scope")
    # The article's 26 + 16 is a sum of parts: shown beside the 164, never measured against it.
    national = comparison.loc["Kazakhstan"]
    assert national[["official_value", "health_ministry_value"]].tolist() == [42, 164]
    assert pd.isna(national["ratio"]) and pd.isna(national["difference"]) and pd.isna(national["basis"])
    assert "our sum of them, not a toll anyone gave" in national["why_not"]
    page = parse(then / "02-compare-death-tolls.html").text.getvalue()
    assert "As known at the start of 10 January 2022" in page
    corrections = pd.read_csv(then / "tables" / "corrections.csv").set_index("claim_id")
    assert "16 Aug 2022" not in corrections.loc["A01", "what_other_reporting_shows"]  # R35a: not reported yet


def test_a_fictional_event_renders_through_every_notebook_with_no_code_change(shared_runs):
    run = shared_runs["exampleland"]
    pages = [parse(run / f"{name}.html").text.getvalue() for name in NOTEBOOK_NAMES]
    assert all("Exampleland, March 2031 (a fictional test event)" in page for page in pages)
    published_text = " ".join(pages) + " ".join(
        path.read_text(encoding="utf-8") for path in [*run.glob("tables/*.csv"), *run.glob("figures/*.svg")]
    )
    for word in ("Kazakh", "Almaty", "19FortyFive"):
        assert word not in published_text
    comparison = pd.read_csv(run / "tables" / "death-toll-comparison.csv").set_index("scope")
    # The ministry's withdrawn 40 against officials' 9 civilians and 3 security forces of the same
    # day: a sum of parts, not compared.
    assert comparison.loc["Exampleland", ["official_value", "health_ministry_value"]].tolist() == [12, 40]
    assert pd.isna(comparison.loc["Exampleland", "difference"])
    assert "Of the 6 figures in the bulletin" in pages[4]


def test_plain_papermill_works_from_the_repository_root(tmp_path):
    """What ``papermill notebooks/02-compare-death-tolls.ipynb out.ipynb -p scope Almaty`` does
    from the root, through papermill's own function: its command line only parses the arguments
    into this call (a new Python for that cost more than the notebook's run), so the tests do not
    run the ``papermill`` command itself."""
    output = tmp_path / "out.ipynb"
    with contextlib.chdir(REPO_ROOT):
        papermill.execute_notebook(
            "notebooks/02-compare-death-tolls.ipynb",
            str(output),
            parameters={"scope": "Almaty"},
            progress_bar=False,
        )
    executed = nbformat.read(output, as_version=4)
    shown = "".join(
        o.get("data", {}).get("text/markdown", "") for c in executed.cells for o in c.get("outputs", [])
    )
    assert "**Almaty, every figure to 5 January 2023**." in shown


def test_sets_rendered_together_each_get_their_run_and_are_skipped_when_unchanged(
    shared_sets, shared_reports, shared_runs, tmp_path
):
    sets, out = shared_sets, copy_reports(shared_reports, tmp_path / "reports")
    assert sorted(os.listdir(out / "latest")) == sorted(parameter_set.name for parameter_set in sets.values())
    assert all(
        os.readlink(out / "latest" / sets[key].name) == f"../{run.name}" for key, run in shared_runs.items()
    )
    again = render_sets([sets["almaty"], sets["as_of"]], out, jobs=2)
    assert [(result.name, result.status) for result in again] == [
        ("scope-almaty", "skipped"),
        ("as-of-2022-01-10", "skipped"),
    ]


def test_warm_kernels_give_the_outputs_a_fresh_kernel_gives(shared_runs):
    """A render runs notebooks of several sets in each kernel it starts (worker.py). The default
    set, run last in the shared pool, must give the committed notebooks' outputs cell for cell,
    PNGs and their metadata included: a kernel's state left by a notebook of another set (another
    place, another date, another dataset) would show here. The committed outputs were made each
    in a fresh kernel (``make baseline``); nbval checks their text against a fresh kernel on every
    run, and test_charts.py the chart images themselves."""

    def outputs(cells) -> list[list[dict]]:
        # Execution counts aside: the render's injected parameters cell takes one number more.
        return [
            [
                {key: value for key, value in output.items() if key != "execution_count"}
                for output in cell.outputs
            ]
            for cell in cells
            if cell.cell_type == "code" and "injected-parameters" not in cell.metadata.get("tags", [])
        ]

    for notebook in find_notebooks():
        warm = nbformat.read(shared_runs["default"] / "notebooks" / notebook.name, as_version=4)
        committed = nbformat.read(notebook, as_version=4)
        assert outputs(warm.cells) == outputs(committed.cells), notebook.name


SECOND_EVENT = "karakalpakstan-2022-07"


def published_words(run: Path) -> str:
    """Everything a reader of a run can read: its front page, pages, tables and chart drawings."""
    pages = [parse(run / f"{name}.html").text.getvalue() for name in ["index", *NOTEBOOK_NAMES]]
    files = [*run.glob("tables/*.csv"), *run.glob("figures/*.svg")]
    return " ".join(pages) + " ".join(path.read_text(encoding="utf-8") for path in files)


def own_names(dataset: str) -> set[str]:
    """The places and claimants a dataset names."""
    claims = load_ledger(dataset).claims
    return set(claims["scope"]) | set(claims["claimant"])


def test_a_second_real_event_renders_through_every_notebook(shared_runs):
    run = shared_runs["karakalpakstan"]
    front = parse(run / "index.html").text.getvalue()
    assert "Karakalpakstan, July 2022: whose casualty figures?" in front
    assert (
        "Officials' toll rose from 18" in front and "and stayed there." in front
    )  # 18 and 21 cite their pages
    comparison = pd.read_csv(run / "tables" / "death-toll-comparison.csv").set_index("scope")
    # Officials' final 21 against the independent counters' latest: set against the final count.
    row = comparison.loc["Karakalpakstan"]
    assert (row["official_value"], row["official_claim_ids"], row["basis"]) == (21, "K11", "final")
    casualties = pd.read_csv(run / "tables" / "casualties.csv").set_index("claim_id")
    assert casualties.loc["I01", ["value", "low", "high", "qualifier"]].tolist() == [55, 55, 77, "range"]
    page = parse(run / "01-build-claim-tables.html").text.getvalue()
    assert "55–77" in page


def test_no_page_of_one_event_names_the_others_places_or_claimants(shared_runs):
    first, second = own_names("kazakhstan-2022-01"), own_names(SECOND_EVENT)
    # A rights group that counted in both events is no leak, nor is a word of the vocabulary that
    # one ledger also uses as a claimant's name ("Health Ministry").
    shared = first & second | {group.label for group in CLAIMANT_GROUPS.values()}
    pairs = (
        (shared_runs["default"], (second - shared) | {"Karakalpak", "Nukus", "Uzbek"}),
        (shared_runs["karakalpakstan"], (first - shared) | {"Kazakh", "Almaty", "19FortyFive"}),
    )
    for run, foreign in pairs:
        words = published_words(run)
        leaked = sorted(name for name in foreign if name in words)
        assert leaked == [], f"{run.name} names the other event's {leaked}"
