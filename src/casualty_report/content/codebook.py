"""The codebook of the published tables, and the Data Package that describes a run's tables.

Every run writes CSV tables into ``<run>/tables/`` (see :mod:`casualty_report.content.outputs`). Every
column those tables use is documented once, in :mod:`casualty_report.content.codebook_columns`.

:func:`write_datapackage` turns a run's tables into a Frictionless Data Package (v1)
``datapackage.json``; a column without an entry is an error, so no column is published
undocumented. :func:`column_title` gives the words a reader sees as the column's header.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from casualty_report.content.codebook_columns import CODEBOOK, OVERRIDES, Column
from casualty_report.conventions import DATA_LICENCE, slug

#: How ``outputs.write_table`` writes an empty cell (pandas' NA, an open bound): nothing.
MISSING_VALUES = ("",)


def column(name: str, table: str | None = None) -> Column:
    """The codebook entry of a column, with the table's override if it has one.

    ``table`` is the table's name, the CSV file's stem (``death-toll-timeline``). An undocumented
    column raises :class:`KeyError`.
    """
    try:
        entry = CODEBOOK[name]
    except KeyError:
        raise KeyError(
            f"column {name!r} is not in the codebook (casualty_report/content/codebook_columns.py)"
        ) from None
    change = OVERRIDES.get((table, name)) if table is not None else None
    return replace(entry, **change) if change else entry


def column_title(name: str, table: str | None = None) -> str:
    """The words a reader sees as the column's header: ``claim_id`` -> "Claim"."""
    return column(name, table).title


def table_schema(columns: Iterable[str], table: str | None = None) -> dict[str, Any]:
    """A Table Schema for some columns, in their order (a :class:`KeyError` for an undocumented one)."""
    return {
        "fields": [column(name, table).field() for name in columns],
        "missingValues": list(MISSING_VALUES),
    }


def read_header(path: Path) -> list[str]:
    """The column names of a CSV file's header row (UTF-8; a byte-order mark is tolerated)."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        header = next(csv.reader(file), None)
    if not header or not any(cell.strip() for cell in header):
        raise ValueError(f"{path}: no header row naming the columns")
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise ValueError(f"{path}: column(s) named twice in the header: {', '.join(duplicates)}")
    return header


#: Every package says how its CSVs keep spreadsheets from running a cell (outputs.py does it).
SPREADSHEET_SAFE = (
    "A text cell that would begin with =, +, -, @, a tab or a carriage return is written with an "
    "apostrophe (') in front, so a spreadsheet shows it as text instead of running it as a formula; "
    "drop that one apostrophe to read the value."
)


def write_datapackage(
    run_dir: Path,
    *,
    name: str,
    title: str,
    description: str,
    licence: Mapping[str, str] = DATA_LICENCE,
) -> Path:
    """Describe a run's ``tables/*.csv`` in ``run_dir/datapackage.json`` (Frictionless Data
    Package v1) and return its path.

    One tabular resource per table, sorted by name, each with a schema whose fields follow the
    CSV's column order. ``name`` is made a lower-case slug. ``licence`` is one Data Package licence
    (``name``, ``path``, ``title``); the default is the data's, CC BY 4.0. The file is the same,
    byte for byte, for the same tables and arguments.

    Raises :class:`ValueError` naming the table file and the column when a column is not in the
    codebook, and when the run has no tables or a table has no header.
    """
    run_dir = Path(run_dir)
    package_name = slug(name)
    if not package_name:
        raise ValueError(f"package name {name!r}: no letters or digits to make a name of")
    if not licence.get("name") and not licence.get("path"):
        raise ValueError("licence: a 'name' (e.g. CC-BY-4.0) or a 'path' (its URL) is required")
    tables = sorted((run_dir / "tables").glob("*.csv"))
    if not tables:
        raise ValueError(f"{run_dir / 'tables'}: no tables (*.csv) to describe")

    resources: list[dict[str, Any]] = []
    for path in tables:
        table = path.stem
        header = read_header(path)
        undocumented = [column_name for column_name in header if column_name not in CODEBOOK]
        if undocumented:
            listed = ", ".join(repr(column_name) for column_name in undocumented)
            raise ValueError(
                f"{path}: column {listed} {'is' if len(undocumented) == 1 else 'are'} not in the "
                "codebook; document it in casualty_report/content/codebook_columns.py before publishing"
            )
        resources.append(
            {
                "name": slug(table),
                "profile": "tabular-data-resource",
                "path": f"tables/{path.name}",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table_schema(header, table),
            }
        )
    resources.sort(key=lambda resource: resource["name"])
    names = [resource["name"] for resource in resources]
    if len(set(names)) != len(names):
        raise ValueError(f"{run_dir / 'tables'}: two tables share a resource name: {', '.join(names)}")

    package = {
        "profile": "tabular-data-package",
        "name": package_name,
        "title": title,
        "description": description + " " + SPREADSHEET_SAFE,
        "licenses": [dict(licence)],
        "resources": resources,
    }
    target = run_dir / "datapackage.json"
    text = json.dumps(package, indent=2, ensure_ascii=False) + "\n"
    target.write_text(text, encoding="utf-8", newline="\n")
    return target
