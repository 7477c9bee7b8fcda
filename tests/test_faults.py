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

from .conftest import TINY_NOTEBOOKS, broken_tiny_notebooks, copy_reports, explain, main_in_process, run_cli
from .test_render import TODAY, tree


def cli(
    *args: str, process: bool = False, limit_file_size: int | None = None
) -> subprocess.CompletedProcess[str]:
    """The command line on the tiny notebooks unless told otherwise; in this process, or with
    ``process`` as a process of its own, as cron runs it: the kernel's death, the full disk and
    the live lock need one (whatever reaches file descriptor 2, a hang at exit, a lock held by
    another process). A render here runs one worker: its two notebooks share one kernel, started
    once (a pool of two is tested by the shared render, conftest.py, and by the killed and failing
    renders of test_render_processes.py)."""
    process = process or limit_file_size is not None
    if args[:1] == ("render",):
        args = (*args, "--jobs", "1")
        if "--notebooks" not in args:
            args = (*args, "--notebooks", str(TINY_NOTEBOOKS))
    if not process:
        return main_in_process(*args)

    def limits() -> None:
        if limit_file_size is not None:  # a full disk: writes past the limit fail with EFBIG
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return run_cli(*args, preexec_fn=limits)


@pytest.fixture
def out(tmp_path, shared_tiny_reports) -> Path:
    """An output folder holding one good run of the tiny notebooks: a copy of the shared one."""
    return copy_reports(shared_tiny_reports, tmp_path / "reports")


def published(out: Path) -> dict[str, str]:
    return tree(out / f"default-{TODAY}")


def recovers(out: Path) -> None:
    again = cli("render", "--out", str(out), "--force")
    assert again.returncode == 0, explain(again, out)
    assert not (out / "failed").exists() or not list((out / "failed").iterdir())
    assert not list(out.glob(".*.staging-*"))


def test_the_kernel_dying_mid_run(out, tmp_path):
    before = published(out)
    broken = broken_tiny_notebooks(tmp_path / "broken", "import os; os._exit(1)")
    result = cli("render", "--out", str(out), "--force", "--notebooks", str(broken), process=True)
    assert result.returncode == 1, explain(result, out)
    assert "02-say-when.ipynb failed in cell 4: the kernel died" in result.stderr
    assert (out / "failed" / "default" / "02-say-when.ipynb").exists()
    assert published(out) == before
    recovers(out)


def test_a_full_disk(out):
    before = published(out)
    result = cli("render", "--out", str(out), "--force", limit_file_size=150_000)  # less than the pages
    assert result.returncode == 1, explain(result, out)
    assert "File too large" in result.stderr and "failed" in result.stderr
    assert "Traceback" not in result.stderr
    assert published(out) == before
    recovers(out)


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


def test_a_corrupt_cache_entry_is_rendered_again(out):
    manifest = out / "latest" / "default" / "manifest.json"
    manifest.write_text('{"inputs_hash": "trunc', encoding="utf-8")
    (out / "history.jsonl").open("a").write('{"set": "default", "stat')  # a line cut short
    result = cli("render", "--out", str(out))
    assert result.returncode == 0 and "default: published" in result.stdout, explain(result, out)
    assert json.loads(manifest.read_text(encoding="utf-8"))["inputs_hash"]
    assert 'data-label="Outcome">published</td>' in (out / "index.html").read_text(encoding="utf-8")


def test_a_deleted_run_behind_latest_is_rendered_again(out):
    shutil.rmtree(out / f"default-{TODAY}")
    result = cli("render", "--out", str(out))
    assert result.returncode == 0 and "default: published" in result.stdout, explain(result, out)
    assert (out / "latest" / "default" / "index.html").exists()


def test_a_stale_lock_left_by_a_dead_process(out):
    (out / ".render.lock").write_text("999999\n")  # a pid that no longer runs, holding nothing
    result = cli("render", "--out", str(out))  # the lock is taken before deciding there is nothing to do
    assert result.returncode == 0, explain(result, out)
    assert "default: up to date" in result.stdout
    assert (out / ".render.lock").read_text().split() != ["999999"]  # taken: the file names the render


