"""Fuzzing the loader with Hypothesis: random mutations of the shipped ledger (cells, rows,
delimiters, encodings, byte-order marks, huge numbers, NaN and inf, stray whitespace, look-alike
Unicode, truncation, stray bytes) must either validate or raise LedgerError whose every problem
names its file, and for a cell its row and column. Any other exception is a bug.

FUZZ_EXAMPLES sets the number of examples: 250 by default (about 8 s), so the loop of ``make
test`` stays short; CI's .ci/run asks for 2,000. Hypothesis keeps any failing example it finds
in .hypothesis/ and tries it first on the next run."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casualty_report.errors import LedgerError
from casualty_report.ledger.load import CLAIMS_COLUMNS, load_ledger

from .conftest import SHIPPED

FILES = {name: (SHIPPED / name).read_bytes() for name in ("claims.csv", "sources.csv", "dataset.yml")}
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "250"))

NASTY_CELLS = [
    "",
    " ",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e9",
    "9" * 40,
    "-1",
    "0.5",
    "1,300",
    "1_000",
    "0x10",
    "١٢٣",
    "\u00a0deaths",
    " deaths ",
    "d\u0435aths",
    "DEATHS",
    "null",
    "None",
    "<script>alert(1)</script>",
    '"',
    '""',
    "a\nb",
    "a\rb",
    "\t",
    ";",
    "2022-02-29",
    "2022-1-9",
    "9999-12-31",
    "S01 S99",
    "A01",
    "javascript:alert(1)",
    "x" * 200_000,
]


@st.composite
def mutated_ledger(draw) -> dict[str, bytes]:
    files = dict(FILES)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(files)))
        files[name] = draw(mutation(files[name], name))
    return files


# One composite strategy, called with the file: Hypothesis inspects a composite's source when it
# is defined, which for a strategy defined afresh in every call cost a tenth of the test's time.
@st.composite
def mutation(draw, content: bytes, name: str) -> bytes:
    lines = content.split(b"\n")
    kind = draw(
        st.sampled_from(
            [
                "cell",
                "cell",
                "cell",
                "drop_row",
                "copy_row",
                "blank_row",
                "delimiter",
                "encoding",
                "bom_crlf",
                "truncate",
                "bytes",
                "drop_column",
            ]
        )
    )
    if kind == "cell" and name.endswith(".csv") and len(lines) > 2:
        row = draw(st.integers(0, len(lines) - 2))
        cells = lines[row].decode("utf-8", "surrogateescape").split(",")
        column = draw(st.integers(0, len(cells) - 1))
        cells[column] = draw(st.sampled_from(NASTY_CELLS) | st.text(max_size=12))
        lines[row] = ",".join(cells).encode("utf-8", "surrogateescape")
        return b"\n".join(lines)
    if kind == "drop_row" and len(lines) > 1:
        del lines[draw(st.integers(0, len(lines) - 1))]
        return b"\n".join(lines)
    if kind == "copy_row" and len(lines) > 2:
        row = draw(st.integers(1, len(lines) - 2))
        return b"\n".join([*lines, lines[row]])
    if kind == "blank_row":
        lines.insert(draw(st.integers(0, len(lines))), b",,," if draw(st.booleans()) else b"")
        return b"\n".join(lines)
    if kind == "delimiter":
        return content.replace(b",", draw(st.sampled_from([b";", b"\t", b"|", b", "])))
    if kind == "encoding":
        text = content.decode("utf-8", "replace")
        return text.encode(draw(st.sampled_from(["utf-16", "utf-32", "latin-1", "cp1252"])), errors="replace")
    if kind == "bom_crlf":
        return b"\xef\xbb\xbf" + content.replace(b"\n", b"\r\n")
    if kind == "truncate":
        return content[: draw(st.integers(0, len(content)))]
    if kind == "bytes":
        at = draw(st.integers(0, len(content)))
        return content[:at] + draw(st.binary(min_size=1, max_size=8)) + content[at:]
    if kind == "drop_column" and name.endswith(".csv"):
        column = draw(st.integers(0, 5))
        return b"\n".join(
            b",".join(line.split(b",")[:column] + line.split(b",")[column + 1 :]) for line in lines
        )
    return content


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_ledger())
def test_a_mutated_ledger_validates_or_names_every_problem(files):
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for name, content in files.items():
            (folder / name).write_bytes(content)
        try:
            ledger = load_ledger(data_dir=folder)
        except LedgerError as error:
            assert error.problems
            for problem in error.problems:
                assert Path(problem.file).name in FILES, problem
                assert problem.expected, problem
                if problem.column in CLAIMS_COLUMNS and Path(problem.file).name == "claims.csv":
                    assert problem.row >= 1, problem  # a cell, or a header, is always located
        else:
            assert (ledger.claims["value"] >= 0).all()
            assert ledger.claims["claim_id"].is_unique
