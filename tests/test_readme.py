"""The README's findings hold: every figure cited with ledger ids carries the value written beside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).parents[1] / "README.md"
ID = r"[A-Z]\d+[a-z]?"
# "238 (R35a)", "164 (A01, R09a)" (each carries it), "42 (A02 + A03)" (the parts add up to it).
CITED = re.compile(rf"(\d[\d,]*) \(({ID}(?:(?:, | \+ ){ID})*)\)")


def findings() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("## Findings") : text.index("\n## ", text.index("## Findings") + 1)]


def citations(text: str) -> list[tuple[int, str]]:
    return [(int(value.replace(",", "")), ids) for value, ids in CITED.findall(text)]


def disagreements(text: str, values: dict[str, int]) -> list[str]:
    wrong = []
    for value, ids in citations(text):
        if " + " in ids:
            parts = ids.split(" + ")
            if any(part not in values for part in parts) or sum(values[part] for part in parts) != value:
                wrong.append(f"{value:,} ({ids})")
        else:
            wrong += [f"{value:,} ({i})" for i in ids.split(", ") if values.get(i) != value]
    return wrong


@pytest.fixture(scope="module")
def values(ledger) -> dict[str, int]:
    return dict(zip(ledger.claims["claim_id"], ledger.claims["value"].astype(int), strict=True))


def test_every_cited_figure_is_its_rows_value(values):
    cited = citations(findings())
    assert len(cited) >= 20, "the findings cite their rows as 'value (id)'"
    assert disagreements(findings(), values) == []


def test_the_check_fails_on_a_figure_that_disagrees_with_its_row(values):
    assert disagreements("officials said 239 (R35a) and 43 (A02 + A03)", values) == [
        "239 (R35a)",
        "43 (A02 + A03)",
    ]
    assert disagreements("a row that does not exist: 5 (Z99)", values) == ["5 (Z99)"]


def test_every_id_in_the_findings_is_cited_with_a_figure(values):
    """An id mentioned without its value would escape the check."""
    text = findings()
    bracketed = {i for ids in re.findall(rf"\(({ID}[^)]*)\)", text) for i in re.findall(ID, ids)}
    cited = {i for _, ids in citations(text) for i in re.findall(ID, ids)}
    assert bracketed <= cited, bracketed - cited
    assert cited <= set(values), cited - set(values)
