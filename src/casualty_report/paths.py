"""Where the data, notebooks and reports live.

Notebooks run from different working directories (papermill: wherever it was launched; nbval:
the notebook's folder), so every path is resolved here, never written as ``../data``.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DATASET = "kazakhstan-2022-01"

#: The package's own folder, every layer of it: what a render's fingerprint hashes as code.
PACKAGE_DIR = Path(__file__).resolve().parent
#: The checkout this package was installed from (the package is installed editable from src/).
REPO_ROOT = PACKAGE_DIR.parents[1]
DATA_ROOT = REPO_ROOT / "data"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
REPORTS_DIR = REPO_ROOT / "reports"
PARAMS_DIR = REPO_ROOT / "params"  # the shipped parameter sets

#: Overrides DATA_ROOT, e.g. for a dataset kept outside the repository.
DATA_DIR_ENV = "CASUALTY_REPORT_DATA_DIR"
#: A Dask scheduler's address: where ``render`` and ``watch`` run notebooks when no --cluster is given.
CLUSTER_ENV = "CASUALTY_REPORT_CLUSTER"


def dataset_dir(dataset: str = DEFAULT_DATASET, data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding a dataset's ``claims.csv`` and ``sources.csv``.

    ``data_dir`` may be that folder itself or a folder of datasets; when it is None the
    ``CASUALTY_REPORT_DATA_DIR`` environment variable, then the repository's ``data/``, is used.
    """
    base = Path(data_dir) if data_dir is not None else Path(os.environ.get(DATA_DIR_ENV) or DATA_ROOT)
    if (base / "claims.csv").exists():
        return base
    return base / dataset
