"""The README's findings are each event's written findings, rendered: the same text, every figure
filled in from the ledger, so the README cannot drift from the rows it cites."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from casualty_report.content import findings
from casualty_report.ledger.load import load_ledger
from casualty_report.paths import DATA_ROOT, DEFAULT_DATASET

README = Path(__file__).parents[1] / "README.md"
# Each event's findings sit between a pair of comments naming the command that prints them.
BLOCK = re.compile(
    r"<!-- findings: casualty-report findings(?: --dataset (?P<dataset>[\w-]+))? -->\n"
    r"(?P<text>.*?)<!-- /findings -->",
    re.DOTALL,
)
EVENTS = sorted(path.parent.name for path in DATA_ROOT.glob("*/claims.csv"))


def readme_findings() -> dict[str, str]:
    """The findings block of each event the README shows, by dataset."""
    text = README.read_text(encoding="utf-8")
    return {match["dataset"] or DEFAULT_DATASET: match["text"] for match in BLOCK.finditer(text)}


def test_the_readme_shows_every_events_findings():
    assert sorted(readme_findings()) == EVENTS


@pytest.mark.parametrize("dataset", EVENTS)
def test_the_readme_shows_the_datasets_findings_as_rendered(dataset):
    assert readme_findings()[dataset] == findings.markdown(load_ledger(dataset)), (
        f"README's findings differ from {dataset}'s: paste `casualty-report findings --dataset {dataset}`"
    )
