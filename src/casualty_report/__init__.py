"""Claims ledger, analysis, charts and rendering for the casualty-figures report.

Names are imported lazily, so ``casualty-report render`` with nothing to do starts without
loading pandas, pandera or matplotlib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from casualty_report.paths import DEFAULT_DATASET

if TYPE_CHECKING:
    from casualty_report.ledger import Ledger, LedgerError, Problem, load_ledger

__all__ = ["DEFAULT_DATASET", "Ledger", "LedgerError", "Problem", "load_ledger"]
_FROM_LEDGER = {"Ledger", "LedgerError", "Problem", "load_ledger"}


def __getattr__(name: str) -> Any:
    if name in _FROM_LEDGER:
        from casualty_report import ledger

        return getattr(ledger, name)
    raise AttributeError(f"module 'casualty_report' has no attribute {name!r}")
