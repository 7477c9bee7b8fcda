"""The ledger's one schema: every column of ``claims.csv`` and ``sources.csv``, defined once.

Each :class:`Field` names a column, its kind (id, text, word, date, count, url, ref), whether a
cell is required, its title and description, and what an error message says a good cell is.
From that one definition come:

- the pandera checks the loader validates with, and the typed frames
  (:mod:`casualty_report.ledger.checks`), which also holds the rules Frictionless cannot say
  (a superseded claim names its replacement, in the same claimant group);
- the column names and the columns older ledgers may leave out (:mod:`casualty_report.ledger.load`);
- the Frictionless Data Package ``datapackage.json`` of the dataset folder
  (:func:`package_descriptor`, :func:`write_datapackage`; ``make datapackage``).

The controlled words come from :mod:`casualty_report.ledger.vocabulary` whenever a schema is built,
never copied. To add a column or change a rule, edit its :class:`Field` below, then run
``make datapackage``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casualty_report.conventions import DATA_LICENCE, slug
from casualty_report.errors import LedgerError
from casualty_report.ledger.files import CLAIMS_FILE, INFO_FILE, SOURCES_FILE, Problem, read_info
from casualty_report.ledger.vocabulary import VOCABULARIES, meanings

PACKAGE_FILE = "datapackage.json"
ID_PATTERN = "[A-Za-z0-9_-]+"
#: A count wider than this is a typo, not a casualty figure.
MAX_COUNT_DIGITS = 10
KINDS = ("id", "text", "word", "date", "count", "url", "ref")


@dataclass(frozen=True)
class Field:
    """One column of a ledger file.

    ``kind``: ``id`` (the table's key), ``text``, ``word`` (of the vocabulary registered for the
    column's name), ``date`` (YYYY-MM-DD), ``count`` (a whole number), ``url`` (http or https),
    ``ref`` (the key of a row of ``refers_to``: one id, or several separated by spaces if
    ``many``). ``expected`` is what an error message says a filled cell holds, for ``text`` and
    ``ref`` columns (for a ref, the id's name: "a source_id").
    """

    name: str
    kind: str
    title: str
    description: str
    required: bool = False
    expected: str = ""
    refers_to: str = ""  # ref: the file whose key it names (CLAIMS_FILE, SOURCES_FILE)
    many: bool = False  # ref: several ids separated by spaces
    may_be_absent: bool = False  # a column older ledgers leave out: read as empty

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"field {self.name!r}: kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.kind in ("text", "ref") and not self.expected:
            raise ValueError(f"field {self.name!r}: a {self.kind} field says what it expects")
        if (self.kind == "ref") != bool(self.refers_to) or (self.many and self.kind != "ref"):
            raise ValueError(f"field {self.name!r}: refers_to and many are for ref fields only")


@dataclass(frozen=True)
class Table:
    """One ledger file: its fields in header order and the column that keys its rows."""

    file: str
    title: str
    description: str
    key: str
    fields: tuple[Field, ...]

    @property
    def name(self) -> str:
        return Path(self.file).stem

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.fields)


def _word(name: str, title: str, counts: str) -> Field:
    """A column of controlled words; the Data Package lists each word with its meaning."""
    return Field(name, "word", title, f"{counts}, a word of the ledger's {name} vocabulary.", required=True)


CLAIMS = Table(
    CLAIMS_FILE,
    "Claims",
    "One row per reported figure: who claimed it, when, what it counts, for whom, where, with what "
    "qualifier, and whether it still stands. Kept as published, never silently corrected.",
    key="claim_id",
    fields=(
        Field("claim_id", "id", "Claim", "Stable id of the claim, never reused: letters, digits, '-', '_'.",
              required=True),
        Field("reported_on", "date", "Reported on",
              "When the claimant reported the figure, as far as the source shows; else the source's date.",
              required=True),
        _word("measure", "Measure", "What is counted"),
        _word("population", "Population", "Whom the count covers"),
        Field("scope", "text", "Place",
              "The place counted: the country for a national figure, else a city or region, as the "
              "source gives it.", required=True, expected="a place name such as Kazakhstan or Almaty"),
        Field("value", "count", "Figure",
              "The figure, digits only (1300, not 1,300); for a vague word ('several', 'dozens', "
              "'hundreds'), its conservative coding.",
              required=True),
        Field("value_high", "count", "Top of range",
              "For a range the claimant gave ('55–77'), its top figure, with qualifier range and the "
              "range's bottom as value; empty for every other figure.", may_be_absent=True),
        _word("qualifier", "Qualifier",
              "How the figure was worded ('at least', 'about', 'dozens'…), which sets its lower and upper "
              "bounds"),
        _word("count_kind", "Kind of count",
              "Whether the figure counts everyone so far, the people in a state at one moment, or "
              "those of a stated period"),
        Field("claimant", "text", "Claimant", "Who gave the figure, as the source names them.",
              required=True, expected="who made the claim"),
        _word("claimant_group", "Claimant group", "The kind of claimant"),
        Field("relayed_by", "text", "Relayed by",
              "The outlet or channel the source says carried the figure.", expected="who relayed the figure",
              may_be_absent=True),
        _word("status", "Status", "Whether the figure stands, as known today"),
        Field("status_since", "date", "Status since",
              "When the status became known, if not from reported_on; a superseded claim's status starts "
              "when its replacement was reported.", may_be_absent=True),
        Field("status_source_id", "ref", "Status source",
              "The source that shows the status (e.g. the report of a withdrawal), if not source_id.",
              expected="a source_id", refers_to=SOURCES_FILE, may_be_absent=True),
        Field("superseded_by", "ref", "Superseded by",
              "The claim of the same claimant group that replaced this figure; required when status is "
              "superseded.", expected="the claim_id", refers_to=CLAIMS_FILE, may_be_absent=True),
        Field("corrected_by", "ref", "Corrected by",
              "Claims, separated by spaces, that show how this figure should be read (each a claim_id of "
              "this file).", expected="claim_ids", refers_to=CLAIMS_FILE, many=True, may_be_absent=True),
        Field("source_id", "ref", "Source", "The publication the claim comes from: a row of sources.csv.",
              required=True, expected="a source_id", refers_to=SOURCES_FILE),
        Field("locator", "text", "Where in the source",
              "Where in the source: 'para N' counts the body's paragraphs from the first, headline, "
              "bylines and captions left out.",
              required=True, expected="where in the source the figure stands (e.g. para 9)"),
        Field("note", "text", "Note",
              "Our own words on what the figure means and what later reporting showed; never a quotation.",
              expected="a note"),
    ),
)  # fmt: skip

# To require a cell, add required=True to its Field: the pandera check, its message and the
# Data Package's constraint follow (then `make datapackage`).
SOURCES = Table(
    SOURCES_FILE,
    "Sources",
    "One row per publication the claims come from.",
    key="source_id",
    fields=(
        Field("source_id", "id", "Source", "Id cited by claims.csv: letters, digits, '-', '_'.",
              required=True),
        Field("outlet", "text", "Outlet", "The publication.", required=True, expected="the outlet's name"),
        Field("title", "text", "Title",
              "The headline as published; empty when the stored copy read carries none.",
              expected="the title of the piece"),
        Field("author", "text", "Author", "The byline; empty when not recorded.", expected="the byline"),
        Field("published_on", "date", "Published on",
              "When the piece was published; empty when the stored copy shows no date."),
        Field("url", "url", "Address",
              "The address of the page read; only the dataset's focus source may have none."),
        Field("accessed_on", "date", "Accessed on", "When we read the stored copy."),
        Field("title_from", "word", "Title known from",
              "How the title is known when the stored copy cited does not show it, a word of the "
              "ledger's known_from vocabulary; empty when the page shows it or there is no title.",
              may_be_absent=True),
        Field("date_from", "word", "Date known from",
              "How published_on is known when the stored copy cited does not show it, a word of the "
              "ledger's known_from vocabulary; empty when the page shows it or there is no date.",
              may_be_absent=True),
    ),
)  # fmt: skip

TABLES = (CLAIMS, SOURCES)


# --- Frictionless: the dataset's datapackage.json ------------------------------------------------


def field_descriptor(field: Field) -> dict[str, Any]:
    """The Table Schema field of a ledger column."""
    description = field.description
    if field.kind == "word":
        description += (
            " "
            + "; ".join(f"{word}: {meaning}" for word, meaning in meanings(VOCABULARIES[field.name]).items())
            + "."
        )
    descriptor: dict[str, Any] = {"name": field.name, "title": field.title, "description": description}
    descriptor["type"] = {"date": "date", "count": "integer"}.get(field.kind, "string")
    if field.kind == "date":
        descriptor["format"] = "default"  # ISO 8601, YYYY-MM-DD
    constraints: dict[str, Any] = {"required": True} if field.required else {}
    if field.kind == "id":
        constraints["unique"] = True
        constraints["pattern"] = ID_PATTERN
    elif field.kind == "ref":
        constraints["pattern"] = f"{ID_PATTERN}( {ID_PATTERN})*" if field.many else ID_PATTERN
    elif field.kind == "word":
        constraints["enum"] = list(VOCABULARIES[field.name])
    elif field.kind == "count":
        constraints.update(minimum=0, maximum=10**MAX_COUNT_DIGITS - 1)
    elif field.kind == "url":
        constraints["pattern"] = r"https?://\S+"
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def table_schema(table: Table) -> dict[str, Any]:
    """The Table Schema of a ledger file: fields, primary key, and the foreign keys Frictionless
    can check (one id to another table's key, or to this table's own; not lists of ids)."""
    foreign_keys = [
        {
            "fields": field.name,
            "reference": {
                "resource": "" if field.refers_to == table.file else Path(field.refers_to).stem,
                "fields": next(t.key for t in TABLES if t.file == field.refers_to),
            },
        }
        for field in table.fields
        if field.kind == "ref" and not field.many
    ]
    schema: dict[str, Any] = {
        "fields": [field_descriptor(field) for field in table.fields],
        "missingValues": [""],
        "primaryKey": table.key,
    }
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema


def package_descriptor(directory: Path) -> dict[str, Any]:
    """The Data Package (v1) of a dataset folder: its files' schemas, the title and description
    of its ``dataset.yml``, the data licence and its provenance. It depends on the schema, the
    vocabulary and ``dataset.yml``, never on the rows, so editing a cell leaves it unchanged.
    Raises :class:`LedgerError` when ``dataset.yml`` is unusable."""
    problems: list[Problem] = []
    info = read_info(directory / INFO_FILE, problems)
    if info is None:
        raise LedgerError(problems)
    focus = f"{info.focus_label[:1].upper()}{info.focus_label[1:]}"
    return {
        "profile": "tabular-data-package",
        "name": slug(directory.name) or "ledger",
        "title": info.title,
        "description": info.lede,
        "licenses": [dict(DATA_LICENCE)],
        "sources": [
            {"title": f"{focus} whose figures the report checks: "
                      f"source {info.focus_source} in {SOURCES_FILE}"},
            {"title": f"Every publication a claim cites: see {SOURCES_FILE}", "path": SOURCES_FILE},
        ],
        "resources": [
            {
                "name": table.name,
                "title": table.title,
                "description": table.description,
                "profile": "tabular-data-resource",
                "path": table.file,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table_schema(table),
            }
            for table in TABLES
        ],
    }  # fmt: skip


def package_text(directory: Path) -> str:
    """``datapackage.json`` as written: the descriptor as indented UTF-8 JSON, one final newline."""
    return json.dumps(package_descriptor(directory), indent=2, ensure_ascii=False) + "\n"


def write_datapackage(directory: Path) -> Path:
    """Write a dataset folder's ``datapackage.json`` from the schema; return its path."""
    target = Path(directory) / PACKAGE_FILE
    target.write_text(package_text(Path(directory)), encoding="utf-8", newline="\n")
    return target


def stale_datapackage(directory: Path) -> Problem | None:
    """A problem when the folder's ``datapackage.json`` is missing or differs from what the schema
    generates (a vocabulary word added without regenerating it); None when it is current."""
    target = Path(directory) / PACKAGE_FILE
    try:
        current = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        current = None
    if current == package_text(Path(directory)):
        return None
    what = "out of date" if current is not None else "missing"
    return Problem(str(target), expected=f"the Data Package the ledger schema generates ({what}: "
                   "run `make datapackage` or `casualty-report datapackage`)")  # fmt: skip
