"""Rendering for people and for schedules: parameter sets run concurrently, unchanged work is
skipped, every run is published atomically and indexed.

:func:`render_sets` is the README's six steps, each in a module of its own:

1. hash what each set reads, and skip a set whose latest run had the same hash (fingerprint.py);
2. take the lock on the output folder (lock.py), clearing what a killed render left (publish.py);
3. check every set's parameters and validate its ledger, before any kernel starts;
4. run every notebook of every set in a pool of warm kernels, each page exported (worker.py);
5. publish each set whose notebooks all succeeded, keep the failing notebook otherwise
   (publish.py, with the front page from site.py);
6. append to ``history.jsonl`` (publish.py) and rewrite the site's ``index.html`` (site.py).

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
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casualty_report.errors import ParameterError, RenderError
from casualty_report.parameters import (
    ParameterSet,
    load_parameter_sets,
)
from casualty_report.paths import DEFAULT_DATASET, REPORTS_DIR
from casualty_report.publishing import fingerprint, publish
from casualty_report.publishing.fingerprint import Plan
from casualty_report.publishing.lock import RenderLock
from casualty_report.publishing.notebooks import find_notebooks
from casualty_report.publishing.publish import RunResult

if TYPE_CHECKING:
    from casualty_report.publishing.cluster import Cluster


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
    timeout: float | None = None,
    cluster: str | None = None,
) -> list[RunResult]:
    """Render every parameter set; return one result per set (published, skipped or failed).
    ``timeout``: seconds a notebook's cell may run (default ``worker.NOTEBOOK_TIMEOUT``).
    ``cluster``: a Dask scheduler's address; its workers run the notebooks (cluster.py), which
    otherwise run in this machine's pool of warm kernels (pool.py)."""
    out = Path(out) if out is not None else REPORTS_DIR
    notebooks = notebooks if notebooks is not None else find_notebooks()
    if not notebooks:
        raise RenderError("no notebooks named NN-verb-object.ipynb to render")
    log = progress or (lambda line: None)
    stamp = (today or dt.datetime.now(dt.UTC).date()).isoformat()

    # 1. What each set reads, hashed (its parameters checked on the way).
    plans = [fingerprint.plan(parameter_set, notebooks) for parameter_set in sets]
    # A cluster is reached, and its workers' code checked, before anything is touched.
    with _engine(cluster) as engine:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RenderError(f"cannot create the output folder {out}: {error.strerror or error}") from None
        # 2. The lock; what a killed render left is cleared; sets with an unchanged hash are skipped.
        with RenderLock(out, wait, log) as lock:
            publish.clear_leftovers(out, log)
            todo = [
                plan for plan in plans if force or publish.latest_hash(out, plan.name) != plan.fingerprint
            ]
            results = {
                plan.name: RunResult(plan.name, (out / "latest" / plan.name).resolve(), "skipped")
                for plan in plans
                if plan not in todo
            }
            for name in results:
                log(f"{name}: up to date (inputs unchanged; --force re-renders)")
            if todo:
                results |= _render(todo, notebooks, out, stamp, jobs, log, (lock.fileno,), timeout, engine)
    return [results[parameter_set.name] for parameter_set in sets]


@contextlib.contextmanager
def _engine(address: str | None) -> Iterator[Cluster | None]:
    """Where the notebooks run: the cluster at ``address``, or this machine's pool (None)."""
    if not address:
        yield None
        return
    from casualty_report.publishing.cluster import Cluster  # Dask, only for a cluster render

    with Cluster(address) as cluster:
        yield cluster


def render(
    out: Path | str | None = None,
    parameters: Mapping[str, Any] | None = None,
    *,
    force: bool = False,
    name: str | None = None,
    notebooks: list[Path] | None = None,
    jobs: int | None = None,
    log: Callable[[str], None] = print,
    today: dt.date | None = None,
) -> RunResult:
    """Render one parameter set; raise RenderError if it failed."""
    (result,) = render_sets(
        load_parameter_sets((), parameters, name),
        out,
        force=force,
        jobs=jobs,
        notebooks=notebooks,
        progress=log,
        today=today,
    )
    if result.status == "failed":
        raise RenderError(result.error)
    return result


