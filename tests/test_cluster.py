"""``render --cluster``: the notebooks run on a Dask cluster's workers, on loopback.

A ``LocalCluster`` of two worker processes on 127.0.0.1, started and stopped here, renders
shared sets (conftest.SHARED_SETS: both real events and a fictional one with a data_dir) and
must publish the bytes the local pool published. The faults
render the tiny stand-in notebooks: a worker killed mid-notebook (the task runs again, or the
set fails naming it), a scheduler that cannot be reached or goes away, workers that run other
code. Nothing leaves the machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from distributed import Client, LocalCluster

from casualty_report.paths import CLUSTER_ENV, REPO_ROOT
from casualty_report.publishing import cluster_worker
from casualty_report.publishing.cluster import _inside
from casualty_report.publishing.render import render_sets
from casualty_report.publishing.worker import Failed

from .conftest import TINY_NOTEBOOKS, broken_tiny_notebooks, copy_reports, explain, main_in_process
from .test_render import TODAY, tree
from .test_render_processes import cli

#: Seconds the CLI waits for a scheduler that does not answer: a test need not wait Dask's 30.
QUICK_CONNECT = {"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "3s"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as local:
        yield local


@dataclass
class Asleep:
    """A copy of the tiny reports to render into, with the second notebook asleep once
    (:func:`asleep_once`): what the fault tests kill, interrupt or pull the scheduler from under."""

    out: Path
    flags: Path
    notebooks: Path
    before: dict

    @property
    def published(self) -> Path:
        return self.out / f"default-{TODAY}"

    def render(self, address: str) -> subprocess.Popen:
        args = ("render", "--out", str(self.out), "--force", "--cluster", address)
        return cli(*args, notebooks=self.notebooks, env=QUICK_CONNECT)

    def unchanged(self) -> bool:
        """The published run as it was, no staging folder left."""
        return tree(self.published) == self.before and not list(self.out.glob(".*.staging-*"))


@pytest.fixture
def asleep(shared_tiny_reports, tmp_path) -> Asleep:
    out = copy_reports(shared_tiny_reports, tmp_path / "reports")
    flags = tmp_path / "flags"
    flags.mkdir()
    notebooks = broken_tiny_notebooks(tmp_path / "asleep-once", asleep_once(flags))
    return Asleep(out, flags, notebooks, tree(out / f"default-{TODAY}"))


def without_timings(manifest: Path) -> dict:
    """A run's manifest but for the seconds each notebook took, which no two runs share."""
    data = json.loads(manifest.read_text(encoding="utf-8"))
    for notebook in data["notebooks"]:
        notebook.pop("seconds")
    return data


def test_a_cluster_render_publishes_the_bytes_a_local_render_published(
    cluster, shared_sets, shared_runs, tmp_path
):
    """Three of the shared sets: both real events, whose datasets the render ships to the workers,
    and the fictional one, whose data_dir the workers read in place; 15 notebooks, so each warm
    kernel runs notebooks of more than one event. (The other two shared sets only narrow the
    same ledger by place or date: what differs on a cluster is the kernel, not the parameters.)"""
    keys = ("default", "karakalpakstan", "exampleland")
    out = tmp_path / "reports"
    lines: list[str] = []
    results = render_sets(
        [shared_sets[key] for key in keys], out, progress=lines.append, cluster=cluster.scheduler_address
    )
    assert [result.status for result in results] == ["published"] * len(results), [r.error for r in results]
    assert any(f"on the cluster at {cluster.scheduler_address} (2 worker(s))" in line for line in lines)
    for key in keys:
        local = shared_runs[key]
        remote = (out / "latest" / shared_sets[key].name).resolve()
        files = sorted(path.relative_to(local) for path in local.rglob("*") if path.is_file())
        assert files == sorted(path.relative_to(remote) for path in remote.rglob("*") if path.is_file())
        assert len(files) > 20, key  # pages, notebooks, tables, figures, codebook, front page
        for relative in files:
            if relative.name == "manifest.json":
                assert without_timings(remote / relative) == without_timings(local / relative), key
            else:
                assert (remote / relative).read_bytes() == (local / relative).read_bytes(), (
                    f"{key}: {relative}"
                )


