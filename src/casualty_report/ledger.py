"""The claims ledger: read ``claims.csv`` and ``sources.csv``, validate them, return typed frames.

Every load validates. A bad ledger raises one :class:`LedgerError` that lists every problem at
once, each naming the file, the row as a spreadsheet shows it (the header is row 1), the column,
the bad value and what was expected. The CSV structure (encoding, delimiter, cells per row) is
checked while reading; the cell contents by a pandera schema.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from casualty_report.parameters import ParameterError, ledger_problems, shown
from casualty_report.paths import DEFAULT_DATASET, dataset_dir
from casualty_report.vocabulary import CLAIMANT_GROUPS, MEASURES, POPULATIONS, QUALIFIERS, STATUSES

CLAIMS_FILE = "claims.csv"
SOURCES_FILE = "sources.csv"
INFO_FILE = "dataset.yml"

# Controlled vocabularies: each word with its meaning, labels and colour (vocabulary.py). The data
# README documents each word; a test keeps the two in step.
CLAIMS_COLUMNS = (
    "claim_id", "reported_on", "measure", "population", "scope", "value", "qualifier",
    "claimant", "claimant_group", "relayed_by", "status", "status_since", "status_source_id",
    "superseded_by", "corrected_by", "source_id", "locator", "note",
)  # fmt: skip
#: Columns a ledger may leave out (older ledgers, small ones): read as empty.
OPTIONAL_CLAIMS_COLUMNS = ("relayed_by", "status_since", "status_source_id", "superseded_by", "corrected_by")
SOURCES_COLUMNS = ("source_id", "outlet", "title", "author", "published_on", "url", "accessed_on")

#: A count wider than this is a typo, not a casualty figure.
MAX_COUNT_DIGITS = 10


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a ledger file. ``row`` is the spreadsheet row (header = 1)."""

    file: str
    row: int = 0  # 0: the file as a whole
    column: str = ""
    value: str | None = None
    expected: str = field(default="", compare=False)

    def __str__(self) -> str:
        where = self.file
        if self.row:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        got = "" if self.value is None else f"got {shown(self.value)}; "
        return f"{where}: {got}expected {self.expected}"


class LedgerError(ValueError):
    """The ledger is unusable; ``problems`` lists every fault found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems))
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the claims ledger:"]
        lines += [f"  - {problem}" for problem in self.problems]
        return "\n".join(lines)


@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset says about its event (``dataset.yml``): the report's words come from here."""

    title: str
    lede: str
    national_scope: str
    focus_source: str  # the report whose figures the corrections check
    focus_label: str  # how the report names it, e.g. "the article"


@dataclass(frozen=True)
class Ledger:
    """A validated ledger: one row per claim, one row per source, both with typed columns."""

    claims: pd.DataFrame
    sources: pd.DataFrame
    directory: Path
    info: DatasetInfo
    as_of: pd.Timestamp | None = None
    scope: str | None = None  # the place the claims were narrowed to (None: every place)

    @property
    def place(self) -> str:
        """The place a report on this ledger is about: its scope, else the nation."""
        return self.scope or self.info.national_scope

    @property
    def reported_until(self) -> pd.Timestamp | None:
        """The date of the latest claim: what "as known" means when no ``as_of`` was given."""
        return None if self.claims.empty else self.claims["reported_on"].max()

    def in_scope(self, scope: str | None) -> Ledger:
        """The claims about one place and the sources behind them (None: every place). An
        unknown place is an error that lists the ledger's places."""
        if scope is None:
            return self
        found = ledger_problems({"scope": scope}, set(self.claims["scope"]))
        if found:  # the words render uses for the same mistake
            raise ParameterError(found[0])
        claims = self.claims[self.claims["scope"] == scope].reset_index(drop=True)
        return replace(self, claims=claims, sources=_cited(self.sources, claims), scope=scope)

    @property
    def place_claims(self) -> pd.DataFrame:
        """The claims about the report's place (the nation when no scope was chosen): what its
        timelines follow. Empty, not an error, before the place's first figure."""
        return self.claims[self.claims["scope"] == self.place]

    def known_before(self, date: str | pd.Timestamp | None) -> Ledger:
        """The ledger as it stood at the start of ``date``: claims reported before that day,
        each with the status it had then (None: everything, as known now)."""
        if date is None:
            return self
        day = pd.Timestamp(date)
        # A claim is known once said and once its source has carried it: the article's repeat of
        # a 6 January statement is known from the article's day, 9 January.
        published = self.claims["source_id"].map(self.sources.set_index("source_id")["published_on"])
        known_from = published.where(published > self.claims["reported_on"], self.claims["reported_on"])
        claims = self.claims[known_from < day].copy()
        claims["status"] = claims["status"].where(claims["status_effective"] < day, "active")
        claims = claims.reset_index(drop=True)
        return replace(self, claims=claims, sources=_cited(self.sources, claims), as_of=day)

    def sources_for(self, claim_ids: Iterable[str]) -> pd.DataFrame:
        """The sources behind some claims, in source_id order."""
        cited = self.claims.loc[self.claims["claim_id"].isin(list(claim_ids)), "source_id"]
        return self.sources[self.sources["source_id"].isin(cited)].sort_values("source_id")


