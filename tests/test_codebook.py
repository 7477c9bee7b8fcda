"""The codebook documents every column a run publishes, and the Data Package it writes validates
with Frictionless, and rejects what the codebook forbids."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import frictionless
import pytest

from casualty_report.content.codebook import SPREADSHEET_SAFE, column, column_title, write_datapackage
from casualty_report.content.codebook_columns import CODEBOOK, OVERRIDES
from casualty_report.conventions import DATA_LICENCE
from casualty_report.ledger.statuses import STATUSES
from casualty_report.ledger.vocabulary import CLAIMANT_GROUPS, MEASURES, POPULATIONS, QUALIFIERS
from casualty_report.ledger.vocabulary import VOCABULARIES as LEDGER_VOCABULARIES
from casualty_report.paths import DATA_ROOT, DEFAULT_DATASET, REPO_ROOT

PACKAGE = {"name": "default", "title": "Kazakhstan, January 2022", "description": "The report's tables."}

# The ledger's vocabularies, and the comparison's status columns that reuse one: officials' and
# whichever group's a dataset sets against them.
VOCABULARIES = {**LEDGER_VOCABULARIES, **{f"{group}_status": STATUSES for group in CLAIMANT_GROUPS}}
ID_LISTS = ("claim_ids", "excluded_ids", *(f"{group}_claim_ids" for group in CLAIMANT_GROUPS))


def headers(run: Path) -> dict[str, list[str]]:
    """Each table's columns, by table name, read from the CSV files themselves."""
    found = {}
    for path in sorted((run / "tables").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as file:
            found[path.stem] = next(csv.reader(file))
    return found


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file, lineterminator="\n").writerows(rows)


def errors(report: frictionless.Report) -> list[tuple[str | None, int | None, str | None, str, str]]:
    """Every error of a validation: table, row, column, kind, what was wrong."""
    found = [(None, None, None, error.type, error.message) for error in report.errors]  # the descriptor's
    for task in report.tasks:
        found += [
            (
                task.name,
                getattr(error, "row_number", None),
                getattr(error, "field_name", None),
                error.type,
                error.note,
            )
            for error in task.errors
        ]
    return found


def problems(report: frictionless.Report) -> str:
    return "\n".join(" | ".join(str(part) for part in error) for error in errors(report))


@pytest.fixture
def run(published: Path, tmp_path: Path) -> Path:
    """A copy of the shared rendered run, safe to write into and break."""
    target = tmp_path / "run"
    shutil.copytree(published, target, symlinks=True)
    (target / "datapackage.json").unlink()  # the render wrote one; each test writes its own
    return target


@pytest.fixture
def package(run: Path) -> Path:
    return write_datapackage(run, **PACKAGE)


def test_every_column_of_every_table_is_documented(published):
    tables = headers(published)
    assert len(tables) >= 8, f"expected the run's tables, found {sorted(tables)}"
    undocumented = {
        f"{table}.{name}" for table, columns in tables.items() for name in columns if name not in CODEBOOK
    }
    assert not undocumented, f"columns missing from the codebook: {sorted(undocumented)}"


def test_overrides_name_tables_and_columns_that_exist(published):
    tables = headers(published)
    stale = [key for key in OVERRIDES if key[0] not in tables or key[1] not in tables[key[0]]]
    assert not stale, f"overrides for columns no table has: {stale}"
    for (table, name), change in OVERRIDES.items():
        # Only the words change: the same name holds the same kind of value in every table.
        assert {k: v for k, v in vars(column(name, table)).items() if k not in change} == {
            k: v for k, v in vars(CODEBOOK[name]).items() if k not in change
        }


def test_the_datapackage_describes_every_table_in_column_order(run, package):
    written = json.loads(package.read_text(encoding="utf-8"))
    tables = headers(run)
    assert [resource["name"] for resource in written["resources"]] == sorted(tables)
    for resource in written["resources"]:
        assert resource["path"] == f"tables/{resource['name']}.csv"
        assert (resource["profile"], resource["format"], resource["mediatype"], resource["encoding"]) == (
            "tabular-data-resource",
            "csv",
            "text/csv",
            "utf-8",
        )
        schema = resource["schema"]
        assert [field["name"] for field in schema["fields"]] == tables[resource["name"]]
        assert schema["missingValues"] == [""]
        for field in schema["fields"]:
            assert field["type"] in {"string", "integer", "number", "boolean", "date"}
            assert field["title"].strip() and field["description"].strip()
            if field["type"] == "boolean":
                assert (field["trueValues"], field["falseValues"]) == (["True"], ["False"])
    assert written["name"] == "default"
    assert (written["title"], written["description"]) == (
        PACKAGE["title"],
        PACKAGE["description"] + " " + SPREADSHEET_SAFE,
    )


