"""Writing a notebook's tables and figures where the run was told to (``output_dir``)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from casualty_report.charts import Chart, save_figure


def write_table(table: pd.DataFrame, output_dir: str | os.PathLike[str], name: str) -> Path:
    """Write ``tables/<name>.csv``: UTF-8, LF line ends, ISO dates, no index; byte-stable."""
    path = Path(output_dir) / "tables" / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, lineterminator="\n", date_format="%Y-%m-%d")
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
