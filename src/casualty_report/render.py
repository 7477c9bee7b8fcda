"""Executing the notebooks with papermill and publishing HTML, figures and tables.

A run renders into a staging folder beside its target and only then swaps it into place, so a
failed or killed run leaves the previously published report as it was. A run whose inputs
(notebooks, ledger, package code, parameters, library versions) are unchanged is skipped
unless forced.

Layout of a published run, ``<out>/<name>/``::

    index.html            links to each notebook's page
    NN-verb-object.html   the executed notebook without code, opening offline
    notebooks/            the executed notebooks
    figures/ tables/      what the notebooks wrote
    manifest.json         parameters, input hash, versions, timings
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from casualty_report.ledger import load_ledger
from casualty_report.notebooks import QUIET_KERNEL, find_notebooks, scrub
from casualty_report.paths import DEFAULT_DATASET, NOTEBOOKS_DIR, REPO_ROOT, dataset_dir

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
#: Libraries whose versions change outputs: part of the input hash and the manifest.
TRACKED_PACKAGES = ("pandas", "pandera", "matplotlib", "numpy", "papermill", "nbconvert", "ipykernel")
#: Set by render itself: each notebook writes into the run's folder.
RESERVED_PARAMETERS = frozenset({"output_dir"})


class RenderError(RuntimeError):
    """A render could not start or a notebook failed; the message says which and where."""


class ParameterError(RenderError):
    """A parameter is malformed, unknown or reserved."""


@dataclass
class NotebookResult:
    notebook: str
    seconds: float
    html: str


@dataclass
class RenderResult:
    name: str
    directory: Path
    skipped: bool
    notebooks: list[NotebookResult] = field(default_factory=list)


def parse_parameter(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` -> (key, value); the value is read as JSON when it parses, else as text.

    So ``scope=Almaty`` gives "Almaty", ``figure_formats=["png"]`` a list, ``data_dir=null`` None.
    """
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ParameterError(f"parameter {text!r} is not KEY=VALUE (e.g. -p scope=Almaty)")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key.strip(), value


def run_name(parameters: Mapping[str, Any]) -> str:
    """A folder name for a parameter set: ``default``, or e.g. ``scope-almaty``."""
    if not parameters:
        return "default"
    parts = [f"{key}-{value}" for key, value in sorted(parameters.items())]
    return re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")[:80] or "default"


def check_parameters(notebooks: Iterable[Path], parameters: Mapping[str, Any]) -> None:
    """Refuse parameters that no notebook declares, before any kernel starts."""
    import papermill

    reserved = RESERVED_PARAMETERS & set(parameters)
    if reserved:
        raise ParameterError(f"{', '.join(sorted(reserved))} is set by render itself: use --out instead")
    declared: set[str] = set()
    for notebook in notebooks:
        declared |= set(papermill.inspect_notebook(str(notebook)))
    unknown = sorted(set(parameters) - declared)
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)}; the notebooks take: {', '.join(sorted(declared))}"
        )


def inputs_hash(notebooks: Iterable[Path], parameters: Mapping[str, Any]) -> str:
    """A content hash of everything a render depends on."""
    digest = hashlib.sha256()
    ledger_dir = dataset_dir(parameters.get("dataset", DEFAULT_DATASET), parameters.get("data_dir"))
    files = [*notebooks, *sorted(ledger_dir.glob("*.csv")), *sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file())]
    for path in files:
        if "__pycache__" in path.parts:
            continue
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(json.dumps(dict(parameters), sort_keys=True, default=str).encode())
    digest.update(json.dumps(_versions(), sort_keys=True).encode())
    return digest.hexdigest()


