"""How soon is a save published? Prints the median and range of save -> published, in seconds.

    .venv/bin/python benchmarks/watch.py [--repeat 5] [--tiny]

Starts `casualty-report watch` on a scratch copy of the Kazakhstan ledger (the national set,
the real notebooks, or the tiny stand-ins with --tiny), then edits one note of claims.csv
`--repeat` times and times each save until the history records the new published run. The
baseline measured in the same run is a plain `casualty-report render` of the same set after the
same edit: watching should cost little more than rendering (the watcher waits on file events and
groups a save's burst of them for 0.3 s).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
CLI = [sys.executable, "-m", "casualty_report"]


def published(out: Path) -> int:
    try:
        lines = (out / "history.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    return sum(json.loads(line)["status"] == "published" for line in lines if line.strip())


def wait_for(count: int, out: Path, process: subprocess.Popen, limit: float = 300) -> None:
    deadline = time.monotonic() + limit
    while published(out) < count:
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit("the watcher stopped or took too long")
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tiny", action="store_true", help="the tiny stand-in notebooks")
    options = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="watch-bench-"))
    data = shutil.copytree(ROOT / "data" / "kazakhstan-2022-01", scratch / "kazakhstan-2022-01")
    notebooks = ROOT / "tests" / "fixtures" / "tiny-notebooks" if options.tiny else ROOT / "notebooks"
    common = [
        "-p",
        f"data_dir={data}",
        "-p",
        "scope=Kazakhstan",
        "--name",
        "bench",
        "--notebooks",
        str(notebooks),
    ]
    claims = data / "claims.csv"
    original = claims.read_text(encoding="utf-8")

    def save(n: int) -> None:
        claims.write_text(
            original.replace("First detention count.", f"First detention count ({n}).", 1), encoding="utf-8"
        )

    # Baseline: the same edit, then a plain render of the set.
    rendered = []
    out = scratch / "render-out"
    subprocess.run([*CLI, "render", *common, "--out", str(out)], check=True, capture_output=True)
    for n in range(options.repeat):
        save(1000 + n)
        started = time.perf_counter()
        subprocess.run([*CLI, "render", *common, "--out", str(out)], check=True, capture_output=True)
        rendered.append(time.perf_counter() - started)

    out = scratch / "watch-out"
    watcher = subprocess.Popen(
        [*CLI, "watch", *common, "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    watched = []
    try:
        wait_for(1, out, watcher)
        time.sleep(1)
        for n in range(options.repeat):
            save(n)
            started = time.perf_counter()
            wait_for(2 + n, out, watcher)
            watched.append(time.perf_counter() - started)
            time.sleep(0.5)
    finally:
        watcher.terminate()
        watcher.wait(timeout=60)
        shutil.rmtree(scratch, ignore_errors=True)

    which = "tiny stand-in" if options.tiny else "real"
    print(f"save -> published, one set, the {which} notebooks, {options.repeat} saves each:")
    for name, times in (("watch", watched), ("render after the edit (baseline)", rendered)):
        print(
            f"  {name:34} median {statistics.median(times):6.2f} s   "
            f"range {min(times):.2f}-{max(times):.2f} s"
        )
    print(f"  ratio watch / render: {statistics.median(watched) / statistics.median(rendered):.2f}")


if __name__ == "__main__":
    main()
