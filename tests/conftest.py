"""Shared fixtures: the shipped ledger, and writable copies of it to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from casualty_report import load_ledger
from casualty_report.ledger import Ledger
from casualty_report.paths import DATA_ROOT, DEFAULT_DATASET

SHIPPED = DATA_ROOT / DEFAULT_DATASET


@pytest.fixture(scope="session")
def ledger() -> Ledger:
    return load_ledger()


@pytest.fixture
def ledger_copy(tmp_path: Path) -> Path:
    """A copy of the shipped dataset folder, safe to edit."""
    target = tmp_path / DEFAULT_DATASET
    shutil.copytree(SHIPPED, target)
    return target