def test_kernels_stay_warm_from_one_render_to_the_next(cluster, shared_tiny_reports, tmp_path):
    """The warm-kernel plugin is registered once per worker: a second render (or one from
    another machine) finds it and never restarts the kernels another render may be using."""
    out = copy_reports(shared_tiny_reports, tmp_path / "reports")
    args = ("render", "--out", str(out), "--force", "--cluster", cluster.scheduler_address)
    first = main_in_process(*args, "--notebooks", str(TINY_NOTEBOOKS))
    assert first.returncode == 0, explain(first, out)
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        before = client.run(warm_kernel_pid)
        second = main_in_process(*args, "--notebooks", str(TINY_NOTEBOOKS))
        after = client.run(warm_kernel_pid)
    assert second.returncode == 0, explain(second, out)
    assert all(before.values()) and after == before


def test_a_killed_worker_costs_a_retry_on_another_and_the_set_publishes(cluster, asleep):
    render = asleep.render(cluster.scheduler_address)
    worker_pid, kernel_pid = wait_for_start(asleep.flags, render)
    os.kill(worker_pid, signal.SIGKILL)  # the Dask worker running 02, mid-notebook
    stdout, stderr = render.communicate(timeout=120)
    assert render.returncode == 0, explain(subprocess.CompletedProcess([], 0, stdout, stderr), asleep.out)
    assert "[2/2] default: 02-say-when.ipynb ok" in stdout
    assert (asleep.flags / "reran").exists()  # the second run of 02 found the first one's mark
    assert history(asleep.out)[-1]["status"] == "published"
    # The killed worker's kernel does not outlive it (ipykernel watches its parent).
    assert gone(kernel_pid), f"kernel {kernel_pid} outlived its worker"
    cluster.wait_for_workers(2, timeout=60)  # the nanny has restarted the killed worker


def test_a_notebook_whose_workers_all_died_fails_its_set_by_name(cluster, asleep):
    scheduler = cluster.scheduler
    allowed, scheduler.allowed_failures = scheduler.allowed_failures, 0  # no retry: the first death is final
    try:
        render = asleep.render(cluster.scheduler_address)
        worker_pid, _ = wait_for_start(asleep.flags, render)
        os.kill(worker_pid, signal.SIGKILL)
        stdout, stderr = render.communicate(timeout=120)
    finally:
        scheduler.allowed_failures = allowed
    assert render.returncode == 1, stdout + stderr
    assert (
        "render failed: set default: 02-say-when.ipynb failed: the worker running it died "
        "(killed, or out of memory)" in stderr
    )
    assert asleep.unchanged()
    assert history(asleep.out)[-1]["status"] == "failed"
    cluster.wait_for_workers(2, timeout=60)  # the nanny has restarted the killed worker


def test_an_interrupted_cluster_render_stops_its_kernels_and_says_so(cluster, asleep):
    render = asleep.render(cluster.scheduler_address)
    _, kernel_pid = wait_for_start(asleep.flags, render)
    render.send_signal(signal.SIGINT)  # Ctrl-C
    stdout, stderr = render.communicate(timeout=60)
    assert render.returncode == 130, stdout + stderr
    assert gone(kernel_pid), f"kernel {kernel_pid} still runs the interrupted notebook"
    assert not (asleep.flags / "reran").exists()  # cancelled, not run again
    assert asleep.unchanged()
    last = history(asleep.out)[-1]
    assert last["status"] == "failed" and "interrupted" in last["error"]


def test_a_scheduler_that_cannot_be_reached_stops_the_render_before_anything_is_touched(
    shared_tiny_reports, tmp_path, monkeypatch
):
    out = copy_reports(shared_tiny_reports, tmp_path / "reports")
    before = mtimes(out)
    address = f"tcp://127.0.0.1:{free_port()}"
    monkeypatch.setenv(CLUSTER_ENV, address)  # as a scheduler sets it, with no --cluster
    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "1s")
    import dask

    dask.config.refresh()
    try:
        result = main_in_process("render", "--out", str(out), "--force", "--notebooks", str(TINY_NOTEBOOKS))
    finally:
        monkeypatch.undo()
        dask.config.refresh()
    assert result.returncode == 1, explain(result)
    assert f"render failed: cannot reach the Dask scheduler at {address} within 1s" in result.stderr
    assert "nothing was rendered and the published report is unchanged" in result.stderr
    assert mtimes(out) == before  # no lock, no history line