def render(
    out: Path | str | None = None,
    parameters: Mapping[str, Any] | None = None,
    *,
    force: bool = False,
    name: str | None = None,
    notebooks: list[Path] | None = None,
    log=print,
) -> RenderResult:
    """Execute every notebook with ``parameters`` and publish the run to ``<out>/<name>/``."""
    out = Path(out) if out is not None else REPO_ROOT / "reports"
    parameters = dict(parameters or {})
    name = name or run_name(parameters)
    target = out / name
    if parameters.get("data_dir") is not None:
        # Kernels run inside the staging folder: keep a relative data_dir meaning what the caller meant.
        parameters["data_dir"] = str(Path(parameters["data_dir"]).resolve())
    notebooks = notebooks if notebooks is not None else find_notebooks()
    if not notebooks:
        raise RenderError(f"no notebooks named NN-verb-object.ipynb in {NOTEBOOKS_DIR}")

    check_parameters(notebooks, parameters)
    # A bad ledger stops here with the ledger's own message, before any kernel starts.
    load_ledger(parameters.get("dataset", DEFAULT_DATASET), parameters.get("data_dir"))

    fingerprint = inputs_hash(notebooks, parameters)
    if not force and _published_hash(target) == fingerprint:
        log(f"{target}: up to date (inputs unchanged; --force re-renders)")
        return RenderResult(name, target, skipped=True)

    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.staging-", dir=out))
    try:
        results = [_run_notebook(notebook, staging, parameters, out / f"{name}.failed", log) for notebook in notebooks]
        _write_index(staging, name, parameters, results)
        _write_manifest(staging, name, parameters, fingerprint, results)
        _swap_into_place(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(out / f"{name}.failed", ignore_errors=True)  # an earlier failure is now fixed
    log(f"published {target}")
    return RenderResult(name, target, skipped=False, notebooks=results)


def _run_notebook(
    notebook: Path, staging: Path, parameters: Mapping[str, Any], failed_dir: Path, log
) -> NotebookResult:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    executed = staging / "notebooks" / notebook.name
    executed.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            # Run inside the staging folder and write to "." so no random path lands in the output.
            parameters={**parameters, "output_dir": "."},
            kernel_name="python3",
            cwd=str(staging),
            progress_bar=False,
            log_output=False,
            extra_arguments=QUIET_KERNEL,
        )
    except PapermillExecutionError as error:
        failed_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(executed, failed_dir / notebook.name)
        raise RenderError(
            f"{notebook.name} failed in cell {error.exec_count} with {error.ename}: {error.evalue}\n"
            f"the failed notebook is kept at {failed_dir / notebook.name}; the published report is unchanged"
        ) from None
    seconds = time.perf_counter() - started
    page = staging / f"{notebook.stem}.html"
    page.write_text(_publish_executed(executed), encoding="utf-8")
    log(f"{notebook.name}: {seconds:.1f} s")
    return NotebookResult(notebook.name, round(seconds, 2), page.name)


def _publish_executed(executed: Path) -> str:
    """Scrub the executed notebook of timestamps, in place, and return it as one self-contained
    HTML page without code cells."""
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.read(executed, as_version=4)
    scrub(notebook)
    nbformat.write(notebook, executed)

    exporter = HTMLExporter(
        template_name="offline",
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": executed.stem}})
    return body


def _write_index(staging: Path, name: str, parameters: Mapping[str, Any], results: list[NotebookResult]) -> None:
    items = "\n".join(
        f'    <li><a href="{html.escape(result.html)}">{html.escape(result.notebook.removesuffix(".ipynb"))}</a></li>'
        for result in results
    )
    shown = html.escape(json.dumps(dict(parameters), sort_keys=True)) if parameters else "defaults"
    (staging / "index.html").write_text(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
        f"<title>Casualty report: {html.escape(name)}</title></head>\n<body>\n"
        f"  <h1>Casualty report: {html.escape(name)}</h1>\n  <p>Parameters: {shown}</p>\n"
        f"  <ol>\n{items}\n  </ol>\n</body>\n</html>\n",
        encoding="utf-8",
    )


def _write_manifest(
    staging: Path, name: str, parameters: Mapping[str, Any], fingerprint: str, results: list[NotebookResult]
) -> None:
    manifest = {
        "name": name,
        "parameters": dict(parameters),
        "inputs_hash": fingerprint,
        "versions": _versions(),
        "notebooks": [vars(result) for result in results],
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")


def _published_hash(target: Path) -> str | None:
    try:
        return json.loads((target / "manifest.json").read_text(encoding="utf-8")).get("inputs_hash")
    except (OSError, ValueError):
        return None


def _swap_into_place(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` with two renames; the old copy is removed last."""
    previous = None
    if target.exists():
        previous = Path(tempfile.mkdtemp(prefix=f".{target.name}.previous-", dir=target.parent))
        os.replace(target, previous / target.name)
    os.replace(staging, target)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


def _versions() -> dict[str, str]:
    return {package: metadata.version(package) for package in TRACKED_PACKAGES}
