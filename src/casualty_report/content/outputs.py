"""Writing a notebook's tables and figures where the run was told to (``output_dir``)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from casualty_report.content.charts.style import Chart, save_figure
from casualty_report.conventions import joined

#: What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_for_spreadsheets(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, with an apostrophe in front so it shows
    as text (OWASP's advice); numbers, dates and other text unchanged. The codebook says so. A
    carriage return inside a cell becomes a line feed: Python's CSV writer quotes the one, not
    the other, and a bare one splits the row for every reader."""
    if not isinstance(value, str):
        return value
    safe = "'" + value if value.startswith(FORMULA_STARTS) else value
    return safe.replace("\r\n", "\n").replace("\r", "\n")


def write_table(table: pd.DataFrame, output_dir: str | os.PathLike[str], name: str) -> Path:
    """Write ``tables/<name>.csv``: UTF-8, LF line ends, ISO dates, no index, several values in
    a cell joined as the codebook says (:func:`casualty_report.conventions.joined`), no cell a
    spreadsheet would run as a formula; byte-stable."""
    path = Path(output_dir) / "tables" / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = table.select_dtypes(include=["object", "string"]).columns
    safe = table.assign(
        **{
            column: table[column].map(lambda cell, c=column: safe_for_spreadsheets(joined(c, cell)))
            for column in text
        }
    )
    safe.to_csv(path, index=False, lineterminator="\n", date_format="%Y-%m-%d")
    return path


def write_figure(
    fig: Figure | Chart,
    output_dir: str | os.PathLike[str],
    name: str | None = None,
    formats: Sequence[str] = ("png", "svg"),
) -> list[Path]:
    """Write ``figures/<name>.<format>`` for each format (a chart's name by default)."""
    return save_figure(fig, Path(output_dir) / "figures", name, formats)


def write_outputs(
    output_dir: str | os.PathLike[str] | None,
    *,
    tables: Mapping[str, pd.DataFrame] | None = None,
    charts: Iterable[Chart] = (),
    formats: Sequence[str] = ("png", "svg"),
) -> None:
    """A notebook's last step: its tables as CSV and its charts as files, or nothing at all
    when the run was given no ``output_dir`` (an interactive session). Returns nothing, so the
    cell shows nothing."""
    if output_dir is None:
        return
    for name, table in (tables or {}).items():
        write_table(table, output_dir, name)
    for chart in charts:
        write_figure(chart, output_dir, formats=formats)
