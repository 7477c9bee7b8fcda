"""Renders as processes, as cron and people run them: killed mid-run, two at once, a failing
cell; each leaves the published report intact and says what happened. They render the tiny
stand-in notebooks: what is tested is the process, not what the notebooks compute. What needs no
process of its own (the run after the kill) runs the command line in this one, which has
imported the package already: a new Python costs a second of CPU before it renders anything."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casualty_report.paths import REPO_ROOT

from .conftest import TINY_NOTEBOOKS, broken_tiny_notebooks, copy_reports, explain, main_in_process
from .test_render import TODAY, tree


def cli(*args: str, notebooks: Path = TINY_NOTEBOOKS, env: dict[str, str] | None = None) -> subprocess.Popen:
    """``python -m casualty_report ARGS --notebooks DIR`` in a session of its own; ``env`` on top
    of this process's environment."""
    return subprocess.Popen(
        [sys.executable, "-m", "casualty_report", *args, "--notebooks", str(notebooks)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )


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


def _asleep_render(tmp_path, shared_tiny_reports):
    """A forced render of the tiny notebooks caught for certain mid-run (the first notebook is
    done, the second asleep in a cell), with the published report it must leave as it was."""
    out = copy_reports(shared_tiny_reports, tmp_path / "reports")
    asleep = broken_tiny_notebooks(tmp_path / "asleep", "import time; time.sleep(120)")
    victim = cli("render", "--out", str(out), "--force", notebooks=asleep)
    deadline = time.monotonic() + 120
    while not list(out.glob(f".default-{TODAY}.staging-*/notebooks/*.ipynb")):
        assert time.monotonic() < deadline and victim.poll() is None, (
            victim.stderr.read() if victim.poll() else ""
        )
        time.sleep(0.05)
    return out, victim


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["TERM", "KILL"])
def test_killing_the_render_by_pid_never_blocks_the_next(shared_tiny_reports, tmp_path, sig):
    """issue 23: `kill <pid>` or `kill -9 <pid>` of the render alone (not its process group):
    its workers die with it and let go of the lock, so the next render, with a short --wait,
    takes the lock at once instead of exiting 3 naming the dead pid."""
    out, victim = _asleep_render(tmp_path, shared_tiny_reports)
    published = out / f"default-{TODAY}"
    before = tree(published)
    try:
        os.kill(victim.pid, sig)
        code = victim.wait(timeout=60)
        again = main_in_process(
            "render", "--out", str(out), "--force", "--wait", "15", "--notebooks", str(TINY_NOTEBOOKS)
        )
        assert again.returncode == 0, explain(again, out)
        assert "waiting for another render" not in again.stdout
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(victim.pid, signal.SIGKILL)  # whatever the test left, not the next test's
    assert sorted(tree(published)) == sorted(before)
    if sig == signal.SIGTERM:  # a clean stop: said, recorded, nothing left behind
        assert code == 143 and "terminated (SIGTERM)" in victim.stderr.read()
        runs = [json.loads(line) for line in (out / "history.jsonl").read_text().splitlines()]
        assert any(run["status"] == "failed" and run["error"].startswith("interrupted") for run in runs)
        index = (out / "index.html").read_text(encoding="utf-8")
        assert "not published: the render was stopped before it published" in index


def test_a_lock_held_by_what_a_dead_render_left_is_cleared(tmp_path):
    """A lock whose recorded holder is dead but which some leftover process still holds (a worker
    of a render of an older version, orphaned) is cleared: the leftover is killed, the render
    says so and goes on."""
    out = tmp_path / "reports"
    out.mkdir()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    (out / ".render.lock").write_text(f"{gone.pid}\n")
    hold = (
        "import fcntl, sys, time; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX); "
        "print('held', flush=True); time.sleep(300)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", hold, str(out / ".render.lock")], stdout=subprocess.PIPE, text=True
    )
    # A render waiting for the lock has the file open too, without the lock: it must survive.
    wait = "import sys, time; f = open(sys.argv[1], 'a'); print('open', flush=True); time.sleep(300)"
    waiter = subprocess.Popen(
        [sys.executable, "-c", wait, str(out / ".render.lock")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held" and waiter.stdout.readline().strip() == "open"
        result = main_in_process(
            "render", "--out", str(out), "--wait", "30", "--notebooks", str(TINY_NOTEBOOKS)
        )
        assert result.returncode == 0, explain(result, out)
        assert f"cleared the lock: render {gone.pid} is dead" in result.stdout
        assert holder.wait(timeout=10) == -signal.SIGKILL
        assert waiter.poll() is None  # only what held the lock was killed
    finally:
        holder.kill()
        waiter.kill()


def test_a_dead_worker_costs_its_notebook_only(tmp_path):
    """issue 23: a worker killed mid-notebook (as the out-of-memory killer would) fails that
    notebook, named, and every other set is still published and recorded."""
    from casualty_report.parameters import load_parameter_sets
    from casualty_report.publishing.render import render_sets

    killer = broken_tiny_notebooks(
        tmp_path / "killer", 'import os, signal\nif scope == "Almaty": os.kill(os.getppid(), signal.SIGKILL)'
    )
    sets = [load_parameter_sets((), {}, None)[0], load_parameter_sets((), {"scope": "Almaty"}, None)[0]]
    out = tmp_path / "reports"
    said: list[str] = []
    results = {
        r.name: r
        for r in render_sets(
            sets, out, jobs=2, notebooks=sorted(killer.glob("*.ipynb")), progress=said.append
        )
    }
    assert results["default"].status == "published", said
    assert results["scope-almaty"].status == "failed"
    assert "02-say-when.ipynb failed: the worker running it died" in results["scope-almaty"].error
    assert "01-say-where" not in results["scope-almaty"].error  # its other notebook ran
    runs = [json.loads(line) for line in (out / "history.jsonl").read_text().splitlines()]
    assert sorted(run["status"] for run in runs) == ["failed", "published"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "not published: a page of it could not be built" in index and "scope-almaty" not in index
