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


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> Path:
    """One real render with the default parameters, shared by the tests that read its output."""
    from casualty_report.render import render

    out = tmp_path_factory.mktemp("reports")
    result = render(out, log=lambda _: None)
    assert not result.skipped
    return result.directory
