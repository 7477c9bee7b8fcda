"""Claims ledger, analysis, charts and rendering for the casualty-figures report."""

from casualty_report.ledger import Ledger, LedgerError, Problem, load_ledger
from casualty_report.paths import DEFAULT_DATASET

__all__ = ["DEFAULT_DATASET", "Ledger", "LedgerError", "Problem", "load_ledger"]
