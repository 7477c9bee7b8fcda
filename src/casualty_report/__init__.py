"""Claims ledger, analysis, charts and rendering for the casualty-figures report.

Names are imported lazily, so ``casualty-report render`` with nothing to do starts without
loading pandas, pandera or matplotlib.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from casualty_report.paths import DEFAULT_DATASET

# nbformat imports jsonschema, which imports every optional format checker it finds, and
# jupyter-events installs rfc3987-syntax, whose import compiles about 40 grammars: a second of CPU
# in every process that reads or writes a notebook (a render, its workers, a test process), for
# the "iri" format that neither the notebook schema nor the data package profile uses
# (python-jsonschema/jsonschema#1428). Marked missing, jsonschema skips it: in a process that
# imports this package, an "iri" format is not checked.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

if TYPE_CHECKING:
    from casualty_report.ledger import Ledger, LedgerError, Problem, load_ledger

__all__ = ["DEFAULT_DATASET", "Ledger", "LedgerError", "Problem", "load_ledger"]
_FROM_LEDGER = {"Ledger", "LedgerError", "Problem", "load_ledger"}


def __getattr__(name: str) -> Any:
    if name in _FROM_LEDGER:
        from casualty_report import ledger

        return getattr(ledger, name)
    raise AttributeError(f"module 'casualty_report' has no attribute {name!r}")
