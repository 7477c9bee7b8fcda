"""The local pool against a Dask cluster of the same size, in one run. Prints medians and ratios.

    .venv/bin/python benchmarks/cluster.py [--sets 4] [--repeat 3] [--workers 2]

N synthetic sets, each its own event (a copy of the shipped ledger under a name of its own, in
a scratch data folder that CASUALTY_REPORT_DATA_DIR points to, so the cluster ships each one
to the workers), rendered with ``casualty-report render --force``:

(a) on this machine's pool of warm kernels (``--jobs W``);
(b) with ``--cluster`` on a LocalCluster of W worker processes of one thread each on loopback,
    started once before the timings (its start is printed apart). The first, untimed render
    gives each worker its warm kernel, which the timed renders find there, as the renders of a
    standing cluster do.

The two cases alternate, so drift on the machine falls on both. Each render's time is split
into its notebooks (the render's own "rendered … (notebooks X s, …)" line) and the rest, which stays on the
rendering machine whatever the cluster (planning, validating, front pages, publishing). From
the medians: a worker's seconds per notebook (notebook time x workers / notebooks) and the rest
per set, which the benchmarks' README projects to a cluster of M workers.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from distributed import LocalCluster

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SHIPPED = ROOT / "data" / "kazakhstan-2022-01"
NOTEBOOKS = len(list((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")))


def synthetic_sets(scratch: Path, count: int) -> tuple[Path, list[str]]:
    """``count`` events, each a copy of the shipped ledger, and a parameter file for each."""
    data, params = scratch / "data", scratch / "params"
    params.mkdir(parents=True)
    files = []
    for index in range(count):
        name = f"bench-event-{index:02d}"
        shutil.copytree(SHIPPED, data / name)
        path = params / f"{name}.yml"
        path.write_text(f"dataset: {name}\n", encoding="utf-8")
        files.append(str(path))
    return data, files


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """The render's wall time, and of it the notebooks' part (its "rendered … (notebooks X s, …)"
    line): the rest (planning, validating, front pages, publishing) stays on the rendering machine."""
    started = time.perf_counter()
    done = subprocess.run(command, check=False, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    notebooks = re.search(r"^rendered \d+ notebooks .*\(notebooks ([\d.]+) s,", done.stdout, re.MULTILINE)
    if notebooks is None:
        raise SystemExit(f"no 'rendered … (notebooks X s, …)' line in:\n{done.stdout[-2000:]}")
    return seconds, float(notebooks.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    notebooks = options.sets * NOTEBOOKS

    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        data, params = synthetic_sets(scratch, options.sets)
        env = {**os.environ, "CASUALTY_REPORT_DATA_DIR": str(data)}
        render = [str(BIN / "casualty-report"), "render", "--force", "--params", *params]
        local = [*render, "--out", str(scratch / "local"), "--jobs", str(options.workers)]

        started = time.perf_counter()
        with LocalCluster(
            n_workers=options.workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster:
            print(
                f"LocalCluster of {options.workers} workers started in {time.perf_counter() - started:.2f} s"
            )
            remote = [*render, "--out", str(scratch / "cluster"), "--cluster", cluster.scheduler_address]
            timed(local, env)  # warm the disk cache and the byte-code of both
            timed(remote, env)
            samples: dict[str, list[tuple[float, float]]] = {"a local pool": [], "b cluster": []}
            for _ in range(options.repeat):
                samples["a local pool"].append(timed(local, env))
                samples["b cluster"].append(timed(remote, env))

    print(
        f"\n{options.sets} sets x {NOTEBOOKS} notebooks = {notebooks} notebooks, "
        f"{options.workers} workers, {os.cpu_count()} CPUs, median of {options.repeat}"
    )
    medians = {}
    for name, values in samples.items():
        wall = statistics.median(total for total, _ in values)
        running = statistics.median(part for _, part in values)
        medians[name] = wall
        print(
            f"{name:14s} median {wall:6.2f} s  ({', '.join(f'{total:.2f}' for total, _ in values)}); "
            f"notebooks {running:.2f} s = {running * options.workers / notebooks:.2f} s of a worker "
            f"per notebook; the rest {wall - running:.2f} s = {(wall - running) / options.sets:.2f} s per set"
        )
    a, b = medians.values()
    print(f"b/a = {b / a:.2f}  (the cluster's cost over the local pool, same workers)")


if __name__ == "__main__":
    main()
