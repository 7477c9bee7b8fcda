"""Claims ledger, analysis, charts and rendering for the casualty-figures report.

Names are imported lazily, so ``casualty-report render`` with nothing to do starts without
loading pandas, pandera or matplotlib.
"""

from __future__ import annotations

import importlib
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
    from casualty_report.errors import LedgerError
    from casualty_report.ledger.files import Problem
    from casualty_report.ledger.load import Ledger, load_ledger

__all__ = ["DEFAULT_DATASET", "Ledger", "LedgerError", "Problem", "load_ledger"]
#: The notebooks' entry point, each name from its home.
_LAZY = {
    "Ledger": "casualty_report.ledger.load",
    "LedgerError": "casualty_report.errors",
    "Problem": "casualty_report.ledger.files",
    "load_ledger": "casualty_report.ledger.load",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'casualty_report' has no attribute {name!r}")
