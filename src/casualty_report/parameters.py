"""The notebooks' parameters: names, types, defaults, and one check that every route runs.

Papermill only warns about an unknown parameter and passes any value through; here a wrong name,
type or value is an error naming the parameter, what it got and what it expects. ``render``
checks a set before any kernel starts, and every notebook runs the same check on itself
(:func:`check_notebook`) in its first code cell, so plain papermill and JupyterLab refuse a bad
value with the same words. The notebooks' ``parameters`` cells must declare exactly these names
and defaults (a test keeps the two in step); ``render`` injects every one of them explicitly, so
a default edited in a notebook cannot change a scheduled set.

Messages quote a bad value in at most about 80 characters plus its length, and YAML input is
size-limited with few aliases, so a hostile file cannot flood a log.

Parameter *sets* are read here too: ``-p KEY=VALUE`` (:func:`parse_parameter`) and YAML files
(:func:`load_parameter_sets`), each a named :class:`ParameterSet`. A set render refuses and a
notebook's own check raise the same :class:`casualty_report.errors.ParameterError` (exit 2 on
the command line; a ``ValueError`` in papermill and JupyterLab).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from casualty_report.errors import ParameterError
from casualty_report.inputs import MAX_YAML_BYTES, UnreadableInput, load_yaml, read_input, shown
from casualty_report.paths import PARAMS_DIR, REPO_ROOT

FIGURE_FORMATS = ("png", "svg", "pdf")
#: A set's name: its folder ``<set>-<date>`` and its ``latest/<set>`` link.
SET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


@dataclass(frozen=True)
class Parameter:
    expected: str  # in words, for messages
    accepts: Callable[[Any], bool]
    default: Any = None
    nullable: bool = False
    reserved: bool = False  # set by render itself, never by the user


def _is_date(value: Any) -> bool:
    """A real, past or present day written YYYY-MM-DD: a report cannot know the future."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return False
    return day <= dt.datetime.now(dt.UTC).date()


PARAMETERS: Mapping[str, Parameter] = {
    "dataset": Parameter(
        "a dataset folder name (letters, digits, '-', '_', '.')",
        lambda v: isinstance(v, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}", v) is not None,
        default="kazakhstan-2022-01",
    ),
    "data_dir": Parameter(
        "an existing folder, or null", lambda v: isinstance(v, str) and Path(v).is_dir(), nullable=True
    ),
    "scope": Parameter(
        "a place name as the ledger writes it, or null",
        lambda v: isinstance(v, str) and bool(v.strip()) and len(v) <= 200,
        nullable=True,
    ),
    "as_of": Parameter("a date written YYYY-MM-DD, not in the future, or null", _is_date, nullable=True),
    "output_dir": Parameter(
        "nothing: render sets it (use --out)", lambda v: False, nullable=True, reserved=True
    ),
    "figure_formats": Parameter(
        f'a non-empty list of {", ".join(FIGURE_FORMATS)} (e.g. ["png"])',
        lambda v: isinstance(v, list) and bool(v) and all(f in FIGURE_FORMATS for f in v),
        default=["png", "svg"],
    ),
}


def defaults() -> dict[str, Any]:
    """Every user-settable parameter with its default: what render injects under a set's values."""
    return {name: spec.default for name, spec in PARAMETERS.items() if not spec.reserved}


def check_notebook(namespace: Mapping[str, Any]) -> None:
    """The check a notebook runs on its own parameters (``check_notebook(globals())``), so a
    plain papermill run or a JupyterLab session refuses what render refuses, in the same words.
    ``output_dir`` is the run's own business here and is not checked."""
    values = {name: namespace[name] for name in PARAMETERS if name in namespace and name != "output_dir"}
    found = problems(values)
    if found:
        raise ParameterError("; ".join(found))


def problems(parameters: Mapping[str, Any]) -> list[str]:
    """Every problem with a set of parameters, one sentence each; empty when they are fine."""
    found = []
    for name, value in parameters.items():
        spec = PARAMETERS.get(name)
        if spec is None:
            accepted = sorted(key for key, known in PARAMETERS.items() if not known.reserved)
            found.append(f"unknown parameter {shown(name)}; the notebooks take: {', '.join(accepted)}")
        elif spec.reserved:
            found.append(f"parameter {name!r} is set by render itself: use --out instead")
        elif not (value is None and spec.nullable) and not spec.accepts(value):
            found.append(f"parameter {name!r}: got {shown(value)}; expected {spec.expected}")
    return found


