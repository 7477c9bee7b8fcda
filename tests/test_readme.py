"""The README's findings are the dataset's written findings, rendered: the same text, every figure
filled in from the ledger, so the README cannot drift from the rows it cites."""

from __future__ import annotations

from pathlib import Path

from casualty_report import findings

README = Path(__file__).parents[1] / "README.md"
START = "<!-- findings: casualty-report findings -->\n"
END = "<!-- /findings -->"


def readme_findings() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index(START) + len(START) : text.index(END)]


def test_the_readme_shows_the_datasets_findings_as_rendered(ledger):
    assert readme_findings() == findings.markdown(ledger), (
        "README's findings differ from the dataset's: paste the output of `casualty-report findings`"
    )
