"""The kernel workers: notebooks executed in a pool, each worker keeping one warm kernel.

Starting a kernel and importing pandas, pandera and matplotlib into it costs more than most of
our notebooks take to run, and on two cores that is CPU time, not waiting. So each worker
keeps one kernel and resets it between notebooks: user namespace, pandas options, matplotlib
settings and working directory. A test checks that notebooks run this way give the same
bytes as notebooks run in a fresh kernel.

Kernels talk to their worker over Unix sockets (ZeroMQ's ``ipc`` transport) in a folder of the
run's own, not over TCP: a TCP port is picked by binding a free one, closing it and handing its
number to the kernel, and between the two another process starting a kernel at the same moment
(a second render, a test suite) can take it; the kernel then dies before it answers.

A notebook's outcome is :class:`Executed` or :class:`Failed`; a failure names the cell, so one
failing notebook does not stop the others.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.util import Finalize
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from casualty_report.publishing.notebooks import QUIET_KERNEL, find_notebooks, scrub
from casualty_report.publishing.pages import export_page

#: Seconds a notebook may run (nbclient's per-cell timeout); ``render --timeout`` sets another.
NOTEBOOK_TIMEOUT = 600.0
#: A page's outputs are at most about 1 MB today; ten times that is a runaway loop, not a report.
MAX_OUTPUT_BYTES = 10 * 2**20


@dataclass(frozen=True)
class Executed:
    """A notebook that ran: its name, seconds taken, and the page exported beside it."""

    notebook: str
    seconds: float
    html: str


@dataclass(frozen=True)
class Failed:
    """A notebook that did not: ``error`` reads ``failed in cell 7 with KeyError: 'A10'``."""

    notebook: str
    error: str


Outcome = Executed | Failed


@dataclass(frozen=True)
class Task:
    """One notebook of one set, run into that set's staging folder."""

    set_name: str
    notebook: Path
    staging: Path
    parameters: Mapping[str, Any]


# --- inside a worker process ---------------------------------------------------------------------

_KERNEL: dict[str, Any] = {}  # this worker's kernel manager and client
_CONNECTIONS: dict[str, Any] = {}  # where this worker's kernels put their sockets
_STARTS = itertools.count()

# Libraries a notebook never imported have no settings to reset, and importing them only to
# reset them would cost a notebook that needs neither (the render tests' stand-ins) a second.
RESET_KERNEL = """get_ipython().run_line_magic("reset", "-f")
import os as _os, sys as _sys, warnings as _warnings
_os.chdir({cwd!r})
if "pandas" in _sys.modules:
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        _sys.modules["pandas"].reset_option("all")
if "matplotlib" in _sys.modules:
    _sys.modules["matplotlib"].rcdefaults()
del _os, _sys, _warnings
"""


def marker_path(connections: str, index: int) -> Path:
    """Where a running task's worker names itself and its kernel (see casualty_report.publishing.pool)."""
    return Path(connections) / f"running-{index}"


def warm_worker(kernel_log: str, connections: str, inherited: Sequence[int] = (), parent: int = 0) -> None:
    """Send the worker's stderr, which its kernel inherits, to a log file: kernel chatter stays
    out of what the user reads. (The heavy libraries are imported with this module, before the
    pool forks its workers.) The worker dies with its render and lets go of the render's lock,
    so a render killed by pid leaves no orphan holding it."""
    _die_with_parent(parent)
    # Ctrl-C reaches the whole process group: the render handles it and kills its workers, so a
    # worker ignores it rather than stop half-way on its own; SIGTERM ends it as the OS does.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for descriptor in inherited:
        with contextlib.suppress(OSError):
            os.close(descriptor)
    with open(kernel_log, "a", encoding="utf-8") as log:
        os.dup2(log.fileno(), 2)
    _CONNECTIONS["folder"] = connections
    Finalize(None, stop_kernel, exitpriority=10)  # runs when the pool shuts the worker down


def use_connection_folder(folder: str) -> None:
    """Where this process's kernels put their sockets (a cluster's worker: cluster_worker.py)."""
    _CONNECTIONS["folder"] = folder


def kill_kernel() -> None:
    """SIGKILL the warm kernel, if one runs: the notebook it runs fails at once, as its kernel died."""
    pid = _kernel_pid()
    if pid:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(int(pid), signal.SIGKILL)


def _die_with_parent(parent: int) -> None:
    """Linux's parent-death signal: SIGKILL this worker when the render that forked it dies,
    however it dies. Elsewhere (or if the render is already gone) the checks below suffice."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if parent and os.getppid() != parent:
        os._exit(1)  # the render died before we got here


def stop_kernel() -> None:
    km = _KERNEL.pop("km", None)
    _KERNEL.pop("kc", None)
    if km is not None:
        try:
            run_sync(km.shutdown_kernel)(now=True)
        # Shutting down: nothing useful is left to do with an error.
        except Exception:  # noqa: BLE001, S110
            pass


def _new_kernel_manager() -> AsyncKernelManager:
    """A kernel manager whose kernel listens on Unix sockets in the run's connection folder."""
    folder = _CONNECTIONS.get("folder") or tempfile.mkdtemp(prefix="casualty-kernels-")
    _CONNECTIONS["folder"] = folder
    stem = os.path.join(folder, f"k{os.getpid()}-{next(_STARTS)}")
    return AsyncKernelManager(
        kernel_name="python3", transport="ipc", ip=f"{stem}-ipc", connection_file=f"{stem}.json"
    )


