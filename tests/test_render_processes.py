"""Renders as processes, as cron and people run them: killed mid-run, two at once, a failing
cell; each leaves the published report intact and says what happened."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from casualty_report.notebooks import find_notebooks
from casualty_report.paths import REPO_ROOT

from .conftest import copy_reports, explain
from .test_render import TODAY, tree


def cli(*args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "casualty_report", *args], cwd=REPO_ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True, **popen,
    )  # fmt: skip


def test_sigkill_during_a_forced_render_leaves_the_report_and_the_next_run_succeeds(shared_reports, tmp_path):
    out = copy_reports(shared_reports, tmp_path / "reports")
    published = out / f"default-{TODAY}"
    before = tree(published)

    victim = cli("render", "--out", str(out), "--force")
    deadline = time.monotonic() + 120
    while not list(out.glob(f".default-{TODAY}.staging-*/notebooks/*.ipynb")):  # mid-run: a notebook is done
        assert time.monotonic() < deadline and victim.poll() is None
        time.sleep(0.05)
    os.killpg(victim.pid, signal.SIGKILL)  # the render, its workers and their kernels
    victim.wait(timeout=30)

    assert tree(published) == before
    assert list(out.glob(".*.staging-*"))  # the killed run's leftovers…
    again = cli("render", "--out", str(out), "--force")
    assert again.wait(timeout=300) == 0, explain(again.stderr.read(), out)
    assert not list(out.glob(".*.staging-*"))  # …cleared by the next run, with no manual step
    assert sorted(tree(published)) == sorted(before)


def test_two_concurrent_renders_publish_one_intact_report(tmp_path):
    out = tmp_path / "reports"
    first, second = cli("render", "--out", str(out)), cli("render", "--out", str(out))
    outputs = [(p.wait(timeout=300), p.stdout.read()) for p in (first, second)]
    assert [code for code, _ in outputs] == [0, 0], explain(
        " ".join(p.stderr.read() for p in (first, second)), out
    )
    said = " ".join(text for _, text in outputs)
    assert said.count("default: published") == 1 and said.count("default: up to date") == 1
    runs = [json.loads(line) for line in (out / "history.jsonl").read_text().splitlines()]
    assert [run["status"] for run in runs] == ["published"]
    published = out / f"default-{TODAY}"
    manifest = json.loads((published / "manifest.json").read_text())
    assert len(manifest["notebooks"]) == len(find_notebooks())
    assert all(
        (published / f"{Path(n['notebook']).stem}.html").stat().st_size > 10_000
        for n in manifest["notebooks"]
    )


def test_a_failing_cell_exits_non_zero_naming_notebook_and_cell(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for notebook in find_notebooks()[:2]:
        nb = nbformat.read(notebook, as_version=4)
        if notebook.name.startswith("02"):
            nb.cells.insert(7, nbformat.v4.new_code_cell('{"A01": 164}["A10"]'))
        nbformat.write(nb, folder / notebook.name)
    result = cli("render", "--out", str(tmp_path / "reports"), "--notebooks", str(folder))
    code = result.wait(timeout=300)
    stderr = result.stderr.read()
    assert code == 1
    assert "02-compare-death-tolls.ipynb failed in cell 6 with KeyError: 'A10'" in stderr
    assert "Traceback" not in stderr
    kept = tmp_path / "reports" / "failed" / "default" / "02-compare-death-tolls.ipynb"
    assert "KeyError" in kept.read_text(encoding="utf-8")
    assert not list((tmp_path / "reports").glob("default-*"))