def test_workers_running_other_libraries_are_refused_before_anything_is_touched(
    cluster, shared_tiny_reports, tmp_path
):
    out = copy_reports(shared_tiny_reports, tmp_path / "reports")
    before = mtimes(out)
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        client.register_plugin(cluster_worker.WarmKernel(), name=cluster_worker.PLUGIN)  # as a render does
        client.run(pretend_pandas, "0.0.1")
        try:
            result = main_in_process(
                "render", "--out", str(out), "--force", "--cluster", cluster.scheduler_address,
                "--notebooks", str(TINY_NOTEBOOKS),
            )  # fmt: skip
        finally:
            client.run(pretend_pandas, None)
    assert result.returncode == 1, explain(result)
    assert "runs other code than this render (pandas 0.0.1 there, " in result.stderr
    assert "start the scheduler and the workers from the render's checkout and lock file" in result.stderr
    assert mtimes(out) == before


def test_a_worker_that_cannot_start_the_warm_kernel_stops_the_render_in_one_line(
    cluster, shared_tiny_reports, tmp_path
):
    out = copy_reports(shared_tiny_reports, tmp_path / "reports")
    before = mtimes(out)
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        client.unregister_worker_plugin(cluster_worker.PLUGIN)  # a worker that never had it
        client.run(break_warm_kernel, True)  # as a worker without the package, or a broken one
        try:
            result = main_in_process(
                "render", "--out", str(out), "--force", "--cluster", cluster.scheduler_address,
                "--notebooks", str(TINY_NOTEBOOKS),
            )  # fmt: skip
        finally:
            client.run(break_warm_kernel, False)
            client.unregister_worker_plugin(cluster_worker.PLUGIN)  # the next render sets it up afresh
    assert result.returncode == 1, explain(result)
    assert "could not start the render's warm kernel (OSError: no package here)" in result.stderr
    assert "Traceback" not in result.stderr
    assert mtimes(out) == before


def test_an_address_that_is_no_address_is_refused_as_usage(tmp_path):
    result = main_in_process("render", "--out", str(tmp_path / "out"), "--cluster", "scheduler")
    assert result.returncode == 2, explain(result)
    assert result.stderr.startswith(
        "render refused: --cluster 'scheduler' is not a scheduler's address such as tcp://10.0.0.5:8786"
    )
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_a_scheduler_gone_mid_run_publishes_nothing_half_done(asleep):
    # The scheduler and a worker as deploy/ starts them, each a process of its own.
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = deploy("cluster-scheduler", "127.0.0.1", str(port))
    worker = None
    try:
        wait_until(lambda: listening(port) or scheduler.poll() is not None, "the scheduler")
        worker = deploy("cluster-worker", address, "1")
        render = asleep.render(address)
        wait_for_start(asleep.flags, render)
        os.kill(scheduler.pid, signal.SIGKILL)
        started = time.monotonic()
        stdout, stderr = render.communicate(timeout=120)
        ended_in = time.monotonic() - started
    finally:
        for process in (scheduler, worker):
            if process is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)  # the worker's nanny and its worker too
                process.wait(timeout=30)
    assert render.returncode == 1, stdout + stderr
    assert "02-say-when.ipynb failed: the connection to the cluster's scheduler was lost" in stderr
    assert ended_in < 30, ended_in
    assert asleep.unchanged()
    assert history(asleep.out)[-1]["status"] == "failed"


def test_without_a_cluster_dask_is_never_imported(shared_tiny_reports, tmp_path):
    out = copy_reports(shared_tiny_reports, tmp_path / "reports")
    code = (
        "import sys; from casualty_report.cli import main; "
        f"code = main(['render', '--out', {str(out)!r}, '--notebooks', {str(TINY_NOTEBOOKS)!r}]); "
        "print(code, sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed', 'pandas'}))"
    )
    env = {key: value for key, value in os.environ.items() if key != CLUSTER_ENV}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, env=env
    )
    # Nothing to do: pandas is not loaded either.
    assert result.stdout.splitlines()[-1] == "0 []", explain(result)


def test_a_worker_never_writes_outside_the_staging_folder(tmp_path):
    assert _inside(tmp_path, "tables/casualties.csv") == tmp_path / "tables" / "casualties.csv"
    for path in ("../escape.html", "/etc/passwd", "figures/../../x", ""):
        with pytest.raises(ValueError, match="outside its folder"):
            _inside(tmp_path, path)


def test_a_worker_refuses_a_notebook_whose_data_dir_it_does_not_hold_as_hashed(cluster, tmp_path):
    claims = tmp_path / "claims.csv"
    claims.write_text("claim_id\n", encoding="utf-8")
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        client.register_plugin(cluster_worker.WarmKernel(), name=cluster_worker.PLUGIN)
        address, (code, _, _) = min(client.run(cluster_worker.report_code).items())
        task = cluster_worker.NotebookTask(
            "exampleland",
            "01-say-where.ipynb",
            {},
            "exampleland-2031",
            "",
            {str(claims): "0" * 64},
            60.0,
            "run",
        )
        bundle = cluster_worker.Bundle(code, {}, {})
        outcome, files = client.submit(cluster_worker.run_notebook, task, bundle, workers=[address]).result()
    assert outcome == Failed(
        "01-say-where.ipynb",
        f"failed: worker {address} refused it: it has no copy of {claims} as the render hashed it",
    )
    assert files == {}


