"""The claims ledger: read ``claims.csv`` and ``sources.csv``, validate them, return typed frames.

Every load validates. A bad ledger raises one :class:`LedgerError` that lists every problem at
once, each naming the file, the row as a spreadsheet shows it (the header is row 1), the column,
the bad value and what was expected. The CSV structure (encoding, delimiter, cells per row) is
checked while reading (:mod:`casualty_report.ledger.files`); the cell contents by a pandera schema
derived from the ledger's one schema (:mod:`casualty_report.ledger.schema`), which also writes the
dataset's ``datapackage.json``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from casualty_report.errors import LedgerError, ParameterError
from casualty_report.inputs import a_few, shown
from casualty_report.ledger.checks import validate_frame
from casualty_report.ledger.files import (
    CLAIMS_FILE,
    INFO_FILE,
    SOURCES_FILE,
    DatasetInfo,
    Problem,
    read_csv,
    read_info,
)
from casualty_report.ledger.schema import CLAIMS, SOURCES, Table
from casualty_report.ledger.statuses import REPLACED, STANDING, WITHDRAWN
from casualty_report.ledger.text import normalised
from casualty_report.paths import DEFAULT_DATASET, dataset_dir

# The columns, from the one schema (schema.py).
CLAIMS_COLUMNS = CLAIMS.columns
#: Columns a ledger may leave out (older ledgers, small ones): read as empty.
OPTIONAL_CLAIMS_COLUMNS = tuple(field.name for field in CLAIMS.fields if field.may_be_absent)
SOURCES_COLUMNS = SOURCES.columns
OPTIONAL_SOURCES_COLUMNS = tuple(field.name for field in SOURCES.fields if field.may_be_absent)


@dataclass(frozen=True)
class Ledger:
    """A validated ledger: one row per claim, one row per source, both with typed columns."""

    claims: pd.DataFrame
    sources: pd.DataFrame
    directory: Path
    info: DatasetInfo
    as_of: pd.Timestamp | None = None
    scope: str | None = None  # the place the claims were narrowed to (None: every place)

    @cached_property
    def claim(self) -> dict[str, Any]:
        """Each claim as a named tuple by its id (``ledger.claim["A01"].value``), built once:
        sentences, charts and tables look claims up one at a time, and a scan of 100,000 rows, or a
        pandas ``.loc``, per look-up made the words cost more than the numbers."""
        return {claim.claim_id: claim for claim in self.claims.itertuples(index=False)}

    @cached_property
    def source(self) -> dict[str, Any]:
        """Each source as a named tuple by its id (``ledger.source["S01"].outlet``), built once."""
        return {source.source_id: source for source in self.sources.itertuples(index=False)}

    @property
    def place(self) -> str:
        """The place a report on this ledger is about: its scope, else the nation."""
        return self.scope or self.info.national_scope

    @property
    def reported_until(self) -> pd.Timestamp | None:
        """The date of the latest claim: what "as known" means when no ``as_of`` was given."""
        return None if self.claims.empty else self.claims["reported_on"].max()

    def unknown_place(self, scope: str | None) -> str | None:
        """What is wrong with a ``scope`` parameter that names no place in this ledger (None if
        it names one, or is None): only the ledger can tell."""
        places = set(self.claims["scope"])
        if scope is None or scope in places:
            return None
        return (
            f"parameter 'scope': got {shown(scope)}; "
            f"expected one of the ledger's places: {a_few(sorted(places))}"
        )

    def in_scope(self, scope: str | None) -> Ledger:
        """The claims about one place and the sources behind them (None: every place). An
        unknown place is an error that lists the ledger's places."""
        if scope is None:
            return self
        unknown = self.unknown_place(scope)
        if unknown:  # the words render uses for the same mistake
            raise ParameterError(unknown)
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
        # A replacement takes effect when it becomes known, not before.
        replaced_known = self.claims["superseded_by"].map(
            dict(zip(self.claims["claim_id"], known_from, strict=True))
        )
        effective = self.claims["status_effective"].where(
            replaced_known.isna() | (replaced_known <= self.claims["status_effective"]), replaced_known
        )
        known = known_from < day
        claims = self.claims[known].copy()
        claims["status"] = claims["status"].where(effective[known] < day, STANDING)
        claims = claims.reset_index(drop=True)
        return replace(self, claims=claims, sources=_cited(self.sources, claims), as_of=day)

    def notes_for(self, claim_ids: Iterable[str], only_not_standing: bool = False) -> pd.DataFrame:
        """What to keep in mind about some claims: their rows, in the order given, once each;
        ids not in this view (not reported yet) are left out. ``only_not_standing`` keeps the
        withdrawn, disputed and replaced ones."""
        ids = [claim_id for claim_id in dict.fromkeys(claim_ids) if claim_id in self.claim]
        notes = self.claims.set_index("claim_id", drop=False).loc[ids].reset_index(drop=True)
        return notes[notes["status"] != STANDING].reset_index(drop=True) if only_not_standing else notes

    def sources_for(self, claim_ids: Iterable[str]) -> pd.DataFrame:
        """The sources behind some claims, in source_id order."""
        cited = self.claims.loc[self.claims["claim_id"].isin(list(claim_ids)), "source_id"]
        return self.sources[self.sources["source_id"].isin(cited)].sort_values("source_id")