# --- parameter sets: what render runs ----------------------------------------------------------


@dataclass(frozen=True)
class ParameterSet:
    name: str
    parameters: Mapping[str, Any]


def parse_parameter(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` -> (key, value); the value is read as JSON when it parses, else as text.

    So ``scope=Almaty`` gives "Almaty", ``figure_formats=["png"]`` a list, ``data_dir=null`` None.
    """
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ParameterError(f"parameter {text!r} is not KEY=VALUE (e.g. -p scope=Almaty)")
    if len(raw) > MAX_YAML_BYTES:
        raise ParameterError(
            f"parameter {shown(key.strip())}: a value of {len(raw):,} characters; at most {MAX_YAML_BYTES:,}"
        )
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    except (ValueError, RecursionError):  # 5,000 digits, 10,000 nested brackets
        raise ParameterError(
            f"parameter {shown(key.strip())}: a number too long or a value nested too deep"
        ) from None
    return key.strip(), value


def run_name(parameters: Mapping[str, Any]) -> str:
    """A set name for ad-hoc parameters: ``default``, or e.g. ``scope-almaty``."""
    if not parameters:
        return "default"
    parts = [f"{key}-{value}" for key, value in sorted(parameters.items())]
    return re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")[:80] or "default"


def load_parameter_sets(
    files: Sequence[Path | str] = (), overrides: Mapping[str, Any] | None = None, name: str | None = None
) -> list[ParameterSet]:
    """Parameter sets from YAML files (one mapping each, named after the file), with
    ``overrides`` applied on top; without files, one set of the overrides alone.

    A file with overrides on top is another set, named for both (``national-scope-almaty``), so
    ``-p`` can never publish something else as a shipped set's ``latest``.
    """
    overrides = dict(overrides or {})
    if not files:
        _not_a_shipped_set(name, overrides)
        return [ParameterSet(_checked_name(name or run_name(overrides)), overrides)]
    sets = []
    for file in map(Path, files):
        try:
            values = load_yaml(read_input(file, MAX_YAML_BYTES).decode("utf-8")) or {}
        except (OSError, UnicodeDecodeError, UnreadableInput, yaml.YAMLError) as error:
            reason = " ".join(str(error).split())[:200]
            raise ParameterError(f"{file}: not a readable YAML parameter set ({reason})") from None
        if not isinstance(values, dict) or not all(isinstance(key, str) for key in values):
            raise ParameterError(f"{file}: expected a mapping of parameter names to values")
        named = file.stem if not overrides else f"{file.stem}-{run_name(overrides)}"[:80].rstrip("-")
        sets.append(ParameterSet(_checked_name(named), {**values, **overrides}))
    if len({s.name for s in sets}) != len(sets):
        raise ParameterError("two parameter set files share a name: " + ", ".join(s.name for s in sets))
    return sets


def _not_a_shipped_set(name: str | None, parameters: Mapping[str, Any]) -> None:
    """``--name national -p scope=Almaty`` would publish Almaty as the shipped 'national' set and
    its ``latest``: a name of params/ is for that file's own parameters only."""
    shipped = PARAMS_DIR / f"{name}.yml"
    if name and shipped.is_file():
        try:
            own = load_yaml(read_input(shipped, MAX_YAML_BYTES).decode("utf-8")) or {}
        except (OSError, UnicodeDecodeError, UnreadableInput, yaml.YAMLError):
            own = None
        if own != dict(parameters):
            raise ParameterError(
                f"set name {name!r} is the shipped parameter set {shipped.relative_to(REPO_ROOT)} with other "
                "parameters: its report and latest would be replaced; choose another --name, or --params it"
            )


def _checked_name(name: str) -> str:
    if not SET_NAME.match(name):
        raise ParameterError(f"set name {name!r}: use lower-case letters, digits and '-' (e.g. national)")
    return name


def check_parameters(parameters: Mapping[str, Any]) -> None:
    """Refuse unknown, reserved or ill-typed parameters, before any kernel starts."""
    found = problems(parameters)
    if found:
        raise ParameterError("; ".join(found))