def test_a_live_lock_makes_a_render_wait_then_give_up(out):
    with open(out / ".render.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write(f"{os.getpid()}\n")
        held.flush()
        result = cli("render", "--out", str(out), "--force", "--wait", "1", process=True)
    assert result.returncode == 3, explain(result, out)
    assert f"render busy: another render (pid {os.getpid()}) holds" in result.stderr


def test_corrupt_history_lines_are_skipped_said_once_and_never_swallow_the_next(out):
    """issue 23: a non-UTF-8 byte, a JSON value that is no run, a run whose parameters are null
    and a line cut short by a full disk: each skipped (said once), the index still rewritten, and
    the new run's line kept whole after the cut one."""
    history = out / "history.jsonl"
    with history.open("ab") as handle:
        handle.write(b'{"set": "default", "status": "published\xff"}\n[]\n')
        handle.write(b'{"set": "x", "status": "failed", "parameters": null, "rendered_on": "2022-01-01"}\n')
        handle.write(b'{"set": "default", "stat')  # no newline: the disk filled up mid-line
    result = cli("render", "--out", str(out), "--force")
    assert result.returncode == 0, explain(result, out)
    assert result.stdout.count("unreadable line") == 1 and "skipped 3 unreadable line(s)" in result.stdout
    last = json.loads(history.read_bytes().splitlines()[-1])
    assert last["set"] == "default" and last["status"] == "published"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count('data-label="Outcome">published</td>') >= 2


@pytest.mark.parametrize("bad", ["[]", '{"inputs_hash": 5, "parameters": null, "title": ["x"]}', "\xff"])
def test_a_manifest_that_is_no_object_is_a_run_to_redo(out, bad):
    (out / "latest" / "default" / "manifest.json").write_bytes(bad.encode("latin-1"))
    result = cli("render", "--out", str(out))
    assert result.returncode == 0 and "default: published" in result.stdout, explain(result, out)


@pytest.mark.parametrize("what", ["folder", "outside"])
def test_latest_that_is_not_a_link_to_a_run_is_not_trusted(out, tmp_path, what):
    """A real folder, or a link out of the output folder, where latest/<set> should be: its
    manifest is not read (it could name any hash), the set is rendered, and a real folder is
    kept aside, not deleted."""
    link = out / "latest" / "default"
    elsewhere = shutil.copytree(link.resolve(), tmp_path / "elsewhere")
    link.unlink()
    if what == "folder":
        shutil.copytree(elsewhere, link)
    else:
        link.symlink_to(elsewhere)
    result = cli("render", "--out", str(out))
    assert result.returncode == 0 and "default: published" in result.stdout, explain(result, out)
    assert link.is_symlink() and link.resolve().parent == out.resolve()
    kept = list((out / "latest").glob(".default.not-a-link-*"))
    assert len(kept) == (1 if what == "folder" else 0)


def test_a_history_that_cannot_be_written_is_said_truthfully(out):
    """The run is published; only its history line is missing, and the message says exactly that
    (not 'the published report is unchanged')."""
    (out / "history.jsonl").unlink()
    (out / "history.jsonl").mkdir()  # any append fails
    result = cli("render", "--out", str(out), "--force")
    assert "default: published" in result.stdout, explain(result, out)
    assert "its line in history.jsonl could not be written" in result.stdout
    assert "the published report is unchanged" not in result.stdout + result.stderr


def test_a_runaway_output_fails_its_notebook_instead_of_publishing_a_huge_page(out, tmp_path):
    before = published(out)
    loud = broken_tiny_notebooks(tmp_path / "loud", "for _ in range(12_000): print('y' * 1000)")
    result = cli("render", "--out", str(out), "--force", "--notebooks", str(loud))
    assert result.returncode == 1, explain(result, out)
    assert "02-say-when.ipynb failed: its output is 11 MB, over the 10 MB a page may hold" in result.stderr
    assert published(out) == before


def test_a_notebook_past_its_timeout_fails_named_and_the_next_run_recovers(out, tmp_path):
    before = published(out)
    slow = broken_tiny_notebooks(tmp_path / "slow", "import time; time.sleep(30)")
    result = cli("render", "--out", str(out), "--force", "--timeout", "2", "--notebooks", str(slow))
    assert result.returncode == 1, explain(result, out)
    assert "02-say-when.ipynb failed in cell 4" in result.stderr and "Timeout" in result.stderr
    assert published(out) == before
    recovers(out)


@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
def test_wait_and_timeout_take_a_finite_number_of_seconds(value):
    for option in ("--wait", "--timeout"):
        result = cli("render", option, value)
        assert result.returncode == 2 and "expected a number of seconds, 0 or more" in result.stderr


def test_pruning_keeps_the_last_month_whole_and_a_run_a_month_before(tmp_path):
    """issue 23: reports/ grows about 16 MB a day the data changes; `prune` keeps every run of the
    last 30 days and the last run of each set in each month, never the one latest points at nor
    anything the history does not name, and the index still lists the removed runs."""
    import datetime as dt

    from casualty_report.publishing import site
    from casualty_report.publishing.prune import prune
    from casualty_report.publishing.publish import append_history

    out = tmp_path / "reports"
    out.mkdir()
    days = ["2026-09-01", "2026-09-15", "2026-09-30", "2026-10-05", "2026-10-20", "2026-11-20", "2026-11-25"]
    for day in days:
        (out / f"default-{day}").mkdir()
        (out / f"default-{day}" / "index.html").write_text("run", encoding="utf-8")
        append_history(out, "default", day, "published", {}, f"default-{day}", "")
    (out / "notes-2020-01-01").mkdir()  # not a run the history knows: not ours to remove
    (out / "latest").mkdir()
    (out / "latest" / "default").symlink_to("../default-2026-11-25")
    removed = prune(out, today=dt.date(2026, 12, 2), log=lambda _: None).removed
    assert removed == ["default-2026-09-01", "default-2026-09-15", "default-2026-10-05"]
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("default-")) == [
        "default-2026-09-30",
        "default-2026-10-20",
        "default-2026-11-20",
        "default-2026-11-25",
    ]
    assert (out / "notes-2020-01-01").is_dir()
    site.write_index(out)
    index = (out / "index.html").read_text(encoding="utf-8")
    listed = index.count('data-label="Outcome">published</td>') + index.count(">replaced by a later run</td>")
    assert listed == len(days)  # all still listed, the removed ones without their link
    assert 'href="default-2026-09-01/' not in index and 'href="default-2026-09-30/' in index


