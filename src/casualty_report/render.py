"""Rendering for people and for schedules: parameter sets run concurrently, unchanged work is
skipped, every run is published atomically and indexed.

Layout of ``<out>`` (default ``reports/``)::

    index.html                 each set's headline and latest run, then every run (site.py)
    history.jsonl              one line per run, successful or not (the index is built from it)
    latest/<set>               symlink to the newest successful run of each set
    <set>-<YYYY-MM-DD>/        one run: the render date in UTC, so a daily schedule keeps a
                               history and a second run the same day replaces the first
        index.html             the report's front page (site.py)
        NN-verb-object.html    each executed notebook as a page, opening offline (pages.py)
        notebooks/             the executed notebooks
        figures/ tables/       what the notebooks wrote
        datapackage.json       the tables' codebook (codebook.py)
        manifest.json          parameters, input hashes, versions, git commit, timings, headline
    failed/<set>/              the failing notebook of the last failed run of a set
    logs/kernels.log           what the kernels printed on stderr (kept out of the terminal)

A run renders into a staging folder beside its target and is renamed into place only when all
its notebooks succeeded, so a failed or killed run leaves the published report as it was. One
lock (``.render.lock``, an flock the OS releases when its holder dies) keeps two renders from
writing at once; the second waits, then finds the work done.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

from casualty_report.notebooks import QUIET_KERNEL, find_notebooks, scrub
from casualty_report.parameters import defaults, problems
from casualty_report.paths import DEFAULT_DATASET, REPO_ROOT, REPORTS_DIR, dataset_dir

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
#: Libraries whose versions change outputs: part of the input hash and the manifest.
TRACKED_PACKAGES = ("pandas", "pandera", "matplotlib", "numpy", "papermill", "nbconvert", "ipykernel", "nh3", "Jinja2",
                    "mistune")  # fmt: skip
SET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
LOCK_FILE = ".render.lock"


class RenderError(RuntimeError):
    """A render could not start or a notebook failed; the message says which and where."""


class ParameterError(RenderError):
    """A parameter or parameter set is malformed, unknown or reserved."""


class BusyError(RenderError):
    """Another render held the lock for longer than we were willing to wait."""


@dataclass(frozen=True)
class ParameterSet:
    name: str
    parameters: Mapping[str, Any]


class _Plan(NamedTuple):
    """A set about to be rendered: what it reads and the hash that decides whether to."""

    set: ParameterSet
    parameters: dict[str, Any]  # with data_dir made absolute
    hashes: dict[str, str]
    fingerprint: str


@dataclass
class NotebookResult:
    notebook: str
    seconds: float
    html: str


@dataclass
class RunResult:
    name: str
    directory: Path
    status: str  # published, skipped, failed
    notebooks: list[NotebookResult] = field(default_factory=list)
    error: str = ""

    @property
    def skipped(self) -> bool:
        return self.status == "skipped"


# --- parameters ---------------------------------------------------------------------------------


def parse_parameter(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` -> (key, value); the value is read as JSON when it parses, else as text.

    So ``scope=Almaty`` gives "Almaty", ``figure_formats=["png"]`` a list, ``data_dir=null`` None.
    """
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ParameterError(f"parameter {text!r} is not KEY=VALUE (e.g. -p scope=Almaty)")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key.strip(), value


def run_name(parameters: Mapping[str, Any]) -> str:
    """A set name for ad-hoc parameters: ``default``, or e.g. ``scope-almaty``."""
    if not parameters:
        return "default"
    parts = [f"{key}-{value}" for key, value in sorted(parameters.items())]
    return re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")[:80] or "default"