def test_frictionless_validates_the_datapackage(run, package):
    report = frictionless.validate(str(package))
    assert report.valid, problems(report)
    # It read the data, not just the descriptor: every table, every row.
    assert len(report.tasks) == len(headers(run))
    for task in report.tasks:
        expected_rows = len(read_rows(run / "tables" / f"{task.name}.csv")) - 1
        assert task.stats["rows"] == expected_rows, task.name
    schema = frictionless.Package(str(package)).get_resource("casualties").schema
    assert schema.get_field("value").type == "integer"


@pytest.mark.parametrize(
    ("table", "name", "bad"),
    [
        ("casualties", "measure", "killed"),
        ("injuries", "qualifier", "approximately"),
        ("arrests", "claimant_group", "police"),
        ("estimates", "population", "men"),
        ("corrections", "status", "withdrawn"),
        ("death-toll-comparison", "official_status", "withdrawn"),
        ("death-toll-timeline", "populations", "civilians+security_forces"),
        ("death-toll-timeline", "lower_bound", "yes"),
        ("casualties", "reported_on", "09/01/2022"),
        ("casualties", "value", "1,300"),
    ],
)
def test_a_value_the_codebook_forbids_fails_validation(run, table, name, bad):
    path = run / "tables" / f"{table}.csv"
    rows = read_rows(path)
    assert len(rows) > 1, f"{table} has no rows to break"
    rows[1][rows[0].index(name)] = bad
    write_rows(path, rows)
    report = frictionless.validate(str(write_datapackage(run, **PACKAGE)))
    assert not report.valid, f"{table}.{name} = {bad!r} passed validation"
    kind = "constraint-error" if name in VOCABULARIES or name == "populations" else "type-error"
    assert [error[:4] for error in errors(report)] == [(table, 2, name, kind)], problems(report)


def test_the_enums_are_the_ledgers_vocabularies():
    for name, vocabulary in VOCABULARIES.items():
        assert CODEBOOK[name].field()["constraints"]["enum"] == list(vocabulary), name
    with_enum = {name for name, entry in CODEBOOK.items() if entry.enum is not None}
    assert with_enum == set(VOCABULARIES), "an enum not checked against a ledger vocabulary"


def test_population_lists_accept_the_vocabulary_joined_by_plus():
    for name in ("populations", *(f"{group}_populations" for group in CLAIMANT_GROUPS)):
        pattern = re.compile(CODEBOOK[name].field()["constraints"]["pattern"])
        for word in POPULATIONS:
            assert pattern.fullmatch(word)
        assert pattern.fullmatch("civilians + security_forces + attackers")
        for bad in ("civilians+security_forces", "civilians + ", "men", "all  + minors"):
            assert not pattern.fullmatch(bad), (name, bad)


def test_columns_of_several_claim_ids_are_strings_saying_how_they_are_separated(published):
    for name in ID_LISTS:
        entry = CODEBOOK[name]
        assert entry.type == "string", name
        assert "separated by" in entry.description, name
    estimates = read_rows(published / "tables" / "estimates.csv")
    ids = [row[estimates[0].index("claim_ids")] for row in estimates[1:]]
    assert "R34a R34b R34c R46a R70a" in ids and not any(
        "+" in cell for cell in ids
    )  # one way of writing ids


def test_an_undocumented_column_is_an_error_naming_the_file_and_the_column(run):
    path = run / "tables" / "estimates.csv"
    rows = read_rows(path)
    write_rows(path, [rows[0] + ["confidence"]] + [row + ["0.9"] for row in rows[1:]])
    with pytest.raises(ValueError, match=r"estimates\.csv: column 'confidence' is not in the codebook"):
        write_datapackage(run, **PACKAGE)
    assert not (run / "datapackage.json").exists()


def test_a_table_without_a_header_is_an_error_naming_the_file(run):
    (run / "tables" / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match=r"empty\.csv: no header row"):
        write_datapackage(run, **PACKAGE)