def _cited(sources: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """The sources some claims cite: where each was read, and where a standing withdrawal was."""
    withdrawn = claims.loc[claims["status"] == "retracted", "status_source_id"]
    cited = (set(claims["source_id"]) | set(withdrawn)) - {""}
    return sources[sources["source_id"].isin(cited)].reset_index(drop=True)


def load_ledger(dataset: str = DEFAULT_DATASET, data_dir: str | os.PathLike[str] | None = None) -> Ledger:
    """Read and validate a dataset's ledger; raise :class:`LedgerError` listing every problem."""
    directory = dataset_dir(dataset, data_dir)
    problems: list[Problem] = []

    sources = _read_csv(directory / SOURCES_FILE, SOURCES_COLUMNS, problems)
    if sources is not None:
        _validate(_sources_schema(), sources, directory / SOURCES_FILE, problems)
    claims = _read_csv(directory / CLAIMS_FILE, CLAIMS_COLUMNS, problems)
    if claims is not None:
        for column in OPTIONAL_CLAIMS_COLUMNS:
            if column not in claims:
                claims[column] = ""
        known_sources = None if sources is None or "source_id" not in sources else set(sources["source_id"])
        known_claims = set(claims["claim_id"]) if "claim_id" in claims else set()
        _validate(_claims_schema(known_sources, known_claims), claims, directory / CLAIMS_FILE, problems)

    info = _read_info(directory / INFO_FILE, problems)
    if (
        info is not None
        and sources is not None
        and "source_id" in sources
        and info.focus_source not in set(sources["source_id"])
    ):
        problems.append(
                Problem(str(directory / INFO_FILE), 0, "focus_source", info.focus_source,
                        f"a source_id listed in {SOURCES_FILE}")
            )  # fmt: skip
    if problems:
        raise LedgerError(problems)
    assert claims is not None and sources is not None and info is not None
    return Ledger(
        claims=_typed_claims(claims), sources=_typed_sources(sources), directory=directory, info=info
    )


# --- reading ----------------------------------------------------------------------------------


def _read_csv(path: Path, columns: tuple[str, ...], problems: list[Problem]) -> pd.DataFrame | None:
    """The file's cells as stripped strings, indexed by spreadsheet row; None if unreadable.

    Accepts what Excel writes (UTF-8 with a byte-order mark, CRLF line ends). Problems with the
    file's structure are appended to ``problems``.
    """
    file = str(path)
    header_hint = "a header row naming the columns " + ",".join(columns)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(file, expected=f"the file to exist, starting with {header_hint}"))
        return None
    except OSError as error:
        problems.append(Problem(file, expected=f"a readable file ({error.strerror})"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = raw[: error.start].count(b"\n") + 1
        problems.append(
            Problem(file, row, value=f"byte 0x{raw[error.start]:02x}",
                    expected="UTF-8 text (in Excel: Save As 'CSV UTF-8')")
        )  # fmt: skip
        return None
    if "\x00" in text:
        problems.append(Problem(file, expected="a text file (it holds NUL bytes: binary or UTF-16?)"))
        return None

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = list(reader)
    except csv.Error as error:  # an over-long cell, a quote left open…
        problems.append(
            Problem(file, reader.line_num, expected=f"well-formed CSV: {error} (is a quote left open?)")
        )
        return None
    if not records or not any(cell.strip() for cell in records[0]):
        problems.append(Problem(file, 1, expected=header_hint))
        return None

    header = [cell.strip() for cell in records[0]]
    if len(header) == 1:
        delimiter = next((d for d in (";", "\t", "|") if d in header[0]), None)
        if delimiter is not None:
            shown = {"\t": "tabs"}.get(delimiter, f"'{delimiter}'")
            problems.append(
                Problem(file, 1, value=records[0][0][:60],
                        expected=f"comma-separated columns, but the header is split by {shown}")
            )  # fmt: skip
            return None

    rows: dict[int, list[str]] = {}
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank lines and Excel's trailing ",,,," rows
        if len(record) != len(header):
            problems.append(
                Problem(file, number, value=f"{len(record)} cells",
                        expected=f"{len(header)} cells, one per column in the header")
            )  # fmt: skip
            continue
        rows[number] = [cell.strip() for cell in record]

    frame = pd.DataFrame.from_dict(rows, orient="index", columns=header, dtype=str)
    if frame.columns.duplicated().any():
        for name in sorted(set(frame.columns[frame.columns.duplicated()])):
            problems.append(Problem(file, 1, name, expected="each column named once in the header"))
        return None
    return frame


INFO_KEYS = {
    "title": "the report's title, e.g. 'Kazakhstan, January 2022'",
    "lede": "a paragraph introducing the event, in the report's own words",
    "national_scope": "the scope value that means the whole country, e.g. 'Kazakhstan'",
    "focus_source": "the source_id of the report whose figures are checked",
    "focus_label": "how the report names that source, e.g. 'the article'",
}


def _read_info(path: Path, problems: list[Problem]) -> DatasetInfo | None:
    """``dataset.yml``: a mapping with a text value for each of INFO_KEYS."""
    import yaml

    from casualty_report.parameters import load_yaml

    file = str(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        problems.append(Problem(file, expected="the file to exist, with keys " + ", ".join(INFO_KEYS)))
        return None
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(file, expected=f"a readable UTF-8 text file ({error})"))
        return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = " ".join(str(error).split())[:200]
        problems.append(Problem(file, mark.line + 1 if mark else 0, expected=f"valid YAML ({reason})"))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(file, expected="a YAML mapping with keys " + ", ".join(INFO_KEYS)))
        return None
    found = len(problems)
    for key, meaning in INFO_KEYS.items():
        if not isinstance(data.get(key), str) or not data[key].strip():
            got = None if key not in data else str(data[key])
            problems.append(Problem(file, 0, key, got, f"{meaning} (a non-empty text)"))
    for key in sorted(set(data) - set(INFO_KEYS), key=str):
        problems.append(Problem(file, 0, str(key), expected="only the keys " + ", ".join(INFO_KEYS)))
    if len(problems) > found:
        return None
    return DatasetInfo(**{key: data[key].strip() for key in INFO_KEYS})


# --- validation -------------------------------------------------------------------------------


SHOWN_WORDS = 8  # a longer vocabulary is named in part; the data README lists every word


def _one_of(words: Iterable[str]) -> pa.Check:
    words = list(words)
    listed = ", ".join(words[:SHOWN_WORDS])
    if len(words) > SHOWN_WORDS:
        listed += f", … ({len(words)} words: see the dataset's README)"
    return pa.Check.isin(words, error="one of: " + listed)


def _nonempty(what: str = "a value") -> pa.Check:
    return pa.Check(lambda s: s.str.len() > 0, error=f"{what} (the cell is required)")


def _iso_date(optional: bool = False) -> pa.Check:
    def valid(cells: pd.Series) -> pd.Series:
        shaped = cells.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
        parsed = pd.to_datetime(cells.where(shaped), format="%Y-%m-%d", errors="coerce").notna()
        return (parsed | (cells == "")) if optional else parsed

    blank = " or an empty cell" if optional else ""
    return pa.Check(valid, error=f"a real date written YYYY-MM-DD (e.g. 2022-01-10){blank}")


def _ids_in(known: set[str], what: str) -> pa.Check:
    """Cells holding space-separated ids, each one of ``known`` (an empty cell passes)."""
    return pa.Check(
        lambda cells: cells.map(lambda cell: all(part in known for part in cell.split())), error=what
    )


def _claims_schema(known_sources: set[str] | None, known_claims: set[str]) -> pa.DataFrameSchema:
    source_check = (
        [pa.Check.isin(sorted(known_sources), error=f"a source_id listed in {SOURCES_FILE}")]
        if known_sources is not None
        else []
    )
    optional_source_check = (
        [_ids_in(known_sources, f"a source_id listed in {SOURCES_FILE}, or an empty cell")]
        if known_sources is not None
        else []
    )
    return pa.DataFrameSchema(
        {
            "claim_id": pa.Column(
                str,
                pa.Check.str_matches(r"^[A-Za-z0-9_-]+$", error="an id of letters, digits, '-' or '_'"),
                unique=True,
            ),
            "reported_on": pa.Column(str, _iso_date()),
            "measure": pa.Column(str, _one_of(MEASURES)),
            "population": pa.Column(str, _one_of(POPULATIONS)),
            "scope": pa.Column(str, _nonempty("a place name such as Kazakhstan or Almaty")),
            "value": pa.Column(
                str,
                pa.Check.str_matches(
                    rf"^[0-9]{{1,{MAX_COUNT_DIGITS}}}$",
                    error="a whole number of 0 or more, in digits only, no separators (e.g. 1300)",
                ),
            ),
            "qualifier": pa.Column(str, _one_of(QUALIFIERS)),
            "claimant": pa.Column(str, _nonempty("who made the claim")),
            "claimant_group": pa.Column(str, _one_of(CLAIMANT_GROUPS)),
            "relayed_by": pa.Column(str),
            "status": pa.Column(str, _one_of(STATUSES)),
            "status_since": pa.Column(str, _iso_date(optional=True)),
            "status_source_id": pa.Column(str, optional_source_check),
            "superseded_by": pa.Column(
                str, _ids_in(known_claims, "the claim_id of another row, or an empty cell")
            ),
            "corrected_by": pa.Column(
                str, _ids_in(known_claims, "claim_ids of other rows separated by spaces, or an empty cell")
            ),
            "source_id": pa.Column(str, [_nonempty("a source_id"), *source_check]),
            "locator": pa.Column(str, _nonempty("where in the source the figure stands (e.g. para 9)")),
            "note": pa.Column(str),
        },
        checks=[
            # Frame-wide checks: the text before ':' names the column the problem is reported in.
            pa.Check(
                lambda frame: (frame["status"] != "superseded") | (frame["superseded_by"] != ""),
                error="superseded_by: the claim_id that replaced it, since status is superseded",
            ),
            pa.Check(
                lambda frame: (frame["superseded_by"] == "") | (frame["superseded_by"] != frame["claim_id"]),
                error="superseded_by: another claim's id (a claim cannot replace itself)",
            ),
            pa.Check(
                lambda frame: (
                    (frame["superseded_by"] == "")
                    | (
                        frame["superseded_by"]
                        .map(frame.set_index("claim_id")["claimant_group"].to_dict())
                        .fillna(frame["claimant_group"])
                        == frame["claimant_group"]
                    )
                ),
                error="superseded_by: a claim of the same claimant_group (another group's figure disputes, not replaces)",
            ),
        ],
        strict=True,
    )


def _sources_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "source_id": pa.Column(
                str,
                pa.Check.str_matches(r"^[A-Za-z0-9_-]+$", error="an id of letters, digits, '-' or '_'"),
                unique=True,
            ),
            "outlet": pa.Column(str, _nonempty("the outlet's name")),
            "title": pa.Column(str),
            "author": pa.Column(str),
            "published_on": pa.Column(str, _iso_date(optional=True)),
            "url": pa.Column(
                str,
                pa.Check.str_matches(
                    r"^(https?://\S+)?$", error="an http:// or https:// address, or an empty cell"
                ),
            ),
            "accessed_on": pa.Column(str, _iso_date(optional=True)),
        },
        strict=True,
    )


