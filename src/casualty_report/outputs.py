"""Writing a notebook's tables and figures where the run was told to (``output_dir``)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from casualty_report.charts import save_figure


def write_table(table: pd.DataFrame, output_dir: str | os.PathLike[str], name: str) -> Path:
    """Write ``tables/<name>.csv``: UTF-8, LF line ends, ISO dates, no index; byte-stable."""
    path = Path(output_dir) / "tables" / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, lineterminator="\n", date_format="%Y-%m-%d")
    return path


def write_figure(
    fig: Figure, output_dir: str | os.PathLike[str], name: str, formats: Sequence[str] = ("png", "svg")
) -> list[Path]:
    """Write ``figures/<name>.<format>`` for each format."""
    return save_figure(fig, Path(output_dir) / "figures", name, formats)
