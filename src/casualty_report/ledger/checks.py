"""The loader's checks, derived from the ledger's one schema (:mod:`casualty_report.ledger.schema`).

:func:`pandera_schema` turns each :class:`~casualty_report.ledger.schema.Field` into pandera
checks over the file's cells (stripped strings, "" when empty), with the words each error message
ends in; :func:`validate_frame` turns the failures into
:class:`~casualty_report.ledger.files.Problem` lines (the loader then types the frame). What
Frictionless cannot say is here too, as rules over the whole frame
(:func:`claims_rules`): a superseded claim names its replacement, in the same claimant group.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from casualty_report.ledger.files import Problem
from casualty_report.ledger.schema import CLAIMS, ID_PATTERN, MAX_COUNT_DIGITS, Field, Table
from casualty_report.ledger.statuses import REPLACED, SOUND
from casualty_report.ledger.text import places_look_distinct, visible_only
from casualty_report.ledger.vocabulary import QUALIFIERS, VOCABULARIES

SHOWN_WORDS = 8  # a longer vocabulary is named in part; the data README lists every word


def _one_of(words: Iterable[str], optional: bool = False) -> pa.Check:
    words = list(words)
    listed = ", ".join(words[:SHOWN_WORDS])
    if len(words) > SHOWN_WORDS:
        listed += f", … ({len(words)} words: see the dataset's README)"
    if optional:
        return pa.Check(
            lambda cells: (cells == "") | cells.isin(words), error=f"one of: {listed}, or an empty cell"
        )
    return pa.Check.isin(words, error="one of: " + listed)


def _nonempty(what: str) -> pa.Check:
    return pa.Check(lambda s: s.str.len() > 0, error=f"{what} (the cell is required)")


def _no_formula() -> pa.Check:
    """Text a spreadsheet would run as a formula (=HYPERLINK(…), +1, @SUM…) is refused at the
    door; the published CSVs neutralise it as well (outputs.safe_for_spreadsheets)."""
    return pa.Check(
        lambda cells: ~cells.str.match(r"[=+\-@]"),
        error="text that does not start with =, +, - or @ (a spreadsheet would run it as a formula)",
    )


def _iso_date(optional: bool) -> pa.Check:
    def valid(cells: pd.Series) -> pd.Series:
        shaped = cells.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
        parsed = pd.to_datetime(cells.where(shaped), format="%Y-%m-%d", errors="coerce").notna()
        return (parsed | (cells == "")) if optional else parsed

    blank = " or an empty cell" if optional else ""
    return pa.Check(valid, error=f"a real date written YYYY-MM-DD (e.g. 2022-01-10){blank}")


def _ids_in(known: set[str], many: bool, what: str) -> pa.Check:
    """Cells holding an id of ``known`` (several separated by spaces if ``many``); an empty cell
    passes."""
    if many:
        return pa.Check(
            lambda cells: cells.map(lambda cell: all(part in known for part in cell.split())), error=what
        )
    return pa.Check(lambda cells: (cells == "") | cells.isin(known), error=what)


def _referred(field: Field, file: str) -> str:
    """What a ref cell must name: "a source_id listed in sources.csv", "the claim_id of another row"."""
    if field.refers_to != file:
        return f"{field.expected} listed in {field.refers_to}"
    return (
        f"{field.expected} of other rows separated by spaces"
        if field.many
        else f"{field.expected} of another row"
    )


def column_checks(field: Field, file: str, known: Mapping[str, set[str] | None]) -> list[pa.Check]:
    """The pandera checks of one field's cells (stripped strings, "" when empty). ``known`` maps
    a file to the keys of its rows, None when it could not be read (its refs are then unchecked)."""
    kind, required, blank = field.kind, field.required, ", or an empty cell"
    if kind == "id":
        pattern = f"^{ID_PATTERN}$" if required else f"^({ID_PATTERN})?$"
        return [
            pa.Check.str_matches(
                pattern, error="an id of letters, digits, '-' or '_'" + ("" if required else blank)
            )
        ]
    if kind == "word":
        return [_one_of(VOCABULARIES[field.name], optional=not required)]
    if kind == "date":
        return [_iso_date(optional=not required)]
    if kind == "count":
        return [
            pa.Check.str_matches(
                rf"^[0-9]{{1,{MAX_COUNT_DIGITS}}}$" if required else rf"^([0-9]{{1,{MAX_COUNT_DIGITS}}})?$",
                error="a whole number of 0 or more, in digits only, no separators (e.g. 1300)"
                + ("" if required else blank),
            )
        ]
    if kind == "url":
        pattern = r"^https?://\S+$" if required else r"^(https?://\S+)?$"
        return [
            pa.Check.str_matches(
                pattern, error="an http:// or https:// address" + ("" if required else blank)
            )
        ]
    checks = [_nonempty(field.expected)] if required else []
    if kind == "text":
        checks += [_no_formula(), visible_only()]
    if kind == "ref" and known.get(field.refers_to) is not None:
        keys = known[field.refers_to]
        assert keys is not None
        if required and not field.many:
            checks.append(pa.Check.isin(sorted(keys), error=_referred(field, file)))
        else:
            checks.append(_ids_in(keys, field.many, _referred(field, file) + ("" if required else blank)))
    return checks


def claims_rules() -> list[pa.Check]:
    """What Frictionless cannot say about claims: rules across a row, and between rows. The text
    before ':' names the column the problem is reported in."""
    return [
        pa.Check(
            lambda frame: ~frame["status"].isin(REPLACED) | (frame["superseded_by"] != ""),
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
                    .map(dict(zip(frame["claim_id"].tolist(), frame["claimant_group"].tolist(), strict=True)))
                    .fillna(frame["claimant_group"])
                    == frame["claimant_group"]
                )
            ),
            error="superseded_by: a claim of the same claimant_group (another group's figure disputes, "
            "not replaces)",
        ),
        pa.Check(
            _ranges_have_a_top,
            error="value_high: the top of the range, above value, when qualifier is range; else an "
            "empty cell",
        ),
        pa.Check(
            _floors_are_coded_as_floors,
            error="qualifier: a lower bound (at_least, more_than, …), since the note calls the figure "
            "a floor",
        ),
        pa.Check(
            _replacement_counts_the_same,
            error="superseded_by: a later claim of the same measure, population, scope and count_kind (a "
            "figure for other people, another place, another kind of count or an earlier day does not "
            "replace it: use corrected_by)",
        ),
        pa.Check(
            _replacement_is_the_next_in_line,
            error="superseded_by: the next later claim of the same claimant_group, measure, population, "
            "scope and count_kind (one given in between replaced it first)",
        ),
        pa.Check(
            places_look_distinct,
            error="scope: one spelling per place (another row writes a place that looks the same with other "
            "letters: a Cyrillic or Greek look-alike, an accent, or scripts mixed in one word)",
        ),
        pa.Check(
            _status_known_after_the_claim,
            error="status_since: a date no earlier than reported_on (a status cannot be known before the "
            "figure was given)",
        ),
    ]


def sources_rules() -> list[pa.Check]:
    """How a title or a date is known is said only of a title or a date there is."""
    return [
        pa.Check(
            lambda frame: (frame["title_from"] == "") | (frame["title"] != ""),
            error="title_from: an empty cell, since the source has no title",
        ),
        pa.Check(
            lambda frame: (frame["date_from"] == "") | (frame["published_on"] != ""),
            error="date_from: an empty cell, since the source has no published_on",
        ),
    ]


_LINE = ["claimant_group", "measure", "population", "scope", "count_kind"]


def _replacement_is_the_next_in_line(frame: pd.DataFrame) -> pd.Series:
    """A superseded claim names the next figure of its line (same group, measure, population,
    place and kind), not a later one past it: 83 in a critical state on 9 January is replaced by
    the next count, not by one of February that skips it. (Plain lists, not pandas look-ups per
    row: at 10,000 claims those took six seconds of every load.)"""
    ok = pd.Series(True, index=frame.index)
    superseded = frame["superseded_by"].tolist()
    if not any(superseded):
        return ok
    dates = pd.to_datetime(frame["reported_on"], format="%Y-%m-%d", errors="coerce").tolist()
    keys = list(zip(*(frame[column].tolist() for column in _LINE), strict=True))
    position = {claim_id: n for n, claim_id in enumerate(frame["claim_id"].tolist())}
    # A withdrawn or disputed figure in between is no step of the line (an NGO's attribution to
    # officials that matches no statement of theirs): the replacement may pass it.
    standing = frame["status"].isin(SOUND).tolist()
    lines: dict[tuple, list] = {}
    for key, day, stands in zip(keys, dates, standing, strict=True):
        if stands and not pd.isna(day):
            lines.setdefault(key, []).append(day)
    for n, replacement in enumerate(superseded):
        target = position.get(replacement) if replacement else None
        if target is None or pd.isna(dates[n]) or pd.isna(dates[target]):
            continue  # reported by the reference and date checks
        if keys[n] != keys[target] or keys[n] not in lines:
            continue  # a replacement from another line is refused by the rules above
        own, then = dates[n], dates[target]
        ok.iat[n] = not any(own < day < then for day in lines[keys[n]])
    return ok


def _status_known_after_the_claim(frame: pd.DataFrame) -> pd.Series:
    """status_since is not before reported_on; bad or empty dates are reported elsewhere."""
    since = pd.to_datetime(
        frame["status_since"].where(frame["status_since"] != ""), format="%Y-%m-%d", errors="coerce"
    )
    said = pd.to_datetime(frame["reported_on"], format="%Y-%m-%d", errors="coerce")
    return since.isna() | said.isna() | (since >= said)


def _ranges_have_a_top(frame: pd.DataFrame) -> pd.Series:
    """A range ('55–77') has its top in value_high, above its bottom in value; no other figure
    has a top. Cells that are not whole numbers are reported by the column checks."""
    ranged = frame["qualifier"].isin([word for word, qualifier in QUALIFIERS.items() if qualifier.range])
    top = pd.to_numeric(frame["value_high"].where(frame["value_high"] != ""), errors="coerce")
    bottom = pd.to_numeric(frame["value"], errors="coerce")
    malformed = (frame["value_high"] != "") & top.isna() | bottom.isna()
    return malformed | (ranged & (top > bottom)) | (~ranged & (frame["value_high"] == ""))


def _floors_are_coded_as_floors(frame: pd.DataFrame) -> pd.Series:
    """A figure its note calls a floor (a list of named dead, "at least this many") carries a
    lower-bound qualifier, so no estimate treats it as a count."""
    lower = {word for word, qualifier in QUALIFIERS.items() if qualifier.lower_bound}
    called_a_floor = frame["note"].str.contains(r"\bfloor\b", case=False, regex=True)
    return ~called_a_floor | frame["qualifier"].isin(lower)


def _replacement_counts_the_same(frame: pd.DataFrame) -> pd.Series:
    """A replacement counts the same thing in the same place, and was reported no earlier."""
    ok = pd.Series(True, index=frame.index)
    replaced = frame.index[frame["superseded_by"] != ""]
    if replaced.empty:
        return ok
    rows, ids = frame.loc[replaced], frame["claim_id"].tolist()  # lists: faster to zip than pandas' strings

    def of_replacement(values: list) -> pd.Series:
        return rows["superseded_by"].map(dict(zip(ids, values, strict=True)))

    same = pd.Series(True, index=replaced)
    for column in ("measure", "population", "scope", "count_kind"):
        same &= of_replacement(frame[column].tolist()).fillna(rows[column]) == rows[column]
    dates = pd.to_datetime(frame["reported_on"], format="%Y-%m-%d", errors="coerce")  # bad ones are reported
    own = dates.loc[replaced]
    later = of_replacement(dates.tolist()).fillna(own)
    # A row whose own words are bad is reported for them, not again here.
    known = rows["measure"].isin(list(VOCABULARIES["measure"])) & rows["population"].isin(
        list(VOCABULARIES["population"])
    )
    known &= rows["count_kind"].isin(list(VOCABULARIES["count_kind"]))
    known &= own.notna() & later.notna()
    ok.loc[replaced] = ~known | (same & (later >= own))
    return ok


def pandera_schema(table: Table, known: Mapping[str, set[str] | None]) -> pa.DataFrameSchema:
    """The pandera schema of a ledger file, its checks derived from the fields (plus the claims'
    rules across rows). Built when called, so it holds the vocabulary's words as they are now."""
    # No dtype: read_csv gives every cell as a string, and pandera's dtype check per column was
    # a third of a load's time (the ledger is loaded by every notebook and every render).
    columns = {
        field.name: pa.Column(checks=column_checks(field, table.file, known), unique=field.name == table.key)
        for field in table.fields
    }
    return pa.DataFrameSchema(
        columns, checks=claims_rules() if table is CLAIMS else sources_rules(), strict=True
    )


def validate_frame(
    table: Table,
    frame: pd.DataFrame,
    path: Path,
    problems: list[Problem],
    known: Mapping[str, set[str] | None],
) -> None:
    """Run a table's schema lazily over its cells and turn each failure case into a Problem."""
    schema = pandera_schema(table, known)
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
                names = list(schema.columns)
                near = difflib.get_close_matches(str(value), names, n=1)
                hint = f"did you mean '{near[0]}'? " if near else ""
                problems.append(
                    Problem(
                        file,
                        1,
                        str(value),
                        expected=f"only the ledger's columns ({hint}the data README "
                        f"lists all {len(names)}, {names[0]} to {names[-1]})",
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