def _validate(schema: pa.DataFrameSchema, frame: pd.DataFrame, path: Path, problems: list[Problem]) -> None:
    """Run a schema lazily and turn each failure case into a Problem."""
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        file = str(path)
        for case in errors.failure_cases.itertuples(index=False):
            check, column, value = str(case.check), case.column, case.failure_case
            if check == "column_in_dataframe":
                problems.append(
                    Problem(file, 1, str(value), expected=f"a column named '{value}' in the header row")
                )
            elif check == "column_in_schema":
                problems.append(
                    Problem(
                        file,
                        1,
                        str(value),
                        expected="only the ledger's columns: " + ", ".join(schema.columns),
                    )
                )
            elif check == "field_uniqueness":
                problems.append(
                    Problem(file, int(case.index), str(column), str(value), "a value used by no other row")
                )
            else:
                named, colon, expected = check.partition(": ")
                if colon and named in schema.columns:  # a frame-wide check: report it in its column only
                    if named != column:
                        continue
                    check = expected
                row = int(case.index) if case.index is not None and not pd.isna(case.index) else 0
                problems.append(
                    Problem(file, row, str(column), None if pd.isna(value) else str(value), check)
                )


# --- typing -----------------------------------------------------------------------------------


def _typed_claims(frame: pd.DataFrame) -> pd.DataFrame:
    typed = frame.loc[:, list(CLAIMS_COLUMNS)].reset_index(drop=True)
    typed["reported_on"] = pd.to_datetime(typed["reported_on"], format="%Y-%m-%d")
    typed["value"] = typed["value"].astype("int64")
    typed["status_since"] = pd.to_datetime(typed["status_since"].replace("", None), format="%Y-%m-%d")
    # When the status took effect: as given; for a superseded claim, when its replacement was
    # reported; otherwise from the start.
    # (a dict, and to_datetime: pandas cannot map an empty column through a Series of dates)
    replaced_on = pd.to_datetime(
        typed["superseded_by"].map(dict(zip(typed["claim_id"], typed["reported_on"], strict=True)))
    )
    typed["status_effective"] = (
        typed["status_since"]
        .fillna(replaced_on.where(typed["status"] == "superseded"))
        .fillna(typed["reported_on"])
    )
    return typed


def _typed_sources(frame: pd.DataFrame) -> pd.DataFrame:
    typed = frame.loc[:, list(SOURCES_COLUMNS)].reset_index(drop=True)
    for column in ("published_on", "accessed_on"):
        typed[column] = pd.to_datetime(typed[column].replace("", None), format="%Y-%m-%d")
    return typed