def test_the_output_is_byte_identical_across_calls_and_folders(run, tmp_path):
    first = write_datapackage(run, **PACKAGE).read_bytes()
    second = write_datapackage(run, **PACKAGE).read_bytes()
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(run / "tables", elsewhere / "tables")
    third = write_datapackage(elsewhere, **PACKAGE).read_bytes()
    assert first == second == third
    assert first.endswith(b"}\n")
    assert first.decode("utf-8") == json.dumps(json.loads(first), indent=2, ensure_ascii=False) + "\n"


def test_the_licence_is_the_datas_cc_by_4(package):
    readme = (DATA_ROOT / DEFAULT_DATASET / "README.md").read_text(encoding="utf-8")
    licence_section = readme.split("## Licence", 1)[1]
    assert "CC BY 4.0" in licence_section and DATA_LICENCE["path"] in licence_section
    assert "MIT" in (REPO_ROOT / "LICENSE").read_text(encoding="utf-8")  # the code's, not the data's
    written = json.loads(package.read_text(encoding="utf-8"))
    assert written["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0 International",
        }
    ]


def test_the_package_name_is_a_lower_case_slug(run):
    written = write_datapackage(run, **{**PACKAGE, "name": "Kazakhstan, January 2022 — Almaty"})
    assert json.loads(written.read_text(encoding="utf-8"))["name"] == "kazakhstan-january-2022-almaty"
    with pytest.raises(ValueError, match="package name"):
        write_datapackage(run, **{**PACKAGE, "name": "—"})


def test_column_titles_are_the_words_a_reader_sees():
    assert column_title("claim_id") == "Claim"
    assert column_title("reported_on") == "Reported on"
    assert column_title("low") == "Lower bound"
    assert column_title("low", "estimates") == "Low estimate"
    assert column_title("low", "casualties") == "Lower bound"
    with pytest.raises(KeyError, match="confidence"):
        column_title("confidence")


def test_each_description_is_one_sentence():
    described = [(name, entry.description) for name, entry in CODEBOOK.items()]
    described += [(f"{table}.{name}", change["description"]) for (table, name), change in OVERRIDES.items()]
    for name, description in described:
        assert description.endswith(".") and description[0].isupper(), name
        two = re.search(r"[.;:]\s+[A-Z]", description.replace("ACLED", "acled"))
        assert not two, f"{name}: more than one sentence?"


def test_the_codebook_imports_the_vocabularies_rather_than_copying_them():
    from casualty_report.content import codebook_columns

    source = Path(codebook_columns.__file__).read_text(encoding="utf-8")
    # CLAIMANT_GROUPS is left out: two of its words name the comparison's columns (official_value…).
    for vocabulary in (MEASURES, POPULATIONS, QUALIFIERS, STATUSES):
        for word in vocabulary:
            if "_" in word:  # words like 'at_least' could only be here as a copy
                assert f'"{word}"' not in source and f"'{word}'" not in source, word


def test_every_published_run_carries_a_valid_datapackage(published):
    """The render itself writes the codebook beside the tables it describes."""
    report = frictionless.validate(str(published / "datapackage.json"))
    assert report.valid, problems(report)
    names = {
        resource["name"] for resource in json.loads((published / "datapackage.json").read_text())["resources"]
    }
    assert names == {path.stem for path in (published / "tables").glob("*.csv")}


def test_the_ledgers_columns_are_described_once_for_both_data_packages():
    """issue 22: a ledger column keeps the ledger schema's title and description in the run's
    tables (only a status, which a run gives as known on its date, says so), so the dataset's
    datapackage.json and a run's cannot drift apart."""
    from casualty_report.ledger.schema import CLAIMS, SOURCES

    checked = set()
    for table in (CLAIMS, SOURCES):  # source_id as claims.csv describes it: what cites a source
        for ledger_field in table.fields:
            entry = CODEBOOK.get(ledger_field.name)
            if (
                entry is None or ledger_field.name in checked
            ):  # a link column (superseded_by…) is not published
                continue
            checked.add(ledger_field.name)
            assert entry.title == ledger_field.title, ledger_field.name
            if ledger_field.name == "status":
                assert "as known on the report's date" in entry.description
            else:
                assert entry.description == ledger_field.description, ledger_field.name
    assert checked == {
        *("claim_id", "reported_on", "measure", "population", "scope", "value", "qualifier", "count_kind"),
        *("claimant", "claimant_group", "status", "source_id", "locator", "note"),  # claims.csv
        *("outlet", "title", "author", "published_on", "url", "accessed_on", "title_from", "date_from"),
    }