def load_parameter_sets(
    files: Sequence[Path | str] = (), overrides: Mapping[str, Any] | None = None, name: str | None = None
) -> list[ParameterSet]:
    """Parameter sets from YAML files (one mapping each, named after the file), with
    ``overrides`` applied on top; without files, one set of the overrides alone.

    A file with overrides on top is another set, named for both (``national-scope-almaty``), so
    ``-p`` can never publish something else as a shipped set's ``latest``.
    """
    import yaml

    from casualty_report.parameters import load_yaml

    overrides = dict(overrides or {})
    if not files:
        return [ParameterSet(_checked_name(name or run_name(overrides)), overrides)]
    sets = []
    for file in map(Path, files):
        try:
            values = load_yaml(file.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            reason = " ".join(str(error).split())[:200]
            raise ParameterError(f"{file}: not a readable YAML parameter set ({reason})") from None
        if not isinstance(values, dict) or not all(isinstance(key, str) for key in values):
            raise ParameterError(f"{file}: expected a mapping of parameter names to values")
        named = file.stem if not overrides else f"{file.stem}-{run_name(overrides)}"[:80].rstrip("-")
        sets.append(ParameterSet(_checked_name(named), {**values, **overrides}))
    if len({s.name for s in sets}) != len(sets):
        raise ParameterError("two parameter set files share a name: " + ", ".join(s.name for s in sets))
    return sets


def _checked_name(name: str) -> str:
    if not SET_NAME.match(name):
        raise ParameterError(f"set name {name!r}: use lower-case letters, digits and '-' (e.g. national)")
    return name


def check_parameters(parameters: Mapping[str, Any]) -> None:
    """Refuse unknown, reserved or ill-typed parameters, before any kernel starts."""
    found = problems(parameters)
    if found:
        raise ParameterError("; ".join(found))


# --- what a run depends on -------------------------------------------------------------------


def input_files(notebooks: Iterable[Path], parameters: Mapping[str, Any]) -> list[Path]:
    """Every file a run reads: notebooks, the dataset folder, the package."""
    ledger_dir = dataset_dir(parameters.get("dataset", DEFAULT_DATASET), parameters.get("data_dir"))
    package = sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    data = sorted(p for p in ledger_dir.glob("*") if p.is_file()) if ledger_dir.is_dir() else []
    return [*notebooks, *data, *package]


def file_hashes(paths: Iterable[Path]) -> dict[str, str]:
    hashes = {}
    for path in paths:
        try:
            shown = str(path.relative_to(REPO_ROOT))
        except ValueError:
            shown = str(path)
        hashes[shown] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def fingerprint(hashes: Mapping[str, str], parameters: Mapping[str, Any]) -> str:
    """One hash of the inputs, the parameters and the library versions: unchanged means skip."""
    digest = hashlib.sha256()
    digest.update(json.dumps(hashes, sort_keys=True).encode())
    digest.update(json.dumps(dict(parameters), sort_keys=True, default=str).encode())
    digest.update(json.dumps(_versions(), sort_keys=True).encode())
    return digest.hexdigest()


# --- the render -------------------------------------------------------------------------------


def render_sets(
    sets: Sequence[ParameterSet],
    out: Path | str | None = None,
    *,
    force: bool = False,
    jobs: int | None = None,
    notebooks: list[Path] | None = None,
    wait: float = 600.0,
    progress: Callable[[str], None] | None = None,
    today: dt.date | None = None,
) -> list[RunResult]:
    """Render every parameter set; return one result per set (published, skipped or failed)."""
    out = Path(out) if out is not None else REPORTS_DIR
    notebooks = notebooks if notebooks is not None else find_notebooks()
    if not notebooks:
        raise RenderError("no notebooks named NN-verb-object.ipynb to render")
    log = progress or (lambda line: None)
    stamp = (today or dt.datetime.now(dt.UTC).date()).isoformat()

    plans = []
    for parameter_set in sets:
        try:
            check_parameters(parameter_set.parameters)
        except ParameterError as error:
            raise ParameterError(f"set {parameter_set.name}: {error}") from None
        # Every parameter explicit: a default edited in a notebook cannot change a set.
        parameters = _absolute_data_dir({**defaults(), **parameter_set.parameters})
        hashes = file_hashes(input_files(notebooks, parameters))
        plans.append(_Plan(parameter_set, parameters, hashes, fingerprint(hashes, parameters)))

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RenderError(f"cannot create the output folder {out}: {error.strerror or error}") from None
    with _lock(out, wait, log):
        _clear_leftovers(out, log)
        todo = [plan for plan in plans if force or _latest_hash(out, plan.set.name) != plan.fingerprint]
        results = {
            plan.set.name: RunResult(plan.set.name, (out / "latest" / plan.set.name).resolve(), "skipped")
            for plan in plans
            if plan not in todo
        }
        for name in results:
            log(f"{name}: up to date (inputs unchanged; --force re-renders)")
        if todo:
            _validate(todo)
            results |= _run(todo, notebooks, out, stamp, jobs, log)
            try:
                write_index(out)
            except OSError as error:
                log(f"could not rewrite {out / 'index.html'}: {error.strerror or error}")
    return [results[parameter_set.name] for parameter_set in sets]


def render(
    out: Path | str | None = None,
    parameters: Mapping[str, Any] | None = None,
    *,
    force: bool = False,
    name: str | None = None,
    notebooks: list[Path] | None = None,
    log: Callable[[str], None] = print,
    today: dt.date | None = None,
) -> RunResult:
    """Render one parameter set; raise RenderError if it failed."""
    (result,) = render_sets(
        load_parameter_sets((), parameters, name),
        out,
        force=force,
        notebooks=notebooks,
        progress=log,
        today=today,
    )
    if result.status == "failed":
        raise RenderError(result.error)
    return result


def _absolute_data_dir(parameters: Mapping[str, Any]) -> dict[str, Any]:
    # Kernels run inside their staging folder: keep a relative data_dir meaning what the caller meant.
    parameters = dict(parameters)
    if parameters.get("data_dir") is not None:
        parameters["data_dir"] = str(Path(parameters["data_dir"]).resolve())
    return parameters


def _validate(todo: list[_Plan]) -> None:
    """Each set's ledger, and the parameters only a ledger can check, before any kernel starts:
    a bad set stops the whole render. (Types and names were checked while planning.)"""
    from casualty_report.ledger import load_ledger
    from casualty_report.parameters import ledger_problems

    for plan in todo:
        ledger = load_ledger(plan.parameters.get("dataset", DEFAULT_DATASET), plan.parameters.get("data_dir"))
        found = ledger_problems(plan.parameters, set(ledger.claims["scope"]))
        if found:
            raise ParameterError(f"set {plan.set.name}: {'; '.join(found)}")


def _run(
    todo: list[_Plan], notebooks: list[Path], out: Path, stamp: str, jobs: int | None, log
) -> dict[str, RunResult]:
    """Execute every (set, notebook) in a bounded pool, then publish each set that succeeded."""
    stagings = {
        plan.set.name: Path(tempfile.mkdtemp(prefix=f".{plan.set.name}-{stamp}.staging-", dir=out))
        for plan in todo
    }
    for staging in stagings.values():
        staging.chmod(0o755)  # mkdtemp makes it private; a published report is for reading
    tasks = [(plan, notebook) for plan in todo for notebook in notebooks]
    outcomes: dict[str, dict[str, NotebookResult | str]] = {plan.set.name: {} for plan in todo}
    workers = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    started = time.perf_counter()
    try:
        kernel_log = out / "logs" / "kernels.log"
        kernel_log.parent.mkdir(exist_ok=True)
        with ProcessPoolExecutor(
            max_workers=workers, initializer=_warm_worker, initargs=(str(kernel_log),)
        ) as pool:
            futures = {
                pool.submit(_execute, str(notebook), str(stagings[plan.set.name]), plan.parameters): (
                    plan.set.name,
                    notebook,
                )
                for plan, notebook in tasks
            }
            with _progress_bar(len(futures)) as bar:
                for future in as_completed(futures):
                    set_name, notebook = futures[future]
                    outcome = future.result()
                    outcomes[set_name][notebook.name] = (
                        NotebookResult(**outcome) if isinstance(outcome, dict) else outcome
                    )
                    status = "ok" if isinstance(outcome, dict) else "FAILED"
                    bar(f"{set_name}: {notebook.name} {status}", log)
        results = {}
        for plan in todo:
            try:
                results[plan.set.name] = _publish(
                    plan, notebooks, outcomes[plan.set.name], stagings[plan.set.name], out, stamp, log
                )
            except (OSError, ValueError) as error:  # a full disk, a read-only folder, an undocumented column
                reason = getattr(error, "strerror", None) or error
                message = f"could not publish: {reason}; the published report is unchanged"
                log(f"{plan.set.name}: FAILED: {message}")
                results[plan.set.name] = RunResult(plan.set.name, out, "failed", error=message)
        log(
            f"rendered {len(tasks)} notebooks of {len(todo)} set(s) with {workers} worker(s) in {time.perf_counter() - started:.1f} s"
        )
        return results
    finally:
        for staging in stagings.values():
            shutil.rmtree(staging, ignore_errors=True)


def _publish(plan: _Plan, notebooks, outcomes, staging: Path, out: Path, stamp: str, log) -> RunResult:
    name, parameters = plan.set.name, plan.parameters
    failures = {nb: error for nb, error in outcomes.items() if isinstance(error, str)}
    if failures:
        kept = out / "failed" / name
        message = "; ".join(f"{nb} {error}" for nb, error in sorted(failures.items()))
        try:
            shutil.rmtree(kept, ignore_errors=True)
            kept.mkdir(parents=True)
            for notebook_name in failures:
                if (staging / "notebooks" / notebook_name).exists():
                    shutil.copy2(staging / "notebooks" / notebook_name, kept / notebook_name)
            message += f"\nthe failed notebook is kept in {kept}; the published report is unchanged"
        except OSError as error:
            message += f"\nthe failed notebook could not be kept ({error.strerror or error}); the published report is unchanged"
        log(f"{name}: FAILED: {message}")
        _append_history(out, name, stamp, "failed", parameters, "", message)
        return RunResult(name, kept, "failed", error=message)

    results = [outcomes[notebook.name] for notebook in notebooks]
    commit = _git_commit()
    headline = _write_front_page(staging, name, parameters, results, stamp, commit)
    manifest = {
        "set": name,
        "parameters": parameters,
        "rendered_on": stamp,
        "inputs_hash": plan.fingerprint,
        "input_files": plan.hashes,
        "versions": _versions(),
        "python": sys.version.split()[0],
        "git_commit": commit,
        "headline": headline,
        "notebooks": [{**vars(result), "outcome": "ok"} for result in results],
    }
    (staging / "manifest.json").write_text(
        json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8"
    )
    target = out / f"{name}-{stamp}"
    _swap_into_place(staging, target)
    _point_latest(out, name, target)
    shutil.rmtree(out / "failed" / name, ignore_errors=True)  # an earlier failure is now fixed
    _append_history(out, name, stamp, "published", parameters, target.name, "")
    log(f"{name}: published {target}")
    return RunResult(name, target, "published", results)


def _write_front_page(
    staging: Path, name: str, parameters, results: list[NotebookResult], stamp: str, commit
) -> str:
    """The run's codebook and front page; returns its headline finding."""
    from casualty_report.codebook import write_datapackage
    from casualty_report.site import write_run_page

    if (staging / "tables").is_dir():
        write_datapackage(staging, name=f"casualty-report-{name}", title=f"Casualty report tables: {name}",
                          description="The tables of one rendered run of the casualty report, one row per "
                          "claim, total or estimate; every figure traces to a claim in the ledger.")  # fmt: skip
    pages = [(staging / "notebooks" / result.notebook, result.html) for result in results]
    return write_run_page(
        staging, set_name=name, parameters=parameters, pages=pages, rendered_on=stamp, commit=commit
    )


# --- the worker: imports and a kernel paid once, then one notebook per task -------------------
#
# Starting a kernel and importing pandas, pandera and matplotlib into it costs more than most of
# our notebooks take to run, and on two cores that is CPU time, not waiting. So each worker
# keeps one kernel and resets it between notebooks: user namespace, pandas options, matplotlib
# settings and working directory. A test checks that notebooks run this way give the same
# bytes as notebooks run in a fresh kernel.

_KERNEL: dict[str, Any] = {}  # this worker's kernel manager and client

RESET_KERNEL = """get_ipython().run_line_magic("reset", "-f")
import os as _os, warnings as _warnings, pandas as _pd, matplotlib as _mpl
_os.chdir({cwd!r})
with _warnings.catch_warnings():
    _warnings.simplefilter("ignore")
    _pd.reset_option("all")
_mpl.rcdefaults()
del _os, _warnings, _pd, _mpl
"""


def _warm_worker(kernel_log: str) -> None:
    """Import the heavy libraries once per worker process, and send the worker's stderr, which
    its kernel inherits, to a log file: kernel chatter stays out of what the user reads."""
    from multiprocessing.util import Finalize

    with open(kernel_log, "a", encoding="utf-8") as log:
        os.dup2(log.fileno(), 2)
    import nbclient  # noqa: F401
    import nbconvert  # noqa: F401
    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    Finalize(None, _stop_kernel, exitpriority=10)  # runs when the pool shuts the worker down


def _stop_kernel() -> None:
    from jupyter_core.utils import run_sync

    km = _KERNEL.pop("km", None)
    _KERNEL.pop("kc", None)
    if km is not None:
        try:
            run_sync(km.shutdown_kernel)(now=True)
        # Shutting down: nothing useful is left to do with an error.
        except Exception:  # noqa: BLE001, S110
            pass


def _execute(notebook: str, staging: str, parameters: dict[str, Any]) -> dict[str, Any] | str:
    """Run one notebook into the staging folder and export its page. An error comes back as
    text naming the cell, so one failing notebook does not stop the others."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, DeadKernelError
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

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
        _stop_kernel()
        _KERNEL["km"] = AsyncKernelManager(kernel_name="python3")
    client = NotebookClient(
        nb, km=_KERNEL["km"], timeout=600, kernel_name="python3", extra_arguments=QUIET_KERNEL,
        resources={"metadata": {"path": str(folder)}},
    )  # fmt: skip
    running: dict[str, int] = {}
    client.on_cell_start = lambda cell, cell_index: running.update(index=cell_index)
    try:
        if "kc" in _KERNEL:
            client.kc = _KERNEL["kc"]
            run_sync(client.kc.execute_interactive)(
                RESET_KERNEL.format(cwd=str(folder)), silent=True, store_history=False, timeout=60
            )
        client.execute()
        _KERNEL["kc"] = client.kc
    except CellExecutionError as error:
        _KERNEL["kc"] = client.kc
        _keep(nb, executed)  # for the user: the failing cell holds its traceback
        return f"failed in cell {_cell_number(nb, running)} with {error.ename}: {error.evalue}"
    except DeadKernelError:
        _stop_kernel()
        _keep(nb, executed)
        return f"failed in cell {_cell_number(nb, running)}: the kernel died"
    # A timeout, a broken kernel…: report it and start afresh next time.
    except Exception as error:  # noqa: BLE001
        _stop_kernel()
        _keep(nb, executed)
        return f"failed in cell {_cell_number(nb, running)}: {type(error).__name__}: {error}"
    seconds = time.perf_counter() - started
    page = folder / f"{source.stem}.html"
    try:
        page.write_text(_publish_executed(nb, executed), encoding="utf-8")
    except OSError as error:  # a full disk, a folder gone
        return f"could not be written: {error.strerror or error}"
    return {"notebook": source.name, "seconds": round(seconds, 2), "html": page.name}


def _keep(nb, executed: Path) -> None:
    """Write the failed notebook for the user to open, if the disk lets us."""
    import nbformat

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


def _publish_executed(notebook, executed: Path) -> str:
    """Scrub the executed notebook of run-specific metadata, write it, and return its page."""
    import nbformat

    from casualty_report.pages import export_page

    scrub(notebook)
    nbformat.write(notebook, executed)
    return export_page(notebook, executed.stem)


# --- publishing, the lock, the index ----------------------------------------------------------


class _lock:
    """An exclusive flock on ``<out>/.render.lock``. The OS drops it when the holder exits,
    however it exits, so a lock left by a killed render never blocks the next one."""

    def __init__(self, out: Path, wait: float, log) -> None:
        self.path, self.wait, self.log = out / LOCK_FILE, wait, log

    def __enter__(self):
        try:
            self.handle = open(self.path, "a+")
        except OSError as error:
            raise RenderError(
                f"cannot write in the output folder {self.path.parent}: {error.strerror or error}"
            ) from None
        deadline, told = time.monotonic() + self.wait, False
        while True:
            try:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    self.handle.close()
                    raise BusyError(f"another render (pid {self._holder()}) holds {self.path}") from None
                if not told:
                    self.log(f"waiting for another render (pid {self._holder()}) to finish")
                    told = True
                time.sleep(0.2)
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"{os.getpid()}\n")
        self.handle.flush()
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()

    def _holder(self) -> str:
        try:
            lines = self.path.read_text().split()
        except OSError:
            return "unknown"
        return lines[-1] if lines else "unknown"


def _clear_leftovers(out: Path, log) -> None:
    """Remove what a killed render left behind (staging and swap folders). Only called with the
    lock held, so no other render can be writing them."""
    for swap in sorted(out.glob(".*.previous-*")):
        for kept in swap.iterdir():  # killed between the two renames of a swap: put it back
            if not (out / kept.name).exists():
                os.replace(kept, out / kept.name)
                log(f"restored {kept.name} from an interrupted swap")
    for leftover in sorted(out.glob(".*.staging-*")) + sorted(out.glob(".*.previous-*")):
        shutil.rmtree(leftover, ignore_errors=True)
        log(f"removed {leftover.name}, left by an interrupted render")


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
    os.replace(temporary, latest / name)


def _latest_hash(out: Path, name: str) -> str | None:
    try:
        manifest = json.loads((out / "latest" / name / "manifest.json").read_text(encoding="utf-8"))
        return manifest.get("inputs_hash")
    except (OSError, ValueError):
        return None


def _append_history(
    out: Path, name: str, stamp: str, status: str, parameters, folder: str, error: str
) -> None:
    entry = {
        "set": name,
        "rendered_on": stamp,
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "status": status,
        "parameters": parameters,
        "folder": folder,
        "error": error,
    }
    with (out / "history.jsonl").open("a", encoding="utf-8") as history:
        history.write(json.dumps(entry, sort_keys=True, default=str) + "\n")


def read_history(out: Path) -> list[dict[str, Any]]:
    try:
        lines = (out / "history.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    entries = []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue  # a line cut short by a crash: skip it, keep the rest
    return entries


def write_index(out: Path) -> None:
    """``<out>/index.html``: each set's latest report with its headline, then every run."""
    from casualty_report.site import write_site_index

    write_site_index(out, read_history(out))


class _progress_bar:
    """tqdm on a terminal; plain log lines otherwise (cron, CI, pipes)."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.bar = total, 0, None

    def __enter__(self):
        if sys.stderr.isatty():
            from tqdm import tqdm

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


def _git_commit() -> str | None:
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


def _versions() -> dict[str, str]:
    return {package: metadata.version(package) for package in TRACKED_PACKAGES}
