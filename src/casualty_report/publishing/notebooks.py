"""The report's notebook files: finding them, and refreshing their committed outputs.

The committed outputs (default parameters) are the baseline nbval compares against, so they
are scrubbed of everything that changes from run to run: papermill's and the executor's
timestamps and timings.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from casualty_report.paths import NOTEBOOKS_DIR

NOTEBOOK_PATTERN = re.compile(r"^\d\d-[a-z0-9-]+\.ipynb$")
#: Passed to every kernel: ipykernel 7 warns on each start that local TCP is unencrypted.
QUIET_KERNEL = ["--IPKernelApp.log_level=ERROR"]
#: The explorer: for JupyterLab, kept to its outputs by nbval like the others, never a page.
EXPLORER = NOTEBOOKS_DIR / "explore.ipynb"


def find_notebooks(directory: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The report's notebooks, ``NN-verb-object.ipynb``, in the order they run."""
    return sorted(path for path in directory.glob("*.ipynb") if NOTEBOOK_PATTERN.match(path.name))


#: The name ipykernel's own kernelspec shows. JupyterLab writes it into a notebook it opens:
#: committed with any other, the notebook is marked changed, and autosave rewrites nbval's baseline.
KERNEL_DISPLAY_NAME = "Python 3 (ipykernel)"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def scrub(notebook) -> None:
    """Drop run-specific metadata from an executed notebook (an nbformat node), in place, and name
    the kernel as JupyterLab does."""
    notebook.metadata.pop("papermill", None)
    notebook.metadata.pop("widgets", None)  # the explorer's widget state: new ids on every run
    if "kernelspec" in notebook.metadata:
        notebook.metadata.kernelspec["display_name"] = KERNEL_DISPLAY_NAME
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.metadata.get("tags") == []:
            del cell.metadata["tags"]
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill gives it a random id on every run
        # A widget's view names a model that only lives in the kernel that ran it: not kept.
        if "outputs" in cell:
            cell.outputs = [output for output in cell.outputs if WIDGET_VIEW not in output.get("data", {})]
        for output in cell.get("outputs", []):
            if "execution_count" in output:  # a reused kernel's counter runs on across notebooks
                output["execution_count"] = cell.execution_count


def refresh_baseline(notebook: Path) -> None:
    """Execute a notebook with its default parameters, from its own folder as nbval does, and
    write it back with scrubbed outputs."""
    import nbformat
    import papermill

    with tempfile.TemporaryDirectory() as scratch:
        executed = Path(scratch) / notebook.name
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            kernel_name="python3",
            cwd=str(notebook.parent),
            progress_bar=False,
            extra_arguments=QUIET_KERNEL,
        )
        result = nbformat.read(executed, as_version=4)
    scrub(result)
    nbformat.write(result, notebook)
