"""Rendering on a Dask distributed cluster: ``casualty-report render --cluster ADDRESS``.

The render coordinates as it does on one machine (render.py): it plans and skips, takes the
lock, validates every set, writes the staging folders, publishes and keeps the history. Only
step 4 changes: each (set, notebook) is a task on the cluster, run by a worker's warm kernel
(cluster_worker.py), and its page and files come back to the set's staging folder here.

Before anything is touched the render connects, gives each worker that has none its warm
kernel (which then stays, for every render to come) and checks that each runs the render's own
code (package files, Python and every installed version) on one thread: a cluster that cannot
be reached, has no workers or runs other code stops the render with a clear message.
A worker that dies mid-notebook costs a retry on another worker (the scheduler's
``allowed-failures``), then the notebook; a scheduler that goes away fails every notebook not
yet back, so their sets are not published. This module imports Dask: nothing does without
``--cluster``.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any, Self

import dask
from distributed import Client, as_completed
from distributed.client import FutureCancelledError
from distributed.scheduler import KilledWorker

from casualty_report.errors import ParameterError, RenderError
from casualty_report.inputs import shown as quoted
from casualty_report.paths import DEFAULT_DATASET
from casualty_report.publishing import fingerprint
from casualty_report.publishing.cluster_worker import (
    PLUGIN,
    Bundle,
    NotebookTask,
    WarmKernel,
    digest,
    kill_running,
    report_code,
    run_notebook,
)
from casualty_report.publishing.notebooks import find_notebooks
from casualty_report.publishing.pool import ProgressBar
from casualty_report.publishing.worker import Executed, Failed, Outcome, Task

UNCHANGED = "nothing was rendered and the published report is unchanged"


class Cluster:
    """A render's connection to a cluster, checked and ready for its notebooks."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.client: Client | None = None

    def __enter__(self) -> Self:
        timeout = dask.config.get("distributed.comm.timeouts.connect")
        try:
            self.client = _Client(self.address, timeout=timeout, set_as_default=False)
        except ValueError as error:
            raise ParameterError(
                f"--cluster {quoted(self.address)} is not a scheduler's address "
                f"such as tcp://10.0.0.5:8786 ({error})"
            ) from None
        except (
            OSError,
            TimeoutError,
            TypeError,
        ) as error:  # TypeError: a tls:// address without TLS settings
            raise RenderError(
                f"cannot reach the Dask scheduler at {self.address} within {timeout} ({error}); {UNCHANGED}"
            ) from None
        try:
            self._ready(self.client, timeout)
        except BaseException:
            self.close()
            raise
        return self

    def _ready(self, client: Client, timeout: Any) -> None:
        """Workers there, each with its warm kernel and the render's code, or a RenderError."""
        try:
            if not client.scheduler_info()["workers"]:
                client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError) as error:
            raise RenderError(
                f"the cluster at {self.address} has no worker ready ({error}); {UNCHANGED}"
            ) from None
        try:
            client.register_plugin(WarmKernel(), name=PLUGIN)
            reports = client.run(report_code)
        except Exception as error:  # noqa: BLE001 - a worker's own error, said in one line
            raise RenderError(
                f"a worker of the cluster at {self.address} could not start the render's warm kernel "
                f"({type(error).__name__}: {str(error)[:200]}): install casualty-report there from "
                f"the render's checkout and lock file (deploy/cluster.md); {UNCHANGED}"
            ) from None
        self._check_code(reports)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):  # a scheduler already gone has nothing to close
                self.client.close(timeout=5)
            self.client = None

    @property
    def workers(self) -> int:
        return len(self._client.scheduler_info()["workers"])

    @property
    def _client(self) -> Client:
        if self.client is None:
            raise RenderError(f"not connected to the cluster at {self.address}")
        return self.client

    def _check_code(self, reports: dict[str, tuple[str, dict[str, str], int]]) -> None:
        """Every worker runs this render's package and installed versions, on one thread, or the
        render stops here."""
        ours, our_environment = fingerprint.code_fingerprint(), fingerprint.environment()
        for address, (code, environment, threads) in sorted(reports.items()):
            if threads != 1:
                raise RenderError(
                    f"worker {address} has {threads} threads: a worker keeps one kernel, which runs one "
                    f"notebook at a time; start workers with --nthreads 1 and one per CPU "
                    f"(deploy/cluster-worker); {UNCHANGED}"
                )
            if code == ours:
                continue
            theirs, mine = (
                {name: found.get(name, "missing") for name in sorted({*environment, *our_environment})}
                for found in (environment, our_environment)
            )
            differ = [
                f"{name} {theirs[name]} there, {mine[name]} here"
                for name in mine
                if theirs[name] != mine[name]
            ]
            shown = "; ".join(differ[:3]) + (f"; and {len(differ) - 3} more" if len(differ) > 3 else "")
            what = shown or "the casualty_report package's files differ"
            raise RenderError(
                f"worker {address} runs other code than this render ({what}): start the scheduler "
                f"and the workers from the render's checkout and lock file (deploy/cluster.md); {UNCHANGED}"
            )

    def run_all(
        self, tasks: Sequence[Task], log: Callable[[str], None], timeout: float
    ) -> dict[tuple[str, str], Outcome]:
        """Every task on the cluster; outcomes by (set name, notebook name), as pool.run_all."""
        client = self._client
        run = uuid.uuid4().hex[:8]
        try:
            bundle, specs = _bundle(tasks, timeout, run)
            shipped = client.scatter(bundle, broadcast=True, hash=False)
        except Exception as error:  # noqa: BLE001 - an unreadable notebook, a scheduler gone: every notebook fails
            why = getattr(error, "strerror", None) or error
            return {
                (task.set_name, task.notebook.name): Failed(
                    task.notebook.name, f"failed: it could not be sent to the cluster ({why})"
                )
                for task in tasks
            }
        futures = {
            client.submit(
                run_notebook, spec, shipped, key=f"{task.set_name}/{task.notebook.name}-{run}", pure=False
            ): task
            for task, spec in zip(tasks, specs, strict=True)
        }
        outcomes: dict[tuple[str, str], Outcome] = {}
        try:
            with ProgressBar(len(tasks)) as bar:
                for future in as_completed(futures, loop=client.loop):
                    task = futures[future]
                    outcome = _collect(future, task)
                    future.release()  # its page and files leave the worker's memory now, not at the end
                    outcomes[task.set_name, task.notebook.name] = outcome
                    status = "ok" if isinstance(outcome, Executed) else "FAILED"
                    bar(f"{task.set_name}: {task.notebook.name} {status}", log)
        except BaseException:  # interrupted: the cluster stops our notebooks, not only forgets them
            with contextlib.suppress(Exception):
                client.run(kill_running, run)
            with contextlib.suppress(Exception):
                client.cancel([future for future, task in futures.items() if not future.done()], force=True)
            raise
        return outcomes


