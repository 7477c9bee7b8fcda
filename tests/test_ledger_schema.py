"""The ledger's one schema: the committed datapackage.json is what the code generates and
Frictionless accepts it; the loader's pandera checks and the Data Package say the same about
every column, because both are derived from the same fields."""

from __future__ import annotations

import ast
import csv
import json
from dataclasses import replace
from pathlib import Path

import frictionless
import pytest

from casualty_report.errors import LedgerError
from casualty_report.ledger import checks as ledger_checks
from casualty_report.ledger import schema as ledger_schema
from casualty_report.ledger.files import Problem, read_csv
from casualty_report.ledger.load import CLAIMS_COLUMNS, OPTIONAL_CLAIMS_COLUMNS, SOURCES_COLUMNS, load_ledger
from casualty_report.ledger.schema import CLAIMS, PACKAGE_FILE, SOURCES, TABLES, package_text
from casualty_report.ledger.vocabulary import MEASURES, VOCABULARIES, Measure

from .conftest import SHIPPED

PACKAGE = SHIPPED / PACKAGE_FILE
SRC = Path(ledger_schema.__file__).parent


def frictionless_errors(package: Path) -> list[tuple[str, int | None, str | None, str]]:
    """Every error Frictionless finds: table, row, column, kind (foreign keys name no column)."""
    report = frictionless.validate(str(package))
    found = [("", None, None, error.type) for error in report.errors]
    for task in report.tasks:
        found += [
            (task.name, getattr(error, "row_number", None), getattr(error, "field_name", None), error.type)
            for error in task.errors
        ]
    return found


