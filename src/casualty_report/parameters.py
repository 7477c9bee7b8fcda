"""The notebooks' parameters, typed and checked before any kernel starts.

Papermill only warns about an unknown parameter and passes any value through; here a wrong name,
type or value is an error naming the parameter, what it got and what it expects. The notebooks'
``parameters`` cells must declare exactly these names (a test keeps the two in step).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIGURE_FORMATS = ("png", "svg", "pdf")


@dataclass(frozen=True)
class Parameter:
    expected: str  # in words, for messages
    accepts: Callable[[Any], bool]
    nullable: bool = False
    reserved: bool = False  # set by render itself, never by the user


def _is_date(value: Any) -> bool:
    import datetime as dt

    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


PARAMETERS: Mapping[str, Parameter] = {
    "dataset": Parameter(
        "a dataset folder name (letters, digits, '-', '_', '.')",
        lambda v: isinstance(v, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", v) is not None,
    ),
    "data_dir": Parameter(
        "an existing folder, or null", lambda v: isinstance(v, str) and Path(v).is_dir(), nullable=True
    ),
    "scope": Parameter("a place name as the ledger writes it, or null", lambda v: isinstance(v, str) and bool(v.strip()),
                       nullable=True),  # fmt: skip
    "as_of": Parameter("a date written YYYY-MM-DD, or null", _is_date, nullable=True),
    "output_dir": Parameter("nothing: render sets it (use --out)", lambda v: False, nullable=True, reserved=True),
    "figure_formats": Parameter(
        f"a non-empty list of {', '.join(FIGURE_FORMATS)} (e.g. [\"png\"])",
        lambda v: isinstance(v, list) and bool(v) and all(f in FIGURE_FORMATS for f in v),
    ),
}


def problems(parameters: Mapping[str, Any]) -> list[str]:
    """Every problem with a set of parameters, one sentence each; empty when they are fine."""
    found = []
    for name, value in parameters.items():
        spec = PARAMETERS.get(name)
        if spec is None:
            accepted = sorted(key for key, known in PARAMETERS.items() if not known.reserved)
            found.append(f"unknown parameter {name!r}; the notebooks take: {', '.join(accepted)}")
        elif spec.reserved:
            found.append(f"parameter {name!r} is set by render itself: use --out instead")
        elif not (value is None and spec.nullable) and not spec.accepts(value):
            found.append(f"parameter {name!r}: got {value!r}; expected {spec.expected}")
    return found


def ledger_problems(parameters: Mapping[str, Any], scopes: set[str]) -> list[str]:
    """Problems only the ledger can tell: a scope that names no place in it."""
    scope = parameters.get("scope")
    if scope is not None and scope not in scopes:
        return [f"parameter 'scope': got {scope!r}; expected one of the ledger's places: {', '.join(sorted(scopes))}"]
    return []
