"""How cost grows with the ledger: validate and render the shipped ledger and synthetic ones
of 10,000 and 100,000 claims, in one run. Prints the median wall time of ``--repeat`` runs of
each, its ratio to the shipped ledger's (the baseline, measured in the same run, on the same
machine and load), and peak memory (the whole process tree, kernels included, sampled every
20 ms). The tests render 10,000 claims once (tests/test_scale.py); 100,000 live only here.

    .venv/bin/python benchmarks/scale.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from casualty_report.ledger.synthetic import write_synthetic_ledger
from casualty_report.paths import DATA_ROOT, DEFAULT_DATASET

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "casualty_report"]


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of a command and all its descendants."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root, peak = psutil.Process(process.pid), [0]

    def sample() -> None:
        while process.poll() is None:
            try:
                tree = [root, *root.children(recursive=True)]
                peak[0] = max(peak[0], sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    code = process.wait()
    sampler.join()
    if code != 0:
        raise SystemExit(f"{' '.join(command)} exited {code}")
    return time.perf_counter() - started, peak[0] / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case; the median is shown")
    repeat = parser.parse_args().repeat
    shipped = DATA_ROOT / DEFAULT_DATASET
    with tempfile.TemporaryDirectory() as scratch:
        ledgers = {"shipped": (shipped, 84)}
        for rows in (10_000, 100_000):
            folder = Path(scratch) / f"synthetic-{rows}"
            ledgers[f"{rows:,}"] = (folder, write_synthetic_ledger(shipped, folder, rows))
        print(f"median of {repeat}; ratio: to the shipped ledger's median, measured in this run")
        print(
            f"{'ledger':>10} {'claims':>8} | {'validate s':>10} {'ratio':>6} {'MB':>6} | "
            f"{'render s':>9} {'ratio':>6} {'MB':>7}"
        )
        base = None
        for name, (folder, claims) in ledgers.items():
            validate = [measure([*CLI, "validate", "--data-dir", str(folder)]) for _ in range(repeat)]
            render = [
                measure(
                    [
                        *CLI,
                        "render",
                        "--force",
                        "--out",
                        str(Path(scratch) / "out"),
                        "--name",
                        "scale",
                        "-p",
                        f"data_dir={folder}",
                    ]
                )
                for _ in range(repeat)
            ]
            medians = (statistics.median(s for s, _ in validate), statistics.median(s for s, _ in render))
            peaks = (max(mb for _, mb in validate), max(mb for _, mb in render))
            base = base or medians
            print(
                f"{name:>10} {claims:>8,} | {medians[0]:10.2f} {medians[0] / base[0]:6.2f} {peaks[0]:6.0f} | "
                f"{medians[1]:9.2f} {medians[1] / base[1]:6.2f} {peaks[1]:7.0f}"
            )
        print(
            "\nrender time per 1,000 claims above the shipped ledger's: "
            f"{(medians[1] - base[1]) / (claims - 84) * 1000:.2f} s"
        )


if __name__ == "__main__":
    main()
