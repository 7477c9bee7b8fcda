"""Claims ledger, analysis, charts and rendering for the casualty-figures report.

Names are imported lazily, so ``casualty-report render`` with nothing to do starts without
loading pandas, pandera or matplotlib.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from casualty_report.paths import DEFAULT_DATASET

# nbformat validates notebooks with jsonschema, which imports every optional format checker it
# finds. jupyter-events installs rfc3987-syntax, whose import compiles about 40 grammars: a second
# of CPU in every render and CLI process, for the "iri" format that no notebook schema and no data
# package profile uses (python-jsonschema/jsonschema#1428). Marked missing, jsonschema skips it.
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