def _render(
    todo: list[Plan],
    notebooks: list[Path],
    out: Path,
    stamp: str,
    jobs: int | None,
    log,
    inherited: Sequence[int] = (),
    timeout: float | None = None,
    engine: Cluster | None = None,
) -> dict[str, RunResult]:
    """Steps 3 to 6 for the sets that have work to do. Interrupted (Ctrl-C, SIGTERM), the
    workers are killed, the staging folders removed, the history and the index say so, and the
    interruption goes on; a set being published when the signal comes is published whole."""
    # Imported only now, on purpose: a render with nothing to do decides so without loading
    # pandas (the ledger), papermill and nbconvert (the worker) or matplotlib (the site), and
    # takes about half a second (README, render step 1); a bad ledger is refused before the
    # worker's and the site's libraries load.
    from casualty_report.content.findings import check as findings_hold
    from casualty_report.ledger.load import load_ledger

    # 3. Each set's ledger, its written findings, and the parameters only a ledger can check: a
    # bad set stops the whole render before any kernel starts. (Types and names were checked
    # while planning.)
    ledgers = {}  # loaded once: the front page reads the ledger the notebooks were checked against
    for plan in todo:
        dataset = plan.parameters.get("dataset", DEFAULT_DATASET)
        ledger = ledgers[plan.name] = findings_hold(load_ledger(dataset, plan.parameters.get("data_dir")))
        unknown = ledger.unknown_place(plan.parameters.get("scope"))
        if unknown:
            raise ParameterError(f"set {plan.name}: {unknown}")

    from casualty_report.publishing import pool, worker
    from casualty_report.publishing.changes import keep_ledger

    stagings = {plan.name: publish.staging_folder(out, plan.name, stamp) for plan in todo}
    started = time.perf_counter()
    try:
        for plan in todo:  # the ledger as the notebooks are about to read it, for the next run to compare
            keep_ledger(stagings[plan.name], plan.parameters)
        # 4. Every notebook of every set, in a pool of warm kernels here or on the cluster's workers.
        tasks = [
            worker.Task(plan.name, notebook, stagings[plan.name], plan.parameters)
            for plan in todo
            for notebook in notebooks
        ]
        kernel_log = out / "logs" / "kernels.log"
        kernel_log.parent.mkdir(exist_ok=True)
        results: dict[str, RunResult] = {}
        try:
            seconds = timeout or worker.NOTEBOOK_TIMEOUT
            if engine is None:
                outcomes = pool.run_all(tasks, jobs, kernel_log, log, inherited=inherited, timeout=seconds)
                where = f"with {pool.pool_size(jobs, len(tasks))} worker(s)"
            else:
                outcomes = engine.run_all(tasks, log, seconds)
                where = f"on the cluster at {engine.address} ({engine.workers} worker(s))"
            ran = time.perf_counter()
            # 5. Publish each set whose notebooks all succeeded; keep the failures of the others.
            _publish_all(todo, ledgers, notebooks, outcomes, stagings, out, stamp, log, results)
        except KeyboardInterrupt:  # every set not yet published says so; the index is rewritten
            for plan in todo:
                if plan.name not in results:
                    publish.append_history(
                        out,
                        plan.name,
                        stamp,
                        "failed",
                        plan.parameters,
                        "",
                        INTERRUPTED,
                        because="interrupted",
                    )
                    log(f"{plan.name}: FAILED: {INTERRUPTED}")
            _rewrite_index(out, log)
            raise
        done = time.perf_counter()
        log(
            f"rendered {len(tasks)} notebooks of {len(todo)} set(s) {where} in {done - started:.1f} s "
            f"(notebooks {ran - started:.1f} s, publishing {done - ran:.1f} s)"
        )
    finally:
        for staging in stagings.values():
            shutil.rmtree(staging, ignore_errors=True)

    # 6. The site's index, from the history each run appended to.
    _rewrite_index(out, log)
    return results


def _publish_all(todo, ledgers, notebooks, outcomes, stagings, out, stamp, log, results) -> None:
    """Step 5, set by set, into ``results``."""
    from casualty_report.publishing import site, worker

    commit = publish.git_commit()
    for plan in todo:
        staging = stagings[plan.name]
        ran = [outcomes[plan.name, notebook.name] for notebook in notebooks]
        failures = [outcome for outcome in ran if isinstance(outcome, worker.Failed)]
        try:
            if failures:
                results[plan.name] = publish.keep_failure(out, plan, failures, staging, stamp, log)
                continue
            summary = site.write_front_page(
                staging,
                set_name=plan.name,
                ledger=ledgers[plan.name],
                parameters=plan.parameters,
                rendered_on=stamp,
                commit=commit,
                pages=[(staging / "notebooks" / executed.notebook, executed.html) for executed in ran],
                previous=_previous_run(out, plan.name, stamp),
            )
            with publish.signals_held():  # the swap, latest and history: all or nothing
                results[plan.name] = publish.publish_run(
                    out, plan, ran, staging, stamp, summary=summary, commit=commit, log=log
                )
        except (OSError, ValueError) as error:  # a full disk, a read-only folder, an undocumented column
            reason = getattr(error, "strerror", None) or error
            message = f"could not publish: {reason}; the published report is unchanged"
            log(f"{plan.name}: FAILED: {message}")
            results[plan.name] = RunResult(plan.name, out, "failed", error=message)


def _previous_run(out: Path, name: str, stamp: str) -> Path | None:
    """The published run a new one is compared with: the set's latest, or, when that is today's
    (which the new run replaces), the run today's was compared with."""
    from casualty_report.publishing import changes

    latest = out / "latest" / name
    if publish.read_manifest(out, latest) is None:
        return None
    previous = latest.resolve()
    if previous.name != f"{name}-{stamp}":
        return previous
    before = (changes.read(previous) or {}).get("previous")
    earlier = out / before if isinstance(before, str) and before else None
    return earlier if earlier is not None and publish.read_manifest(out, earlier) else None


INTERRUPTED = "interrupted (Ctrl-C or SIGTERM) before it published; the published report is unchanged"


def _rewrite_index(out: Path, log) -> None:
    from casualty_report.publishing import site

    try:
        site.write_index(out, log)
    except (OSError, ValueError, TypeError) as error:  # never fatal: the runs are published
        log(f"could not rewrite {out / 'index.html'}: {getattr(error, 'strerror', None) or error}")
