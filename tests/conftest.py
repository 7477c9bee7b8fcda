"""Shared fixtures: the shipped ledger, writable copies of it to break, and rendered reports.

A render costs seconds of CPU on two cores, so tests that only read a report share one, made
once per test run whatever the number of xdist workers (:func:`shared_render`); a test that
changes a report works on a copy of it (:func:`copy_reports`), never on the shared one. The
in-process renders of one set ask for one kernel (``jobs=1``): the other test worker has the
other core. (The shared render, the schedule and the killed and failing renders of
test_render_processes.py keep the pool of two, which they test.)
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from casualty_report.cli import main
from casualty_report.ledger.load import Ledger, load_ledger
from casualty_report.parameters import ParameterSet, load_parameter_sets
from casualty_report.paths import DATA_ROOT, DEFAULT_DATASET, REPO_ROOT
from casualty_report.publishing.notebooks import find_notebooks
from casualty_report.publishing.render import render_sets

SHIPPED = DATA_ROOT / DEFAULT_DATASET
FIXTURES = Path(__file__).parent / "fixtures"

#: Test files, slowest first (a full run on this 2-core machine). pytest-xdist hands each file to
#: the first free worker in collection order, so the long files start first and the short ones
#: fill the gaps at the end, instead of a long file starting last while the other worker idles.
#: Files not listed are quick and run after these, in their usual order.
SLOWEST_FIRST = [
    "tests/test_browser.py",
    "tests/test_faults.py",
    "tests/test_cluster.py",
    "tests/test_scale.py",
    "tests/test_fuzz_ledger.py",
    "tests/test_charts.py",
    "tests/test_words.py",
    "tests/test_render_processes.py",
    "tests/test_render_sets.py",
    "tests/test_render.py",
    "tests/test_parameters.py",
    "tests/test_schedule.py",
    "tests/test_hostile_text.py",
    "tests/test_cli.py",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots",
        action="store_true",
        help="test_browser.py also saves full-page screenshots of every page to build/screenshots/"
        " (make screenshots): for people to look at, and about an eighth of the browser's time",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: index for index, path in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable: order kept within


@pytest.fixture(scope="session")
def ledger() -> Ledger:
    return load_ledger()


@pytest.fixture
def ledger_copy(tmp_path: Path) -> Path:
    """A copy of the shipped dataset folder, safe to edit."""
    target = tmp_path / DEFAULT_DATASET
    shutil.copytree(SHIPPED, target)
    return target


# --- rendered reports, shared ------------------------------------------------------------------


def shared_render(tmp_path_factory, worker_id: str, name: str, make: Callable[[Path], None]) -> Path:
    """``make(folder)`` run once per test run, its folder shared by every xdist worker.

    The pytest-xdist recipe: the workers' base temporary folders have a common parent, and a
    file lock there lets the first worker make the folder while the others wait for it. A
    failed ``make`` leaves no mark, so the next worker tries again and fails in its own words.
    """
    base = tmp_path_factory.getbasetemp()
    root = base if worker_id == "master" else base.parent
    folder, done = root / name, root / f"{name}.done"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or the worker dies
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            make(folder)
            done.touch()
    return folder


def copy_reports(source: Path, target: Path) -> Path:
    """A writable copy of an output folder (``latest/`` links are relative, so they hold)."""
    shutil.copytree(source, target, symlinks=True)
    return target


#: Two stand-in notebooks for the tests of faults and processes: each starts a kernel, takes the
#: parameters and is published like a real one, but imports nothing heavy, so a render costs about
#: a second of kernel time, not five. (The real notebooks are rendered by ``shared_reports``.)
TINY_NOTEBOOKS = FIXTURES / "tiny-notebooks"


def broken_tiny_notebooks(folder: Path, extra_cell: str) -> Path:
    """A copy of the tiny notebooks in ``folder``, the second one ending with ``extra_cell``."""
    folder.mkdir(parents=True, exist_ok=True)
    for notebook in find_notebooks(TINY_NOTEBOOKS):
        nb = nbformat.read(notebook, as_version=4)
        if notebook.name.startswith("02"):
            nb.cells.append(nbformat.v4.new_code_cell(extra_cell))
        nbformat.write(nb, folder / notebook.name)
    return folder


#: The parameter sets of the shared render, as ``-p`` gives them (named from the values, or by
#: ``--name``): a place, a date, a fictional event, the second real event, and the defaults,
#: last, so that their notebooks run in kernels that ran other sets' notebooks first
#: (test_render_sets.py).
SHARED_SETS = {
    "almaty": ({"scope": "Almaty"}, None),
    "as_of": ({"as_of": "2022-01-10"}, None),
    "exampleland": ({"dataset": "exampleland-2031", "data_dir": str(FIXTURES)}, "exampleland"),
    "karakalpakstan": ({"dataset": "karakalpakstan-2022-07", "scope": "Karakalpakstan"}, "karakalpakstan"),
    "default": ({}, None),
}


@pytest.fixture(scope="session")
def shared_sets() -> dict[str, ParameterSet]:
    return {key: load_parameter_sets((), values, name)[0] for key, (values, name) in SHARED_SETS.items()}


@pytest.fixture(scope="session")
def shared_reports(tmp_path_factory, worker_id, shared_sets) -> Path:
    """An output folder holding one real render of :data:`SHARED_SETS`: the suite's one render of
    the real notebooks on the shipped ledger, in one pool of two warm kernels (a kernel per
    worker, not per set; two even on a one-core machine). Read only."""

    def make(out: Path) -> None:
        results = render_sets(list(shared_sets.values()), out, jobs=2, progress=lambda _: None)
        assert [result.status for result in results] == ["published"] * len(results), [
            r.error for r in results
        ]

    return shared_render(tmp_path_factory, worker_id, "shared-reports", make)


@pytest.fixture(scope="session")
def shared_runs(shared_reports, shared_sets) -> dict[str, Path]:
    """Each shared set's run folder, by its key in :data:`SHARED_SETS`. Read only."""
    latest = shared_reports / "latest"
    return {key: (latest / parameter_set.name).resolve() for key, parameter_set in shared_sets.items()}


