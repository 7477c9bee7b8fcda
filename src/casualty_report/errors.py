"""What stops a render, each with a message that names the set, notebook or file and why.

The command line turns them into exit codes (cli.py): a :class:`ParameterError` is bad usage
(2), a :class:`BusyError` a lock held too long (3), any other :class:`RenderError` a failure
(1). A notebook's own parameter check raises :class:`casualty_report.parameters.ParameterError`
instead, a ``ValueError`` as papermill and JupyterLab show it.
"""

from __future__ import annotations


class RenderError(RuntimeError):
    """A render could not start or a notebook failed; the message says which and where."""


class ParameterError(RenderError):
    """A parameter or parameter set is malformed, unknown or reserved."""


class BusyError(RenderError):
    """Another render held the lock for longer than we were willing to wait."""
