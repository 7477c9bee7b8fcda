"""What stops a render, each with a message that names the set, notebook or file and why.

The command line turns them into exit codes (cli.py): a :class:`ParameterError` is bad usage
(2), a :class:`BusyError` a lock held too long (3), any other :class:`RenderError` or a
:class:`LedgerError` a failure (1). They are here, away from pandas, so the command line can
catch them before it knows whether a render will load a ledger.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class RenderError(RuntimeError):
    """A render could not start or a notebook failed; the message says which and where."""


class ParameterError(RenderError, ValueError):
    """A parameter or parameter set is malformed, unknown or reserved; the message says which and
    why. Render refuses a set with it before any kernel starts, and a notebook's own check raises
    it too: a ``ValueError``, as papermill and JupyterLab show a bad argument."""


class BusyError(RenderError):
    """Another render held the lock for longer than we were willing to wait."""


class LedgerError(ValueError):
    """The ledger is unusable; ``problems`` lists every fault found (each a
    :class:`casualty_report.ledger.files.Problem`, naming file, row and column)."""

    def __init__(self, problems: Iterable[Any]):
        self.problems = sorted(set(problems))
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the claims ledger:"]
        lines += [f"  - {problem}" for problem in self.problems]
        return "\n".join(lines)
