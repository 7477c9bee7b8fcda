"""The render's side of the kernel workers: a pool of them, restarted if one dies.

:mod:`casualty_report.publishing.worker` is what runs inside a worker (a warm kernel, one notebook at a
time); this module hands it the tasks and collects the outcomes. While a task runs, its worker
keeps a marker (``running-<task>``) in the run's connection folder naming itself and its kernel,
so a worker that dies (killed, out of memory) costs only the notebook it was running, and an
interrupted render kills every worker and kernel before it stops: nothing outlives it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from tqdm import tqdm

from casualty_report.publishing.lock import alive
from casualty_report.publishing.pages import warm_exporter
from casualty_report.publishing.worker import (
    NOTEBOOK_TIMEOUT,
    Executed,
    Failed,
    Outcome,
    Task,
    execute,
    marker_path,
    warm_worker,
)


def pool_size(jobs: int | None, tasks: int) -> int:
    return max(1, min(jobs or os.cpu_count() or 1, tasks))


def run_all(
    tasks: Sequence[Task],
    jobs: int | None,
    kernel_log: Path,
    log: Callable[[str], None],
    *,
    inherited: Sequence[int] = (),
    timeout: float = NOTEBOOK_TIMEOUT,
) -> dict[tuple[str, str], Outcome]:
    """Every task in a pool of ``jobs`` warm workers; outcomes by (set name, notebook name).

    ``inherited``: file descriptors a worker must not keep (the render's lock: a worker outliving
    its render must not hold it). A worker that dies (killed, out of memory) costs the notebook
    it was running, which is reported failed; the others run on in a new pool. Interrupted, the
    workers and their kernels are killed before the exception goes on."""
    outcomes: dict[tuple[str, str], Outcome] = {}
    _clear_stale_connection_folders()
    warm_exporter()  # before the fork: the workers inherit the compiled templates
    connections = tempfile.mkdtemp(prefix="casualty-kernels-")  # short: a socket path has ~100 bytes
    pending = dict(enumerate(tasks))
    try:
        with ProgressBar(len(tasks)) as bar:
            while pending:
                for index, outcome in _run_pool(pending, jobs, kernel_log, connections, inherited, timeout):
                    task = pending.pop(index)
                    outcomes[task.set_name, task.notebook.name] = outcome
                    status = "ok" if isinstance(outcome, Executed) else "FAILED"
                    bar(f"{task.set_name}: {task.notebook.name} {status}", log)
    finally:
        shutil.rmtree(connections, ignore_errors=True)
    return outcomes


def _run_pool(pending, jobs, kernel_log, connections, inherited, timeout):
    """Yield (task index, outcome) from one pool until the tasks are done or a worker dies; then
    yield a failure for each task whose worker died, and return (the caller starts a new pool for
    the rest)."""
    initargs = (str(kernel_log), connections, tuple(inherited), os.getpid())
    pool = ProcessPoolExecutor(
        max_workers=pool_size(jobs, len(pending)), initializer=warm_worker, initargs=initargs
    )
    try:
        futures = {
            pool.submit(
                execute, str(task.notebook), str(task.staging), dict(task.parameters), index, timeout
            ): index
            for index, task in pending.items()
        }
        workers = dict(getattr(pool, "_processes", None) or {})  # pid -> Process: all started at once (fork)
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except BrokenProcessPool:
                break
            yield futures[future], outcome
        else:
            return
        # A worker died. The pool then stops the others with SIGTERM; the one that died first
        # (SIGKILL, the out-of-memory killer, an exit) ended otherwise: its task failed, and the
        # tasks the pool stopped run again in a new pool.
        pool.shutdown(wait=True, cancel_futures=True)
        running = {index: _marker_pid(connections, index) for index in pending}
        running = {index: pid for index, pid in running.items() if pid is not None}
        culprits = [
            index
            for index, pid in running.items()
            if pid in workers and workers[pid].exitcode not in (None, -signal.SIGTERM)
        ]
        for index in culprits or list(running) or list(pending):  # never a loop with no progress
            task = pending[index]
            yield (
                index,
                Failed(task.notebook.name, "failed: the worker running it died (killed, or out of memory)"),
            )
        for index in running:
            marker_path(connections, index).unlink(missing_ok=True)
    except BaseException:  # interrupted (Ctrl-C, SIGTERM): nothing may outlive the render
        _kill_workers(pool, connections)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _marker_pid(connections: str, index: int) -> int | None:
    """The worker a task's marker names, if it started."""
    try:
        return int(marker_path(connections, index).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _clear_stale_connection_folders(older_than: float = 3600) -> None:
    """Remove the socket folders renders killed before their clean-up left in the temp folder:
    those over an hour old whose markers name no live process."""
    for folder in Path(tempfile.gettempdir()).glob("casualty-kernels-*"):
        with contextlib.suppress(OSError):
            if (
                time.time() - folder.stat().st_mtime < older_than
                or not folder.is_dir()
                or folder.is_symlink()
            ):
                continue
            names = [pid for marker in folder.glob("running-*") for pid in marker.read_text().split()]
            if not any(pid.isdigit() and alive(int(pid)) for pid in names):
                shutil.rmtree(folder, ignore_errors=True)


def _kill_workers(pool: ProcessPoolExecutor, connections: str) -> None:
    """SIGKILL every worker of the pool and every kernel a running task's marker names."""
    for marker in Path(connections).glob("running-*"):
        with contextlib.suppress(OSError):  # a worker may remove its marker as we read
            for pid in marker.read_text().split():
                with contextlib.suppress(ProcessLookupError, PermissionError, ValueError):
                    os.kill(int(pid), signal.SIGKILL)
    for process in list((getattr(pool, "_processes", None) or {}).values()):  # no public handle on them
        with contextlib.suppress(ProcessLookupError, PermissionError):
            process.kill()


class ProgressBar:
    """tqdm on a terminal; plain log lines otherwise (cron, CI, pipes)."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.bar = total, 0, None

    def __enter__(self):
        if sys.stderr.isatty():
            self.bar = tqdm(total=self.total, unit="notebook", file=sys.stderr, leave=False)
        return self

    def __call__(self, line: str, log) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.set_description(line[:60])
            self.bar.update()
        else:
            log(f"[{self.done}/{self.total}] {line}")

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()
