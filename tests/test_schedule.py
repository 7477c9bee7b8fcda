"""The scheduled render (deploy/scheduled-render, what cron and the GitHub workflow call), run
twice in a scratch clone: the second time a newly committed notebook fails. History survives,
the first report stays published, the log holds the render's own exit codes.

The clone holds the last commit; the package is the one this test runs with. Run it after
committing a change that touches both the notebooks and the package (CI always does)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from casualty_report.paths import REPO_ROOT
from casualty_report.publishing.notebooks import find_notebooks

from .conftest import TINY_NOTEBOOKS


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_two_scheduled_runs_keep_history_and_the_last_good_report(tmp_path):
    origin, work = tmp_path / "origin", tmp_path / "work"
    git("clone", "--quiet", str(REPO_ROOT), str(origin), cwd=tmp_path)
    # On a branch, whatever the repository is on: a detached HEAD (CI's checkout of a pull
    # request) would give the deployment no upstream to pull from.
    git("checkout", "--quiet", "-B", "deployed", cwd=origin)
    for config in (("user.email", "test@example.org"), ("user.name", "test")):
        git("config", *config, cwd=origin)
    # One set of the two tiny notebooks keeps the test short: it is about the schedule, not the
    # notebooks (the real ones are rendered in test_render*.py).
    for extra in sorted((origin / "params").glob("*.yml")):
        if extra.name != "national.yml":
            git("rm", "--quiet", f"params/{extra.name}", cwd=origin)
    git("rm", "--quiet", "notebooks/*.ipynb", cwd=origin)
    (origin / "notebooks").mkdir()
    for tiny in find_notebooks(TINY_NOTEBOOKS):
        shutil.copy(tiny, origin / "notebooks" / tiny.name)
    git("add", "notebooks", cwd=origin)
    git("commit", "--quiet", "-m", "one set, two tiny notebooks", cwd=origin)
    git("clone", "--quiet", str(origin), str(work), cwd=tmp_path)

    environment = {
        **os.environ,
        "VENV": str(Path(sys.executable).parent.parent),
    }  # the test's own environment
    out = work / "reports"

    def scheduled() -> int:
        # --notebooks: the installed package reads its notebooks from REPO_ROOT unless told otherwise
        return subprocess.run(
            [
                str(work / "deploy" / "scheduled-render"),
                "--out",
                str(out),
                "--notebooks",
                str(work / "notebooks"),
            ],
            cwd=tmp_path,
            env=environment,
            timeout=600,
        ).returncode

    assert scheduled() == 0
    first = os.readlink(out / "latest" / "national")
    first_manifest = (out / "latest" / "national" / "manifest.json").read_bytes()

    # A notebook that fails is committed upstream; the next scheduled run brings it in.
    path = origin / "notebooks" / "02-say-when.ipynb"
    broken = nbformat.read(path, as_version=4)
    broken.cells.append(nbformat.v4.new_code_cell('raise RuntimeError("a committed mistake")'))
    nbformat.write(broken, path)
    git("commit", "--quiet", "-am", "a failing notebook", cwd=origin)
    assert scheduled() == 1

    assert git("rev-parse", "HEAD", cwd=work) == git("rev-parse", "HEAD", cwd=origin)  # fast-forwarded
    history = [json.loads(line) for line in (out / "history.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [entry["status"] for entry in history] == ["published", "failed"]
    assert os.readlink(out / "latest" / "national") == first  # the first report is still published
    assert (out / "latest" / "national" / "manifest.json").read_bytes() == first_manifest
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "a committed mistake" in history[-1]["error"]  # for maintainers; readers get words
    assert "not published: a page of it could not be built" in index and "a committed mistake" not in index
    assert f'<a href="{Path(first).name}/index.html">' in index
    log = (out / "render.log").read_text(encoding="utf-8")
    assert log.count("render exit 0") == 1 and log.count("render exit 1") == 1