def _cited(sources: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """The sources some claims cite: where each was read, and where a standing withdrawal was."""
    withdrawn = claims.loc[claims["status"].isin(WITHDRAWN), "status_source_id"]
    cited = (set(claims["source_id"]) | set(withdrawn)) - {""}
    return sources[sources["source_id"].isin(cited)].reset_index(drop=True)


def load_ledger(dataset: str = DEFAULT_DATASET, data_dir: str | os.PathLike[str] | None = None) -> Ledger:
    """Read and validate a dataset's ledger; raise :class:`LedgerError` listing every problem."""
    directory = dataset_dir(dataset, data_dir)
    problems: list[Problem] = []

    sources = read_csv(directory / SOURCES_FILE, SOURCES_COLUMNS, problems)
    if sources is not None:
        sources = sources.map(normalised)
        for column in OPTIONAL_SOURCES_COLUMNS:
            if column not in sources:
                sources[column] = ""
        validate_frame(SOURCES, sources, directory / SOURCES_FILE, problems, {})
    claims = read_csv(directory / CLAIMS_FILE, CLAIMS_COLUMNS, problems)
    if claims is not None:
        claims = claims.map(normalised)
        for column in OPTIONAL_CLAIMS_COLUMNS:
            if column not in claims:
                claims[column] = ""
        known_sources = None if sources is None or "source_id" not in sources else set(sources["source_id"])
        known_claims = set(claims["claim_id"]) if "claim_id" in claims else set()
        known = {SOURCES_FILE: known_sources, CLAIMS_FILE: known_claims}
        validate_frame(CLAIMS, claims, directory / CLAIMS_FILE, problems, known)

    info = read_info(directory / INFO_FILE, problems)
    if (
        info is not None
        and sources is not None
        and "source_id" in sources
        and info.focus_source not in set(sources["source_id"])
    ):
        problems.append(
            Problem(
                str(directory / INFO_FILE),
                0,
                "focus_source",
                info.focus_source,
                f"a source_id listed in {SOURCES_FILE}",
            )
        )
    if info is not None and sources is not None and {"source_id", "url"} <= set(sources):
        problems += _unaddressed_sources(sources, info.focus_source, directory / SOURCES_FILE)
    if problems:
        raise LedgerError(problems)
    assert claims is not None and sources is not None and info is not None
    return Ledger(
        claims=_typed_claims(claims), sources=typed(SOURCES, sources), directory=directory, info=info
    )


def _unaddressed_sources(sources: pd.DataFrame, focus_source: str, file: Path) -> list[Problem]:
    """Every source names the page read, so a reader can follow a figure to it. The one
    exception is the focus source (the article the report checks), which may be known only from
    a copy without an address; the dataset's README says so."""
    missing = (sources["url"].fillna("") == "") & (sources["source_id"] != focus_source)
    return [
        Problem(
            str(file),
            int(row),
            "url",
            "",
            "the address of the page read (only the focus source may have none)",
        )
        for row in sources.index[missing]  # indexed by spreadsheet row
    ]


# --- typing ---------------------------------------------------------------------------------------


def _typed_claims(frame: pd.DataFrame) -> pd.DataFrame:
    claims = typed(CLAIMS, frame)
    # When the status took effect: as given; for a superseded claim, when its replacement was
    # reported; otherwise from the start.
    # (a dict, and to_datetime: pandas cannot map an empty column through a Series of dates)
    replaced_on = pd.to_datetime(
        claims["superseded_by"].map(dict(zip(claims["claim_id"], claims["reported_on"], strict=True)))
    )
    claims["status_effective"] = (
        claims["status_since"]
        .fillna(replaced_on.where(claims["status"].isin(REPLACED)))
        .fillna(claims["reported_on"])
    )
    return claims


def typed(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """A validated file's frame with typed columns: dates as timestamps (NaT when empty), counts
    as int64, the rest as text; rows renumbered from 0, columns in the schema's order."""
    result = frame.loc[:, list(table.columns)].reset_index(drop=True)
    for field in table.fields:
        if field.kind == "date":
            cells = result[field.name] if field.required else result[field.name].replace("", None)
            result[field.name] = pd.to_datetime(cells, format="%Y-%m-%d")
        elif field.kind == "count" and field.required:
            result[field.name] = result[field.name].astype("int64")
        elif field.kind == "count":  # an empty cell is <NA>, not 0
            result[field.name] = pd.array(
                [int(cell) if cell else None for cell in result[field.name]], dtype="Int64"
            )
    return result
