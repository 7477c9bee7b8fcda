"""Where the data, notebooks and reports live.

Notebooks run from different working directories (papermill: wherever it was launched; nbval:
the notebook's folder), so every path is resolved here, never written as ``../data``.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

DEFAULT_DATASET = "kazakhstan-2022-01"

#: The checkout this package was installed from (the package is installed editable from src/).
REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_ROOT = REPO_ROOT / "data"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
REPORTS_DIR = REPO_ROOT / "reports"
PARAMS_DIR = REPO_ROOT / "params"  # the shipped parameter sets

#: Overrides DATA_ROOT, e.g. for a dataset kept outside the repository.
DATA_DIR_ENV = "CASUALTY_REPORT_DATA_DIR"


def dataset_dir(dataset: str = DEFAULT_DATASET, data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding a dataset's ``claims.csv`` and ``sources.csv``.

    ``data_dir`` may be that folder itself or a folder of datasets; when it is None the
    ``CASUALTY_REPORT_DATA_DIR`` environment variable, then the repository's ``data/``, is used.
    """
    base = Path(data_dir) if data_dir is not None else Path(os.environ.get(DATA_DIR_ENV) or DATA_ROOT)
    if (base / "claims.csv").exists():
        return base
    return base / dataset


#: A ledger file is a few hundred rows; past this it is refused unread (a typo'd path, a dump).
MAX_LEDGER_BYTES = 32 * 1024 * 1024


class UnreadableInput(ValueError):
    """An input file refused before it is read: the message says why, without the path."""


def read_input(path: Path, limit: int) -> bytes:
    """The bytes of an input file (a ledger file, dataset.yml, a parameter set), read only if it
    is a regular file of at most ``limit`` bytes and not a symbolic link: a link could point
    anywhere (``/etc/passwd``, ``/dev/zero``), a device or a pipe reads for ever, and a huge file
    would be read whole before any size check. ``FileNotFoundError`` passes through."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnreadableInput(
                "a symbolic link (the file itself must be here, not a link to it)"
            ) from None
        raise
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise UnreadableInput("not a regular file (a device, a pipe or a folder)")
        if status.st_size > limit:
            raise UnreadableInput(f"larger than the {limit:,} bytes allowed ({status.st_size:,} bytes)")
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew while we read
        raise UnreadableInput(f"larger than the {limit:,} bytes allowed")
    return data
