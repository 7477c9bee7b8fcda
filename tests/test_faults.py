"""Faults while rendering: each gives a non-zero exit and a message naming what failed, keeps
the published report and the failure notebook, and the next run recovers with no clean-up."""

from __future__ import annotations

import fcntl
import json
import os
import resource
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from . import conftest
from .conftest import copy_reports, explain, run_cli
from .test_render import TODAY, tree


def cli(*args: str, limit_file_size: int | None = None) -> subprocess.CompletedProcess[str]:
    """The command line, as cron runs it. A render here runs one worker: its two notebooks share
    one kernel, started once (the pool of several is tested in test_render*.py)."""
    if args[:1] == ("render",):
        args = (*args, "--jobs", "1")

    def limits() -> None:
        if limit_file_size is not None:  # a full disk: writes past the limit fail with EFBIG
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return run_cli(*args, preexec_fn=limits)


@pytest.fixture
def out(tmp_path, shared_two_notebook_reports) -> Path:
    """An output folder holding one good run of two notebooks: a copy of the shared one."""
    return copy_reports(shared_two_notebook_reports, tmp_path / "reports")


def two_notebooks(tmp_path: Path, extra_cell: str | None = None) -> Path:
    return conftest.two_notebooks(tmp_path / ("broken" if extra_cell else "notebooks"), extra_cell)


def published(out: Path) -> dict[str, str]:
    return tree(out / f"default-{TODAY}")


def recovers(out: Path, tmp_path: Path) -> None:
    again = cli("render", "--out", str(out), "--notebooks", str(two_notebooks(tmp_path)), "--force")
    assert again.returncode == 0, explain(again, out)
    assert not (out / "failed").exists() or not list((out / "failed").iterdir())
    assert not list(out.glob(".*.staging-*"))


def test_the_kernel_dying_mid_run(out, tmp_path):
    before = published(out)
    result = cli("render", "--out", str(out), "--force", "--notebooks",
                 str(two_notebooks(tmp_path, "import os; os._exit(1)")))  # fmt: skip
    assert result.returncode == 1, explain(result, out)
    assert "02-compare-death-tolls.ipynb failed in cell 6: the kernel died" in result.stderr
    assert (out / "failed" / "default" / "02-compare-death-tolls.ipynb").exists()
    assert published(out) == before
    recovers(out, tmp_path)


def test_a_full_disk(out, tmp_path):
    before = published(out)
    result = cli(
        "render",
        "--out",
        str(out),
        "--force",
        "--notebooks",
        str(two_notebooks(tmp_path)),
        limit_file_size=150_000,
    )  # fmt: skip  (the pages are larger)
    assert result.returncode == 1, explain(result, out)
    assert "File too large" in result.stderr and "failed" in result.stderr
    assert "Traceback" not in result.stderr
    assert published(out) == before
    recovers(out, tmp_path)


def test_an_output_folder_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = cli("render", "--out", str(blocker / "reports"))
    assert result.returncode == 1, explain(result)
    assert (
        f"render failed: cannot create the output folder {blocker / 'reports'}: Not a directory"
        in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_a_corrupt_cache_entry_is_rendered_again(out, tmp_path):
    manifest = out / "latest" / "default" / "manifest.json"
    manifest.write_text('{"inputs_hash": "trunc', encoding="utf-8")
    (out / "history.jsonl").open("a").write('{"set": "default", "stat')  # a line cut short
    result = cli("render", "--out", str(out), "--notebooks", str(two_notebooks(tmp_path)))
    assert result.returncode == 0 and "default: published" in result.stdout, explain(result, out)
    assert json.loads(manifest.read_text(encoding="utf-8"))["inputs_hash"]
    assert "<td>published</td>" in (out / "index.html").read_text(encoding="utf-8")


def test_a_deleted_run_behind_latest_is_rendered_again(out, tmp_path):
    shutil.rmtree(out / f"default-{TODAY}")
    result = cli("render", "--out", str(out), "--notebooks", str(two_notebooks(tmp_path)))
    assert result.returncode == 0 and "default: published" in result.stdout, explain(result, out)
    assert (out / "latest" / "default" / "index.html").exists()


def test_a_stale_lock_left_by_a_dead_process(out, tmp_path):
    (out / ".render.lock").write_text("999999\n")  # a pid that no longer runs, holding nothing
    result = cli("render", "--out", str(out), "--force", "--notebooks", str(two_notebooks(tmp_path)))
    assert result.returncode == 0, explain(result, out)


def test_a_live_lock_makes_a_render_wait_then_give_up(out, tmp_path):
    with open(out / ".render.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write(f"{os.getpid()}\n")
        held.flush()
        result = cli("render", "--out", str(out), "--force", "--wait", "1")
    assert result.returncode == 3, explain(result, out)
    assert f"render busy: another render (pid {os.getpid()}) holds" in result.stderr
