"""Pruning old runs, so ``reports/`` stays within what a host keeps (GitHub Pages: 1 GB).

The policy: every run of the last :data:`KEEP_DAYS` days is kept, and, before that, the last run
of each set in each month; the run ``latest`` points at is never removed. ``history.jsonl`` is
not touched, so the site index still lists every run, a removed one without its link.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from casualty_report.publishing.publish import read_history

KEEP_DAYS = 30
RUN = re.compile(r"^(?P<set>[a-z0-9][a-z0-9-]*)-(?P<day>\d{4}-\d{2}-\d{2})$")


class Pruned(NamedTuple):
    removed: list[str]  # folder names, oldest first
    not_removed: list[str]  # "<folder>: why", for each run the policy drops but could not be removed


def prune(
    out: Path, *, keep_days: int = KEEP_DAYS, today: dt.date | None = None, log: Callable[[str], None] = print
) -> Pruned:
    """Remove the runs the policy does not keep. Only folders the history names as a published
    run are candidates: nothing else in ``out`` is. A run that cannot be removed (a busy mount, a
    read-only file) is reported and the others are still pruned."""
    today = today or dt.datetime.now(dt.UTC).date()
    published = {entry["folder"] for entry in read_history(out) if entry.get("status") == "published"}
    latest = (
        {link.resolve().name for link in (out / "latest").iterdir()} if (out / "latest").is_dir() else set()
    )
    runs: dict[tuple[str, str], list[tuple[dt.date, str]]] = {}
    for folder in sorted(out.iterdir()):
        found = RUN.match(folder.name)
        if not found or not folder.is_dir() or folder.is_symlink() or folder.name not in published:
            continue
        try:
            day = dt.date.fromisoformat(found["day"])
        except ValueError:
            continue
        runs.setdefault((found["set"], found["day"][:7]), []).append((day, folder.name))
    removed, not_removed = [], []
    for kept in runs.values():
        last_of_month = max(kept)[1]
        for day, name in sorted(kept):
            if (today - day).days > keep_days and name != last_of_month and name not in latest:
                try:
                    shutil.rmtree(out / name)
                except OSError as error:
                    not_removed.append(f"{name}: {error.strerror or error}")
                    log(f"could not remove {name}: {error.strerror or error}")
                    continue
                removed.append(name)
                log(f"removed {name} (older than {keep_days} days, not the last run of its month)")
    return Pruned(sorted(removed), sorted(not_removed))