def execute(
    notebook: str, staging: str, parameters: dict[str, Any], index: int = -1, timeout: float = 0
) -> Outcome:
    """Run one notebook into the staging folder and export its page; while it runs, a marker
    names this worker and its kernel, so the render can tell which task a dead worker had and
    kill its kernel if it is interrupted."""
    marker = marker_path(_CONNECTIONS["folder"], index) if index >= 0 and "folder" in _CONNECTIONS else None
    try:
        return _execute(notebook, staging, parameters, marker, timeout or NOTEBOOK_TIMEOUT)
    finally:
        if marker is not None:
            marker.unlink(missing_ok=True)


def _execute(notebook, staging, parameters, marker: Path | None, timeout: float) -> Outcome:
    source, folder = Path(notebook), Path(staging)
    executed = folder / "notebooks" / source.name
    executed.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    # Papermill's own injection, so runs look like `papermill -p …`; "." because the kernel
    # works inside the staging folder, so no random path lands in the output.
    nb = parameterize_notebook(
        load_notebook_node(str(source)),
        {**parameters, "output_dir": "."},
        kernel_name="python3",
        language="python",
    )
    if "km" not in _KERNEL or not run_sync(_KERNEL["km"].is_alive)():
        stop_kernel()
        _KERNEL["km"] = _new_kernel_manager()
    if marker is not None:
        marker.write_text(f"{os.getpid()} {_kernel_pid()}".strip())
    client = NotebookClient(
        nb,
        km=_KERNEL["km"],
        timeout=timeout,
        kernel_name="python3",
        extra_arguments=QUIET_KERNEL,
        resources={"metadata": {"path": str(folder)}},
    )
    running: dict[str, int] = {}
    client.on_cell_start = lambda cell, cell_index: running.update(index=cell_index)
    try:
        if "kc" in _KERNEL:
            kept: AsyncKernelClient = _KERNEL["kc"]  # the client this worker's manager made
            client.kc = kept
            run_sync(kept.execute_interactive)(
                RESET_KERNEL.format(cwd=str(folder)), silent=True, store_history=False, timeout=60
            )
        client.execute()
        _KERNEL["kc"] = client.kc
    except CellExecutionError as error:
        _KERNEL["kc"] = client.kc
        _keep(nb, executed)  # for the user: the failing cell holds its traceback
        return Failed(
            source.name, f"failed in cell {_cell_number(nb, running)} with {error.ename}: {error.evalue}"
        )
    except DeadKernelError:
        stop_kernel()
        _keep(nb, executed)
        return Failed(source.name, f"failed in cell {_cell_number(nb, running)}: the kernel died")
    # A timeout, a kernel that would not start…: report it and start afresh next time.
    except Exception as error:  # noqa: BLE001
        stop_kernel()
        _keep(nb, executed)
        return Failed(
            source.name, f"failed in cell {_cell_number(nb, running)}: {type(error).__name__}: {error}"
        )
    seconds = time.perf_counter() - started
    size = sum(len(str(output)) for cell in nb.cells for output in cell.get("outputs", ()))
    if size > MAX_OUTPUT_BYTES:  # a loop printing a million lines: no 45 MB page, and no hang exporting it
        return Failed(
            source.name,
            f"failed: its output is {size / 2**20:.0f} MB, "
            f"over the {MAX_OUTPUT_BYTES // 2**20} MB a page may hold",
        )
    page = folder / f"{source.stem}.html"
    try:
        page.write_text(_export(nb, executed, source), encoding="utf-8")
    except OSError as error:  # a full disk, a folder gone
        return Failed(source.name, f"could not be written: {error.strerror or error}")
    return Executed(source.name, round(seconds, 2), page.name)


def _kernel_pid() -> str:
    """The warm kernel's pid, or "" before it has started (nbclient starts it on first use)."""
    process = getattr(getattr(_KERNEL.get("km"), "provisioner", None), "process", None)
    return str(process.pid) if process is not None else ""


def _keep(nb, executed: Path) -> None:
    """Write the failed notebook for the user to open, if the disk lets us."""
    try:
        nbformat.write(nb, executed)
    except OSError:
        pass


def _cell_number(nb, running: Mapping[str, int]) -> str:
    """The failing cell as Jupyter numbers it, In [n]: code cells run in order from 1."""
    index = running.get("index")
    if index is None:
        return "?"
    return str(1 + sum(cell.cell_type == "code" for cell in nb.cells[:index]))


def _export(notebook, executed: Path, source: Path) -> str:
    """Scrub the executed notebook of run-specific metadata, write it, and return its page, linked
    to the pages of the notebooks beside its source."""
    scrub(notebook)
    nbformat.write(notebook, executed)
    return export_page(notebook, executed.stem, find_notebooks(source.parent))