def edit_cell(folder: Path, file: str, key: str, column: str, value: str) -> int:
    """Set one cell of a copy's CSV file; return its spreadsheet row."""
    path = folder / file
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    number = next(n for n, row in enumerate(rows) if row[0] == key)
    rows[number][header.index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return number + 1


def problems_of(folder: Path) -> list[Problem]:
    try:
        load_ledger(data_dir=folder)
    except LedgerError as error:
        return error.problems
    return []


def test_the_committed_datapackage_is_what_the_schema_generates():
    assert PACKAGE.read_text(encoding="utf-8") == package_text(SHIPPED), (
        "data/kazakhstan-2022-01/datapackage.json is out of date: run `make datapackage`"
    )
    assert ledger_schema.stale_datapackage(SHIPPED) is None


def test_frictionless_validates_the_ledger_package():
    assert frictionless_errors(PACKAGE) == []


def test_the_package_describes_every_column_with_the_vocabulary_and_keys():
    package = json.loads(PACKAGE.read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["title"].startswith("Kazakhstan, January 2022")
    assert any("S01" in source["title"] for source in package["sources"])
    resources = {resource["name"]: resource for resource in package["resources"]}
    claims, sources = resources["claims"]["schema"], resources["sources"]["schema"]
    assert [field["name"] for field in claims["fields"]] == list(CLAIMS_COLUMNS)
    assert [field["name"] for field in sources["fields"]] == list(SOURCES_COLUMNS)
    assert all(field["title"] and field["description"] for field in claims["fields"] + sources["fields"])
    by_name = {field["name"]: field for field in claims["fields"] + sources["fields"]}
    for column, words in VOCABULARIES.items():
        assert by_name[column]["constraints"]["enum"] == list(words)
        assert all(word in by_name[column]["description"] for word in words)
    assert (claims["primaryKey"], sources["primaryKey"]) == ("claim_id", "source_id")
    assert {
        (k["fields"], k["reference"]["resource"], k["reference"]["fields"]) for k in claims["foreignKeys"]
    } == {
        ("source_id", "sources", "source_id"),
        ("status_source_id", "sources", "source_id"),
        ("superseded_by", "", "claim_id"),
    }


def test_a_vocabulary_word_added_without_regenerating_makes_the_package_stale(monkeypatch, ledger_copy):
    monkeypatch.setitem(MEASURES, "missing", Measure("people missing", "missing", topic="casualties"))
    stale = ledger_schema.stale_datapackage(ledger_copy)
    assert stale is not None and "make datapackage" in stale.expected
    assert '"missing"' in package_text(ledger_copy)
    ledger_schema.write_datapackage(ledger_copy)
    assert ledger_schema.stale_datapackage(ledger_copy) is None


def test_the_column_lists_come_from_the_schema():
    assert CLAIMS_COLUMNS == CLAIMS.columns and SOURCES_COLUMNS == SOURCES.columns
    assert OPTIONAL_CLAIMS_COLUMNS == (
        "value_high",
        "relayed_by",
        "status_since",
        "status_source_id",
        "superseded_by",
        "corrected_by",
    )
    for table in TABLES:
        schema = ledger_checks.pandera_schema(table, {})
        assert list(schema.columns) == list(table.columns)


# A row where every optional cell may be emptied: (file, key of the row).
BLANKABLE_ROW = {CLAIMS.file: "R21", SOURCES.file: "S01"}  # rows whose optional cells may all be empty
# Every column but the sources' key: emptying it also breaks every claim that cites the source,
# which test_bad_ledger covers.
FIELDS = [
    (table.file, field)
    for table in TABLES
    for field in table.fields
    if not (table.file == SOURCES.file and field.name == "source_id")
]


@pytest.mark.parametrize(("file", "field"), FIELDS, ids=[f"{file}:{field.name}" for file, field in FIELDS])
def test_pandera_and_frictionless_agree_on_an_empty_cell(ledger_copy, file, field):
    row = edit_cell(ledger_copy, file, BLANKABLE_ROW[file], field.name, "")
    by_pandera = [p for p in problems_of(ledger_copy) if Path(p.file).name == file and p.column == field.name]
    by_frictionless = [e for e in frictionless_errors(ledger_copy / PACKAGE_FILE) if e[2] == field.name]
    if field.required:
        assert [p.row for p in by_pandera] == [row]
        assert [(e[1], e[3]) for e in by_frictionless] == [(row, "constraint-error")]
    else:
        assert by_pandera == [] and by_frictionless == []


# (file, row key, column, bad value): each rejected by both validators, in that cell.
BAD_CELLS = [
    (CLAIMS.file, "A03", "measure", "killed"),
    (CLAIMS.file, "A02", "value", "-26"),
    (CLAIMS.file, "A02", "value", "1,300"),
    (CLAIMS.file, "A02", "reported_on", "2022-02-30"),
    (CLAIMS.file, "A09", "claim_id", "A 9"),
    (CLAIMS.file, "A09", "claim_id", "A08"),
    (CLAIMS.file, "A08", "source_id", "S99"),
    (CLAIMS.file, "A01", "status_source_id", "S99"),
    (CLAIMS.file, "A03", "superseded_by", "R99"),
    (CLAIMS.file, "A02", "corrected_by", "R07a,R08"),
    (SOURCES.file, "S01", "url", "javascript:alert(1)"),
    (SOURCES.file, "S01", "published_on", "January 2022"),
]


@pytest.mark.parametrize(
    ("file", "key", "column", "value"), BAD_CELLS, ids=[f"{c[2]}={c[3]}" for c in BAD_CELLS]
)
def test_both_validators_reject_a_bad_cell(ledger_copy, file, key, column, value):
    row = edit_cell(ledger_copy, file, key, column, value)
    assert any((Path(p.file).name, p.row, p.column) == (file, row, column) for p in problems_of(ledger_copy))
    table = Path(file).stem
    found = frictionless_errors(ledger_copy / PACKAGE_FILE)
    # Frictionless names a foreign key's row but not its column; a duplicate key's row is the second.
    assert any(e[0] == table and e[1] == row and e[2] in (column, None) for e in found), found


def test_requiring_a_sources_cell_is_one_edit_of_its_field(ledger_copy):
    """What `required=True` on sources' url (or title, published_on) does: the loader's check,
    its message and the Data Package's constraint all follow."""
    edit_cell(ledger_copy, SOURCES.file, "S01", "url", "")  # as shipped: the article's copy has no address
    fields = tuple(replace(f, required=True) if f.name == "url" else f for f in SOURCES.fields)
    required = replace(SOURCES, fields=fields)
    frame = read_csv(ledger_copy / SOURCES.file, SOURCES.columns, [])
    found: list[Problem] = []
    ledger_checks.validate_frame(required, frame, ledger_copy / SOURCES.file, found, {})
    assert (2, "url") in [(p.row, p.column) for p in found]
    assert any(
        str(p).endswith("row 2, column 'url': got ''; expected an http:// or https:// address") for p in found
    )
    url = next(f for f in ledger_schema.table_schema(required)["fields"] if f["name"] == "url")
    assert url["constraints"]["required"] is True


def test_the_ledger_modules_stay_small_and_acyclic():
    """issue 11: no module over about 350 lines; the files and the text rules (what a cell may
    hold) need no other ledger module but the vocabulary, the schema only the files, the checks
    only those, and the loader all of them."""
    allowed = {
        "files": {"vocabulary"},
        "text": set(),
        "schema": {"files", "vocabulary"},
        "checks": {"files", "schema", "text", "vocabulary", "statuses"},
        "load": {"files", "schema", "checks", "text", "vocabulary", "statuses"},
    }
    for name, may_import in allowed.items():
        source = (SRC / f"{name}.py").read_text(encoding="utf-8")
        assert len(source.splitlines()) <= 350, name
        imported = {
            node.module.rpartition(".")[2]
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("casualty_report.ledger.")
        }
        assert imported <= may_import, (name, imported - may_import)
