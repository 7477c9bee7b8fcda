"""Renders as processes, as cron and people run them: killed mid-run, two at once, a failing
cell; each leaves the published report intact and says what happened. They render the tiny
stand-in notebooks: what is tested is the process, not what the notebooks compute. What needs no
process of its own (the run after the kill) runs the command line in this one, which has
imported the package already: a new Python costs a second of CPU before it renders anything."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from casualty_report.paths import REPO_ROOT

from .conftest import TINY_NOTEBOOKS, broken_tiny_notebooks, copy_reports, explain, main_in_process
from .test_render import TODAY, tree


def cli(*args: str, notebooks: Path = TINY_NOTEBOOKS) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "casualty_report", *args, "--notebooks", str(notebooks)], cwd=REPO_ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip


def test_sigkill_during_a_forced_render_leaves_the_report_and_the_next_run_succeeds(
    shared_tiny_reports, tmp_path
):
    out = copy_reports(shared_tiny_reports, tmp_path / "reports")
    published = out / f"default-{TODAY}"
    before = tree(published)

    # Killed mid-run for certain: the first notebook is done, the second is asleep.
    asleep = broken_tiny_notebooks(tmp_path / "asleep", "import time; time.sleep(120)")
    victim = cli("render", "--out", str(out), "--force", notebooks=asleep)
    deadline = time.monotonic() + 120
    while not list(out.glob(f".default-{TODAY}.staging-*/notebooks/*.ipynb")):
        assert time.monotonic() < deadline and victim.poll() is None
        time.sleep(0.05)
    os.killpg(victim.pid, signal.SIGKILL)  # the render, its workers and their kernels
    victim.wait(timeout=30)

    assert tree(published) == before
    assert list(out.glob(".*.staging-*"))  # the killed run's leftovers…
    again = main_in_process("render", "--out", str(out), "--force", "--notebooks", str(TINY_NOTEBOOKS))
    assert again.returncode == 0, explain(again, out)
    assert not list(out.glob(".*.staging-*"))  # …cleared by the next run, with no manual step
    assert sorted(tree(published)) == sorted(before)


def test_two_concurrent_renders_publish_one_intact_report(tmp_path):
    out = tmp_path / "reports"
    # One kernel each: what races here is the lock (pools of two run in the tests around it).
    first, second = (cli("render", "--out", str(out), "--jobs", "1") for _ in range(2))
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
    assert [n["notebook"] for n in manifest["notebooks"]] == ["01-say-where.ipynb", "02-say-when.ipynb"]
    assert all(
        (published / f"{Path(n['notebook']).stem}.html").stat().st_size > 10_000
        for n in manifest["notebooks"]
    )


def test_a_failing_cell_exits_non_zero_naming_notebook_and_cell(tmp_path):
    """As a process with the default pool (a worker per core: two here): one notebook fails while
    the other worker finishes, and nothing else reaches file descriptor 2 or the exit code."""
    broken = broken_tiny_notebooks(tmp_path / "notebooks", '{"A01": 164}["A10"]')
    result = cli("render", "--out", str(tmp_path / "reports"), notebooks=broken)
    code = result.wait(timeout=300)
    stderr = result.stderr.read()
    assert code == 1, explain(stderr, tmp_path / "reports")
    assert "02-say-when.ipynb failed in cell 4 with KeyError: 'A10'" in stderr
    assert "Traceback" not in stderr
    kept = tmp_path / "reports" / "failed" / "default" / "02-say-when.ipynb"
    assert "KeyError" in kept.read_text(encoding="utf-8")
    assert not list((tmp_path / "reports").glob("default-*"))
