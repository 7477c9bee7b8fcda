"""Publishing a run: staging folders, the swap into place, ``latest`` and the history.

A run renders into a hidden staging folder beside its target (``.<set>-<date>.staging-*``) and
is renamed into place only when all its notebooks succeeded, so a failed or killed run leaves
the published report as it was. The lock (lock.py) keeps two renders from writing at once; the
second waits, then finds the work done. Everything here is done with the lock held.

Light on purpose, like :mod:`casualty_report.publishing.fingerprint`: the skip check reads ``latest``
through here without loading pandas or papermill.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casualty_report.paths import REPO_ROOT
from casualty_report.publishing.fingerprint import Plan, versions

if TYPE_CHECKING:  # the worker module loads papermill: types only here
    from casualty_report.publishing.worker import Executed, Failed


@dataclass
class RunResult:
    name: str
    directory: Path
    status: str  # published, skipped, failed
    notebooks: list[Executed] = field(default_factory=list)
    error: str = ""

    @property
    def skipped(self) -> bool:
        return self.status == "skipped"


@contextlib.contextmanager
def signals_held():
    """SIGINT and SIGTERM wait until the block is done: a swap is never cut in half. Python runs
    signal handlers in the main thread whichever thread the OS delivers to (watch has others), so
    the handlers are swapped for ones that only note the signal, which is raised again after."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; signals are handled there anyway
        return
    caught: list[int] = []
    previous = {sig: signal.signal(sig, lambda number, frame: caught.append(number)) for sig in HELD}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for sig in caught[:1]:
            signal.raise_signal(sig)


HELD = (signal.SIGINT, signal.SIGTERM)


def clear_leftovers(out: Path, log: Callable[[str], None]) -> None:
    """Remove what a killed render left behind (staging and swap folders). Only called with the
    lock held, so no other render can be writing them."""
    for swap in sorted(out.glob(".*.previous-*")):
        for kept in swap.iterdir():  # killed between the two renames of a swap: put it back
            if not (out / kept.name).exists():
                os.replace(kept, out / kept.name)
                log(f"restored {kept.name} from an interrupted swap")
    for leftover in sorted(out.glob(".*.staging-*")) + sorted(out.glob(".*.previous-*")):
        shutil.rmtree(leftover, ignore_errors=True)
        if leftover.exists():  # said once per run, truthfully, until someone can remove it
            log(f"could not remove {leftover.name}, left by an interrupted render (check its permissions)")
        else:
            log(f"removed {leftover.name}, left by an interrupted render")


def latest_hash(out: Path, name: str) -> str | None:
    """The inputs hash of a set's latest successful run; None if there is none (or it is broken)."""
    manifest = read_manifest(out, out / "latest" / name)
    value = (manifest or {}).get("inputs_hash")
    return value if isinstance(value, str) else None


def read_manifest(out: Path, run: Path) -> dict[str, Any] | None:
    """A run's ``manifest.json``, or None if it is missing, broken, not an object, or the run is
    not a folder of ``out`` (``latest/<set>`` may have been replaced by anything)."""
    try:
        if run.resolve().parent != out.resolve() or not run.resolve().is_dir():
            return None
        manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RuntimeError):  # RuntimeError: a symlink loop
        return None
    return manifest if isinstance(manifest, dict) else None


def staging_folder(out: Path, name: str, stamp: str) -> Path:
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-{stamp}.staging-", dir=out))
    staging.chmod(0o755)  # mkdtemp makes it private; a published report is for reading
    return staging


def keep_failure(
    out: Path, plan: Plan, failures: Sequence[Failed], staging: Path, stamp: str, log
) -> RunResult:
    """A set with a failing notebook publishes nothing: keep the failing notebooks in
    ``failed/<set>/`` and record the failure in the history."""
    name = plan.name
    kept = out / "failed" / name
    message = "; ".join(
        f"{failed.notebook} {failed.error}" for failed in sorted(failures, key=lambda f: f.notebook)
    )
    try:
        shutil.rmtree(kept, ignore_errors=True)
        kept.mkdir(parents=True)
        copied = 0
        for failed in failures:
            if (staging / "notebooks" / failed.notebook).exists():
                shutil.copy2(staging / "notebooks" / failed.notebook, kept / failed.notebook)
                copied += 1
        where = (
            f"the failed notebook is kept in {kept}"
            if copied
            else "no notebook could be kept (it never wrote one)"
        )
        message += f"\n{where}; the published report is unchanged"
    except OSError as error:
        message += (
            f"\nthe failed notebook could not be kept ({error.strerror or error}); "
            "the published report is unchanged"
        )
    log(f"{name}: FAILED: {message}")
    append_history(out, name, stamp, "failed", plan.parameters, "", message, because="notebook")
    return RunResult(name, kept, "failed", error=message)


