"""What a run depends on: every file it reads, the parameters and the library versions, hashed
into one fingerprint. A set whose fingerprint equals its latest successful run's is skipped.

Light on purpose: deciding to skip loads neither pandas nor papermill (README, render step 1).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

from casualty_report import errors
from casualty_report.parameters import ParameterSet, check_parameters, defaults
from casualty_report.paths import DEFAULT_DATASET, PACKAGE_DIR, REPO_ROOT, dataset_dir

#: Libraries whose versions change outputs: part of the input hash and the manifest.
TRACKED_PACKAGES = (
    "pandas",
    "pandera",
    "matplotlib",
    "numpy",
    "papermill",
    "nbconvert",
    "ipykernel",
    "nh3",
    "Jinja2",
    "mistune",
)


class Plan(NamedTuple):
    """A set about to be rendered: what it reads and the hash that decides whether to."""

    set: ParameterSet
    parameters: dict[str, Any]  # every parameter explicit, data_dir made absolute
    hashes: dict[str, str]
    fingerprint: str

    @property
    def name(self) -> str:
        return self.set.name


def plan(parameter_set: ParameterSet, notebooks: Iterable[Path]) -> Plan:
    """Check a set's parameters (before any kernel starts) and hash what it would read."""
    try:
        check_parameters(parameter_set.parameters)
    except errors.ParameterError as error:
        raise errors.ParameterError(f"set {parameter_set.name}: {error}") from None
    # Every parameter explicit: a default edited in a notebook cannot change a set.
    parameters = _absolute_data_dir({**defaults(), **parameter_set.parameters})
    hashes = file_hashes(input_files(notebooks, parameters))
    return Plan(parameter_set, parameters, hashes, fingerprint(hashes, parameters))


def input_files(notebooks: Iterable[Path], parameters: Mapping[str, Any]) -> list[Path]:
    """Every file a run reads: notebooks, the dataset folder, the package."""
    return [*notebooks, *dataset_files(parameters), *package_files()]


def dataset_files(parameters: Mapping[str, Any]) -> list[Path]:
    """The files of the dataset folder a set reads (its ledger, sources and dataset.yml)."""
    ledger_dir = dataset_dir(parameters.get("dataset", DEFAULT_DATASET), parameters.get("data_dir"))
    return sorted(p for p in ledger_dir.glob("*") if p.is_file()) if ledger_dir.is_dir() else []


def package_files() -> list[Path]:
    """The package's own files (code, templates, styles), in a fixed order."""
    return sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def file_hashes(paths: Iterable[Path]) -> dict[str, str]:
    hashes = {}
    for path in paths:
        try:
            shown = str(path.relative_to(REPO_ROOT))
        except ValueError:
            shown = str(path)
        with path.open("rb") as handle:  # streamed: a huge file costs time, not memory
            hashes[shown] = hashlib.file_digest(handle, "sha256").hexdigest()
    return hashes


def fingerprint(hashes: Mapping[str, str], parameters: Mapping[str, Any]) -> str:
    """One hash of the inputs, the parameters and the library versions: unchanged means skip."""
    digest = hashlib.sha256()
    digest.update(json.dumps(hashes, sort_keys=True).encode())
    digest.update(json.dumps(dict(parameters), sort_keys=True, default=str).encode())
    digest.update(json.dumps(versions(), sort_keys=True).encode())
    return digest.hexdigest()


def code_fingerprint() -> str:
    """The package's files and every installed distribution's version, hashed: what a cluster's
    worker must share with the render that sends it notebooks (cluster.py), wherever it is
    installed. Stricter than the run's fingerprint: the same lock file, not only the libraries
    known to shape the outputs."""
    digest = hashlib.sha256()
    for path in package_files():
        digest.update(f"{path.relative_to(PACKAGE_DIR).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    digest.update(json.dumps(environment(), sort_keys=True).encode())
    return digest.hexdigest()


def environment() -> dict[str, str]:
    """Python's version and every installed distribution's, by name."""
    installed = {
        str(dist.metadata["Name"]).lower(): dist.version
        for dist in metadata.distributions()
        if dist.metadata["Name"]
    }
    return {"python": sys.version.split()[0], **dict(sorted(installed.items()))}


def versions() -> dict[str, str]:
    """The tracked libraries' installed versions (read from metadata, nothing imported)."""
    return {package: metadata.version(package) for package in TRACKED_PACKAGES}


def _absolute_data_dir(parameters: Mapping[str, Any]) -> dict[str, Any]:
    # Kernels run inside their staging folder: keep a relative data_dir meaning what the caller meant.
    parameters = dict(parameters)
    if parameters.get("data_dir") is not None:
        parameters["data_dir"] = str(Path(parameters["data_dir"]).resolve())
    return parameters
