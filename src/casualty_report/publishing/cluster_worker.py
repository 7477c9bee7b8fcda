"""Inside a Dask worker: one notebook of one set per task, in a warm kernel the worker keeps.

The render (cluster.py) registers :class:`WarmKernel` on every worker of the cluster. It gives
the worker what the local pool's workers have (worker.py): one kernel, kept between notebooks and
reset before each, its sockets in a folder of the worker's own. Every notebook runs on one
thread of the plugin's: a kernel's client belongs to the event loop of the thread that made it,
and one kernel runs one notebook at a time (the render refuses workers of more than one thread).

A task carries what its notebook reads, so a worker needs no copy of the data or the notebooks,
only the same package and libraries: the run's notebooks and each dataset folder reach every
worker once per run (:class:`Bundle`), and the worker refuses a task whose render's code
fingerprint differs from its own. A set whose parameters name a ``data_dir`` reads that path,
so a worker where that folder does not hold the very files the render hashed (no shared disk)
refuses its notebooks, and the set fails saying so.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from distributed import WorkerPlugin, get_worker

from casualty_report.paths import DATA_DIR_ENV
from casualty_report.publishing import fingerprint
from casualty_report.publishing import worker as kernels
from casualty_report.publishing.pages import warm_exporter

#: The plugin's name on every worker (registered once per worker: WarmKernel.idempotent).
PLUGIN = "casualty-report-warm-kernel"
#: A worker's folder in the temporary folder: this prefix, then its pid.
FOLDER_PREFIX = "casualty-cluster-"


@dataclass(frozen=True)
class Bundle:
    """What the tasks of a run read, sent to every worker once: the render's code fingerprint,
    the run's notebooks by name, and each shipped dataset folder's files by its digest."""

    code: str
    notebooks: Mapping[str, bytes]
    datasets: Mapping[str, Mapping[str, bytes]]


@dataclass(frozen=True)
class NotebookTask:
    """One notebook of one set. ``shipped``: the digest of the dataset folder the bundle carries
    for it; ``shared``: for a set with a ``data_dir``, the hash of each file found there."""

    set_name: str
    notebook: str
    parameters: Mapping[str, Any]
    dataset: str
    shipped: str
    shared: Mapping[str, str]
    timeout: float
    run: str  # the render's run id: an interrupted render stops its own notebooks only


#: What a task returns: the outcome, and every file the notebook left in its folder by relative path.
Result = tuple[kernels.Outcome, dict[str, bytes]]


def digest(files: Mapping[str, bytes]) -> str:
    """One hash of a folder's files, names and contents."""
    total = hashlib.sha256()
    for name in sorted(files):
        total.update(f"{name}\0{len(files[name])}\0".encode())
        total.update(files[name])
    return total.hexdigest()