def publish_run(
    out: Path,
    plan: Plan,
    results: list[Executed],
    staging: Path,
    stamp: str,
    *,
    summary: Mapping[str, str],
    commit: str | None,
    log,
) -> RunResult:
    """Write the manifest, rename the staging folder to ``<set>-<date>``, point ``latest`` at it.
    ``summary``: the run's title and headline finding, for the site index."""
    manifest = {
        "set": plan.name,
        "parameters": plan.parameters,
        "rendered_on": stamp,
        "inputs_hash": plan.fingerprint,
        "input_files": plan.hashes,
        "versions": versions(),
        "python": sys.version.split()[0],
        "git_commit": commit,
        **summary,
        "notebooks": [{**vars(result), "outcome": "ok"} for result in results],
    }
    (staging / "manifest.json").write_text(
        json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8"
    )
    target = out / f"{plan.name}-{stamp}"
    _swap_into_place(staging, target)
    _point_latest(out, plan.name, target)
    shutil.rmtree(out / "failed" / plan.name, ignore_errors=True)  # an earlier failure is now fixed
    log(f"{plan.name}: published {target}")
    try:
        append_history(out, plan.name, stamp, "published", plan.parameters, target.name, "")
    except OSError as error:  # the report is out: say so, and that the index will miss this run
        log(
            f"{plan.name}: published, but its line in history.jsonl could not be written "
            f"({error.strerror or error}); the site index will not list this run"
        )
    return RunResult(plan.name, target, "published", results)


def _swap_into_place(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` with two renames; the old copy is removed last."""
    previous = None
    if target.exists():
        previous = Path(tempfile.mkdtemp(prefix=f".{target.name}.previous-", dir=target.parent))
        os.replace(target, previous / target.name)
    os.replace(staging, target)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


def _point_latest(out: Path, name: str, target: Path) -> None:
    """``latest/<set>`` -> the run, switched atomically (a new symlink renamed over the old)."""
    latest = out / "latest"
    latest.mkdir(exist_ok=True)
    temporary = latest / f".{name}.new"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(Path("..") / target.name)
    link = latest / name
    if link.is_dir() and not link.is_symlink():  # a real folder put there: kept aside, not lost
        os.replace(link, latest / f".{name}.not-a-link-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}")
    os.replace(temporary, link)


#: Why a run failed, as the site index tells readers (the error itself is for maintainers: it
#: names notebooks, cells and paths).
FAILED_BECAUSE = {
    "notebook": "a page of it could not be built",
    "interrupted": "the render was stopped before it published",
}


def append_history(
    out: Path, name: str, stamp: str, status: str, parameters, folder: str, error: str, because: str = ""
) -> None:
    """One line of ``history.jsonl``; ``because``, for a failure, is a key of :data:`FAILED_BECAUSE`."""
    entry = {
        "set": name,
        "rendered_on": stamp,
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "status": status,
        "parameters": parameters,
        "folder": folder,
        "error": error,
        **({"because": because} if because else {}),
    }
    line = (json.dumps(entry, sort_keys=True, default=str) + "\n").encode("utf-8")
    path = out / "history.jsonl"
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        if os.fstat(descriptor).st_size and not _ends_a_line(path):
            line = b"\n" + line  # a line cut short by a full disk or a crash stays apart from ours
        if os.write(descriptor, line) != len(line):  # one write: all of the line or an error
            raise OSError(28, "the disk took only part of the line")
    finally:
        os.close(descriptor)


def _ends_a_line(path: Path) -> bool:
    with path.open("rb") as history:
        history.seek(-1, os.SEEK_END)
        return history.read(1) == b"\n"


#: A history line's fields and their types; a line without them is skipped.
HISTORY_FIELDS = {"set": str, "rendered_on": str, "status": str, "folder": str, "error": str}


def read_history(out: Path, report: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
    """Every readable run of ``history.jsonl``, oldest first. Lines that are not a run (cut
    short, not UTF-8, another JSON value, a field of the wrong type) are skipped, and ``report``
    is told once how many and which."""
    try:
        lines = (out / "history.jsonl").read_bytes().split(b"\n")
    except OSError:
        return []
    entries, skipped = [], []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line.decode("utf-8"))
        except ValueError:  # UnicodeDecodeError is one too
            entry = None
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k, ""), t) for k, t in HISTORY_FIELDS.items()
        ):
            skipped.append(number)
            continue
        if not isinstance(entry.get("parameters"), dict):
            entry["parameters"] = {}
        entries.append(entry)
    if skipped and report is not None:
        shown = ", ".join(map(str, skipped[:5])) + (
            f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        )
        report(f"{out / 'history.jsonl'}: skipped {len(skipped)} unreadable line(s) ({shown})")
    return entries


def git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None
