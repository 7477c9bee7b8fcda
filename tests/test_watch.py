"""``casualty-report watch`` as a person uses it: a valid save is published within seconds, an
invalid one is refused and publishes nothing, and Ctrl-C leaves nothing half-written (issue 21).
It renders the tiny stand-in notebooks over a copy of the fictional ledger."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from casualty_report.paths import REPO_ROOT

from .conftest import FIXTURES, TINY_NOTEBOOKS


def _published(out: Path) -> int:
    try:
        lines = (out / "history.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    return sum(json.loads(line)["status"] == "published" for line in lines if line.strip())


def _until(condition, seconds: float, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        assert process.poll() is None, process.stdout.read()
        time.sleep(0.1)


def test_watch_publishes_a_valid_save_refuses_an_invalid_one_and_stops_cleanly(tmp_path):
    data = shutil.copytree(FIXTURES / "exampleland-2031", tmp_path / "exampleland")
    out = tmp_path / "reports"
    watcher = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "casualty_report",
            "watch",
            "-p",
            f"data_dir={data}",
            "--name",
            "example",
            "--out",
            str(out),
            "--jobs",
            "1",
            "--notebooks",
            str(TINY_NOTEBOOKS),
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        _until(lambda: _published(out) == 1, 120, watcher)  # the first render, at start
        claims = data / "claims.csv"
        text = claims.read_text(encoding="utf-8")
        time.sleep(1)  # past the watcher's start, so the save is an event it sees
        claims.write_text(
            text.replace("Invented: officials' first count of civilians.", "Invented: edited."),
            encoding="utf-8",
        )
        _until(lambda: _published(out) == 2, 60, watcher)  # a valid save: published again
        claims.write_text(
            text.replace(",exact,running_total,", ",exactly,running_total,", 1), encoding="utf-8"
        )
        time.sleep(4)  # time enough to have published, had it wanted to
        assert _published(out) == 2  # an invalid save publishes nothing
        watcher.send_signal(signal.SIGINT)
        code = watcher.wait(timeout=60)
    finally:
        if watcher.poll() is None:
            watcher.kill()
    said = watcher.stdout.read()
    assert "not published:" in said and "got 'exactly'" in said, said
    assert code == 130 and not list(out.glob(".*.staging-*"))