def test_a_worker_writes_a_shipped_folder_whole_or_not_at_all(tmp_path):
    folder = tmp_path / "data" / "event"
    cluster_worker._write_folder(folder, {"claims.csv": b"a\n", ".DS_Store": b"\0"})  # hidden files too
    assert sorted(path.name for path in folder.iterdir()) == [".DS_Store", "claims.csv"]
    with pytest.raises(ValueError, match="not a file name"):
        cluster_worker._write_folder(tmp_path / "data" / "other", {"claims.csv": b"", "../up.csv": b""})
    assert sorted(path.name for path in (tmp_path / "data").iterdir()) == ["event"]  # no partial folder left


def test_a_set_with_a_data_dir_runs_only_where_that_folder_holds_the_hashed_files(tmp_path):
    claims = tmp_path / "claims.csv"
    claims.write_text("claim_id\n", encoding="utf-8")
    import hashlib

    right = hashlib.sha256(claims.read_bytes()).hexdigest()
    assert cluster_worker._changed_files({str(claims): right}) == ""
    assert cluster_worker._changed_files({str(claims): "0" * 64}) == str(claims)
    assert cluster_worker._changed_files({str(tmp_path / "gone.csv"): right}) == str(tmp_path / "gone.csv")


# --- helpers --------------------------------------------------------------------------------------


def asleep_once(flags: Path) -> str:
    """A cell that, the first time it runs, notes its worker and kernel and sleeps; run again
    (after its worker was killed), notes that and goes on."""
    return (
        "import os, pathlib, time\n"
        f"flags = pathlib.Path({str(flags)!r})\n"
        "if (flags / 'started').exists():\n"
        "    (flags / 'reran').touch()\n"
        "else:\n"
        "    (flags / 'started.tmp').write_text(f'{os.getppid()} {os.getpid()}')\n"
        "    (flags / 'started.tmp').rename(flags / 'started')\n"
        "    time.sleep(120)\n"
    )


def wait_for_start(flags: Path, render: subprocess.Popen) -> tuple[int, int]:
    """The (worker, kernel) pids of the sleeping notebook, once it sleeps."""
    wait_until(lambda: (flags / "started").exists() or render.poll() is not None, "the notebook to start")
    if render.poll() is not None:
        pytest.fail(f"the render ended first: {render.communicate()}")
    worker_pid, kernel_pid = map(int, (flags / "started").read_text().split())
    return worker_pid, kernel_pid


def wait_until(condition, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


def gone(pid: int, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


def mtimes(folder: Path) -> dict[Path, int]:
    """Every file and folder under ``folder`` with its modification time: touched or not."""
    return {path: path.stat().st_mtime_ns for path in folder.rglob("*")}


def history(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "history.jsonl").read_text(encoding="utf-8").splitlines()]


def deploy(script: str, *args: str) -> subprocess.Popen:
    """A deploy/ script, on this test run's environment (VENV), in a process group of its own."""
    return subprocess.Popen(
        [str(REPO_ROOT / "deploy" / script), *args],
        env={**os.environ, "VENV": str(Path(sys.executable).parent.parent)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def listening(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pretend_pandas(version: str | None, dask_worker) -> None:
    """On a worker: report another pandas (None: the real one again), as a worker built from
    another lock file would."""
    plugin = dask_worker.plugins[cluster_worker.PLUGIN]
    if version is None:
        plugin.code, plugin.environment = plugin.real
    else:
        plugin.real = plugin.code, dict(plugin.environment)
        plugin.code, plugin.environment = "other", {**plugin.environment, "pandas": version}


def warm_kernel_pid(dask_worker) -> str:
    from casualty_report.publishing import worker

    return worker._kernel_pid()


def break_warm_kernel(broken: bool) -> None:
    """On a worker: make the warm kernel's set-up fail (False: work again)."""
    from casualty_report.publishing import fingerprint

    real = getattr(fingerprint, "_real_code", fingerprint.code_fingerprint)
    fingerprint._real_code = real

    def fails() -> str:
        raise OSError("no package here")

    fingerprint.code_fingerprint = fails if broken else real
