"""How fast is rendering? Prints medians and ratios, measured in one run on this machine.

    .venv/bin/python benchmarks/render.py [--repeat 5]

(a) the naive loop: the papermill CLI then `jupyter nbconvert --to html`, per notebook, in turn;
(b) `casualty-report render --force`, one parameter set;
(c) `casualty-report render` again with nothing changed;
(d) `casualty-report render --force` with the four sets in params/.
Targets (2 cores): b/a <= 0.35, c/b <= 0.1, d <= 2.5 x b.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
QUIET = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}


def timed(commands: list[list[str]]) -> float:
    started = time.perf_counter()
    for command in commands:
        subprocess.run(command, cwd=ROOT, check=True, **QUIET)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    notebooks = sorted(ROOT.glob("notebooks/[0-9][0-9]-*.ipynb"))
    sets = sorted(str(p) for p in ROOT.glob("params/*.yml"))
    render = [str(BIN / "casualty-report"), "render"]

    with tempfile.TemporaryDirectory() as scratch:
        naive_dir, out = Path(scratch) / "naive", Path(scratch) / "reports"
        naive_dir.mkdir()
        naive = []
        for notebook in notebooks:
            executed = naive_dir / notebook.name
            naive.append(
                [
                    str(BIN / "papermill"),
                    str(notebook),
                    str(executed),
                    "-p",
                    "output_dir",
                    str(naive_dir),
                    "--no-progress-bar",
                    "--kernel",
                    "python3",
                ]
            )
            naive.append([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(executed)])
        subprocess.run([*render, "--out", str(out)], cwd=ROOT, check=True, **QUIET)  # warm the disk cache

        cases = {
            "a naive loop": lambda: timed(naive),
            "b render --force, 1 set": lambda: timed([[*render, "--out", str(out), "--force"]]),
            "c render, nothing changed": lambda: timed([[*render, "--out", str(out)]]),
            f"d render --force, {len(sets)} sets": lambda: timed(
                [[*render, "--out", str(out), "--force", "--params", *sets]]
            ),
        }
        medians = {}
        for name, case in cases.items():
            samples = [case() for _ in range(repeat)]
            medians[name] = statistics.median(samples)
            print(
                f"{name:32s} median {medians[name]:7.2f} s   ({', '.join(f'{s:.2f}' for s in samples)})",
                flush=True,
            )

    a, b, c, d = medians.values()
    print(f"\n{len(notebooks)} notebooks, {os.cpu_count()} CPUs, median of {repeat}")
    print(f"b/a = {b / a:.2f}  (target <= 0.35)")
    print(f"c/b = {c / b:.3f}  (target <= 0.1)")
    print(f"d/b = {d / b:.2f}  (target <= 2.5)")


if __name__ == "__main__":
    main()