def test_a_run_that_cannot_be_removed_is_reported_and_the_rest_pruned(tmp_path, monkeypatch):
    """A run the policy drops but the disk will not let go (a busy mount, a read-only file) is
    named, and the runs after it are still pruned; the command exits 1."""
    import datetime as dt
    import shutil

    from casualty_report.publishing import prune as pruning
    from casualty_report.publishing.publish import append_history

    out = tmp_path / "reports"
    out.mkdir()
    for day in ("2026-09-01", "2026-09-15", "2026-09-30"):
        (out / f"default-{day}").mkdir()
        append_history(out, "default", day, "published", {}, f"default-{day}", "")
    real_rmtree = shutil.rmtree

    def stuck(path, *args, **kwargs):
        if Path(path).name == "default-2026-09-01":
            raise OSError(16, "Device or resource busy")
        real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(pruning.shutil, "rmtree", stuck)
    pruned = pruning.prune(out, today=dt.date(2026, 12, 2), log=lambda _: None)
    assert pruned.removed == ["default-2026-09-15"]
    assert pruned.not_removed == ["default-2026-09-01: Device or resource busy"]
    assert (out / "default-2026-09-01").is_dir() and (out / "default-2026-09-30").is_dir()


def test_socket_folders_a_killed_render_left_are_cleared_later(tmp_path, monkeypatch):
    """A render killed before its clean-up leaves /tmp/casualty-kernels-*; the next render removes
    those over an hour old whose markers name no live process, and nothing else."""
    import tempfile
    import time

    from casualty_report.publishing import pool

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.Popen(["true"])
    gone.wait()
    stale, live, fresh = (tmp_path / f"casualty-kernels-{n}" for n in ("stale", "live", "fresh"))
    for folder, pid in ((stale, gone.pid), (live, os.getpid()), (fresh, gone.pid)):
        folder.mkdir()
        (folder / "running-0").write_text(f"{pid}")
    hour_ago = time.time() - 7200
    for folder in (stale, live):
        os.utime(folder, (hour_ago, hour_ago))
    pool._clear_stale_connection_folders()
    assert not stale.exists() and live.exists() and fresh.exists()
