"""A large synthetic ledger for scale tests and benchmarks: copies of a real dataset, each copy
in places of its own ("Almaty #17"), with its own claim ids and links. The first copy keeps the
original names, so the national views still have their data."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

LINK_COLUMNS = ("superseded_by", "corrected_by")


def write_synthetic_ledger(source: Path, target: Path, rows: int) -> int:
    """Write a dataset of at least ``rows`` claims (whole copies) into ``target``; return how many."""
    with (source / "claims.csv").open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        columns, originals = reader.fieldnames or [], list(reader)
    target.mkdir(parents=True, exist_ok=True)
    for name in ("sources.csv", "dataset.yml"):
        shutil.copy2(source / name, target / name)
    copies = -(-rows // len(originals))  # whole copies only, so every link has its target
    with (target / "claims.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, columns, lineterminator="\n")
        writer.writeheader()
        for copy in range(copies):
            suffix = "" if copy == 0 else f"-{copy}"
            for original in originals:
                row = dict(original)
                row["claim_id"] += suffix
                if copy:
                    row["scope"] = f"{row['scope']} #{copy}"
                for column in LINK_COLUMNS:
                    if row.get(column):
                        row[column] = " ".join(claim + suffix for claim in row[column].split())
                writer.writerow(row)
    written = copies * len(originals)
    return written