@pytest.fixture(scope="session")
def published(shared_runs) -> Path:
    """The default set's run folder, for the tests that read a report. Read only: a test that
    renders again or breaks something copies the shared folder (``copy_reports``)."""
    return shared_runs["default"]


@pytest.fixture(scope="session")
def shared_tiny_reports(tmp_path_factory, worker_id) -> Path:
    """An output folder holding one good run of the tiny notebooks, made by the command line (in
    this process; test_schedule.py runs it as cron does). Read only: fault tests copy it."""

    def make(folder: Path) -> None:
        result = main_in_process(
            "render", "--out", str(folder), "--notebooks", str(TINY_NOTEBOOKS), "--jobs", "1"
        )
        assert result.returncode == 0, explain(result, folder)

    return shared_render(tmp_path_factory, worker_id, "shared-tiny-reports", make)


# --- running the command line, and saying why a render failed -------------------------------


def main_in_process(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    """``casualty-report ARGS`` in this process: its exit code, stdout and stderr. A fraction of
    a new Python's cost: the test process has imported the package already."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = main(list(args))
        except SystemExit as exit:  # argparse's usage errors
            code = exit.code
    return subprocess.CompletedProcess(args, code, stdout.getvalue(), stderr.getvalue())


def run_cli(*args: str, **options) -> subprocess.CompletedProcess[str]:
    """``python -m casualty_report ARGS`` as a process of its own, as cron runs it."""
    return subprocess.run(
        [sys.executable, "-m", "casualty_report", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        **options,
    )


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def explain(result: subprocess.CompletedProcess[str] | str, out: Path | None = None) -> str:
    """Why a render failed, for an assertion message: what it printed, the error of every
    notebook kept in ``<out>/failed/``, and the end of ``<out>/logs/kernels.log``."""
    if isinstance(result, str):
        parts = [result]
    else:
        parts = [
            f"exit {result.returncode}",
            f"stdout:\n{result.stdout[-3000:]}",
            f"stderr:\n{result.stderr[-3000:]}",
        ]
    if out is not None:
        for kept in sorted((out / "failed").glob("*/*.ipynb")):
            try:
                notebook = nbformat.read(kept, as_version=4)
            except (OSError, ValueError) as error:
                parts.append(f"{kept}: unreadable ({error})")
                continue
            for cell in notebook.cells:
                for output in cell.get("outputs", []):
                    if output.get("output_type") == "error":
                        traceback = ANSI.sub("", "\n".join(output.get("traceback", [])))
                        parts.append(
                            f"{kept.relative_to(out)}: {output['ename']}: {output['evalue']}\n"
                            f"{traceback[-3000:]}"
                        )
        kernels = out / "logs" / "kernels.log"
        if kernels.exists():
            parts.append(
                "kernels.log (end):\n" + kernels.read_text(encoding="utf-8", errors="replace")[-3000:]
            )
    return "\n".join(parts)