class WarmKernel(WorkerPlugin):
    """A worker's warm kernel, its folders, and the thread every notebook of the worker runs on.

    Idempotent: a render finding the plugin on a worker keeps it, so a second render (another
    output folder, another machine) never restarts the kernels of one already running, and the
    kernels stay warm from one render to the next. The code fingerprint is taken once, when the
    worker first takes the plugin: what the worker imported then is what it runs, whatever a
    later ``git pull`` put on its disk."""

    idempotent = True

    def setup(self, worker: Any = None) -> None:
        _clear_dead_workers_folders()
        folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))
        try:
            self.code = fingerprint.code_fingerprint()
            self.environment = fingerprint.environment()
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        self.folder = folder
        self.address = str(getattr(worker, "address", "?"))  # for messages: the plugin's thread is no task's
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="casualty-kernel")
        self.written: dict[str, str] = {}  # dataset name -> digest of what its folder holds
        self.running = ""  # the run whose notebook the kernel runs now
        # Kernels inherit the worker's environment: a set without a data_dir reads its dataset
        # from here, as the render's own kernels read data/ (paths.dataset_dir).
        os.environ[DATA_DIR_ENV] = str(self.folder / "data")
        self.thread.submit(self._warm, str(self.folder / "kernels")).result()

    @staticmethod
    def _warm(connections: str) -> None:
        os.makedirs(connections, exist_ok=True)
        kernels.use_connection_folder(connections)
        warm_exporter()

    def teardown(self, worker: Any = None) -> None:
        if not hasattr(self, "thread"):  # its set-up failed: nothing was started
            return
        self.thread.submit(kernels.stop_kernel).result()
        self.thread.shutdown(wait=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def run(self, task: NotebookTask, bundle: Bundle) -> Result:
        return self.thread.submit(self._run, task, bundle).result()

    def _run(self, task: NotebookTask, bundle: Bundle) -> Result:
        self.running = task.run
        try:
            return self._execute(task, bundle)
        finally:
            self.running = ""

    def _execute(self, task: NotebookTask, bundle: Bundle) -> Result:
        if bundle.code != self.code:
            return _refused(
                task, self.address, "it runs other code than the render (package or libraries differ)"
            )
        changed = _changed_files(task.shared)
        if changed:
            return _refused(task, self.address, f"it has no copy of {changed} as the render hashed it")
        notebooks = self._notebooks(bundle.notebooks)
        if task.shipped:
            self._dataset(task.dataset, task.shipped, bundle.datasets[task.shipped])
        # One folder for every task, emptied before each: the warm kernel works inside it between
        # notebooks, and IPython's reset fails in a working directory that was removed.
        staging = self.folder / "run"
        _empty(staging)
        outcome = kernels.execute(
            str(notebooks / task.notebook), str(staging), dict(task.parameters), timeout=task.timeout
        )
        files = {
            path.relative_to(staging).as_posix(): path.read_bytes()
            for path in sorted(staging.rglob("*"))
            if path.is_file() and not path.is_symlink()  # what the notebook wrote, nothing it points to
        }
        return outcome, files

    def _notebooks(self, notebooks: Mapping[str, bytes]) -> Path:
        """The run's notebooks, side by side as in the render's folder (pages link to each other)."""
        folder = self.folder / f"notebooks-{digest(notebooks)[:16]}"
        if not folder.is_dir():
            for older in self.folder.glob("notebooks-*"):  # an earlier render's: not needed again
                shutil.rmtree(older, ignore_errors=True)
            _write_folder(folder, notebooks)
        return folder

    def _dataset(self, name: str, shipped: str, files: Mapping[str, bytes]) -> None:
        """The dataset folder as the render shipped it, where DATA_DIR_ENV points."""
        if self.written.get(name) != shipped:
            folder = self.folder / "data" / name
            shutil.rmtree(folder, ignore_errors=True)
            _write_folder(folder, files)
            self.written[name] = shipped

    def kill(self, run: str) -> None:
        """Stop the notebook of ``run`` running now (that render was interrupted): its kernel is
        killed. Another render's notebook runs on."""
        if run and self.running == run:
            kernels.kill_kernel()


def run_notebook(task: NotebookTask, bundle: Bundle) -> Result:
    """The task the render submits: one notebook in this worker's warm kernel."""
    plugin = get_worker().plugins.get(PLUGIN)
    if not isinstance(plugin, WarmKernel):
        return _refused(task, _address(), "it has no warm kernel (the render registers it)")
    return plugin.run(task, bundle)


def report_code(dask_worker: Any) -> tuple[str, dict[str, str], int]:
    """This worker's code fingerprint, installed versions and threads, for the render to compare
    with its own (``Client.run`` passes the worker as ``dask_worker``)."""
    plugin = dask_worker.plugins.get(PLUGIN)
    if not isinstance(plugin, WarmKernel):
        return "", {}, dask_worker.state.nthreads
    return plugin.code, plugin.environment, dask_worker.state.nthreads


def kill_running(run: str, dask_worker: Any) -> None:
    """Run on every worker when a render is interrupted: its own notebooks stop."""
    plugin = dask_worker.plugins.get(PLUGIN)
    if isinstance(plugin, WarmKernel):
        plugin.kill(run)


def _refused(task: NotebookTask, address: str, why: str) -> Result:
    return kernels.Failed(task.notebook, f"failed: worker {address} refused it: {why}"), {}


def _address() -> str:
    try:
        return str(get_worker().address)
    except ValueError:
        return "?"


def _changed_files(shared: Mapping[str, str]) -> str:
    """The first file of a shared dataset folder missing here or different, or ""."""
    for name, expected in sorted(shared.items()):
        try:
            with open(name, "rb") as handle:
                if hashlib.file_digest(handle, "sha256").hexdigest() == expected:
                    continue
        except OSError:
            pass
        return name
    return ""


def _empty(folder: Path) -> None:
    """``folder`` made and emptied, the folder itself kept."""
    folder.mkdir(parents=True, exist_ok=True)
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def _write_folder(folder: Path, files: Mapping[str, bytes]) -> None:
    """Write a folder whole: into a temporary sibling, then renamed into place."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for name, content in files.items():
            if name in ("", ".", "..") or "/" in name or "\\" in name:  # the render sends file names only
                raise ValueError(f"not a file name: {name!r}")
            (partial / name).write_bytes(content)
        os.replace(partial, folder)
    finally:
        shutil.rmtree(partial, ignore_errors=True)  # gone already, unless writing failed


def _clear_dead_workers_folders() -> None:
    """Remove the folders of this machine's workers that died without their teardown (killed,
    or restarted by their nanny): each folder names its worker's pid."""
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*-*"):
        pid = folder.name[len(FOLDER_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not psutil.pid_exists(int(pid)) and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