class _Client(Client):
    """A client that, when its connection failed, is collected in silence: Dask's own clean-up
    then times out and prints a traceback under the render's one-line message."""

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            super().__del__()


def _bundle(tasks: Sequence[Task], timeout: float, run: str) -> tuple[Bundle, list[NotebookTask]]:
    """What the workers need, once, and each task's part of it."""
    folders = {task.notebook.parent for task in tasks}
    notebooks = {
        path.name: path.read_bytes() for folder in sorted(folders) for path in find_notebooks(folder)
    }
    datasets: dict[str, dict[str, bytes]] = {}
    specs = []
    for task in tasks:
        parameters = dict(task.parameters)
        files = fingerprint.dataset_files(parameters)
        shipped, shared = "", {}
        if parameters.get("data_dir") is None:  # read where DATA_DIR_ENV points: shipped
            content = {path.name: path.read_bytes() for path in files}
            shipped = digest(content)
            datasets.setdefault(shipped, content)
        else:  # a path of the render's machine: the worker must hold the same files there
            shared = {
                str(path): hashes
                for path, hashes in zip(files, fingerprint.file_hashes(files).values(), strict=True)
            }
        specs.append(
            NotebookTask(
                task.set_name,
                task.notebook.name,
                parameters,
                str(parameters.get("dataset") or DEFAULT_DATASET),
                shipped,
                shared,
                timeout,
                run,
            )
        )
    return Bundle(fingerprint.code_fingerprint(), notebooks, datasets), specs


def _collect(future: Any, task: Task) -> Outcome:
    """A task's outcome, its files written into the set's staging folder."""
    name = task.notebook.name
    try:
        outcome, files = future.result()
    except KilledWorker as error:  # more deaths than the scheduler's allowed-failures
        tries = error.allowed_failures + 1
        died = "the worker running it died" if tries == 1 else f"each of the {tries} workers that ran it died"
        return Failed(name, f"failed: {died} (killed, or out of memory)")
    except FutureCancelledError:
        return Failed(name, "failed: the connection to the cluster's scheduler was lost before it finished")
    except Exception as error:  # noqa: BLE001 - a worker's error, said in the notebook's failure
        return Failed(name, f"failed on the cluster: {type(error).__name__}: {error}")
    try:
        for relative, content in files.items():
            target = _inside(task.staging, relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    except (OSError, ValueError) as error:
        return Failed(name, f"could not be written: {getattr(error, 'strerror', None) or error}")
    return outcome


def _inside(staging: Path, relative: str) -> Path:
    """A file a worker returned, refused if its path would leave the staging folder."""
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
        raise ValueError(f"a worker returned a file outside its folder: {relative!r}")
    return staging.joinpath(*parts)
