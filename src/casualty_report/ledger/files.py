"""The ledger's files as read from disk: the CSV structure (encoding, delimiter, cells per row),
``dataset.yml``, and the :class:`Problem` every check reports.

A problem names the file, the row as a spreadsheet shows it (the header is row 1), the column,
the bad value and what was expected. What the cells may hold is :mod:`casualty_report.ledger.schema`'s
concern; this module only turns bytes into a frame of stripped strings, or into problems.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from casualty_report.inputs import MAX_LEDGER_BYTES, UnreadableInput, read_input, shown
from casualty_report.ledger.vocabulary import CLAIMANT_GROUPS

CLAIMS_FILE = "claims.csv"
SOURCES_FILE = "sources.csv"
INFO_FILE = "dataset.yml"


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


@dataclass(frozen=True)
class Finding:
    """A headline finding as an editor wrote it (``dataset.yml``). Its figures are references
    to claims, filled in from the ledger (:mod:`casualty_report.content.findings`); ``needs`` pins, for
    every claim it cites, the value and (where the sentence depends on it) the status it says."""

    text: str
    needs: tuple[tuple[str, int, str], ...]  # (claim_id, value, status or '')


@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset says about its event (``dataset.yml``): the report's words come from here."""

    title: str
    lede: str
    national_scope: str
    focus_source: str  # the report whose figures the corrections check
    focus_label: str  # how the report names it, e.g. "the article"
    final_counts: tuple[str, ...] = ()  # claims the report calls "the final count"
    findings: tuple[Finding, ...] = ()
    # The counter whose death tolls are set against officials' (a claimant group): the Health
    # Ministry where it kept its own count, independent investigators where nobody official did.
    compared_with: str = "health_ministry"


# --- reading ----------------------------------------------------------------------------------


def read_csv(path: Path, columns: tuple[str, ...], problems: list[Problem]) -> pd.DataFrame | None:
    """The file's cells as stripped strings, indexed by spreadsheet row; None if unreadable.

    Accepts what Excel writes (UTF-8 with a byte-order mark, CRLF line ends). Problems with the
    file's structure are appended to ``problems``.
    """
    file = str(path)
    header_hint = "a header row naming the columns " + ",".join(columns)
    try:
        raw = read_input(path, MAX_LEDGER_BYTES)
    except FileNotFoundError:
        problems.append(Problem(file, expected=f"the file to exist, starting with {header_hint}"))
        return None
    except UnreadableInput as error:
        problems.append(
            Problem(file, expected=f"a CSV file of at most {MAX_LEDGER_BYTES // 2**20} MB, got {error}")
        )
        return None
    except OSError as error:
        problems.append(Problem(file, expected=f"a readable file ({error.strerror})"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = raw[: error.start].count(b"\n") + 1
        problems.append(
            Problem(
                file,
                row,
                value=f"byte 0x{raw[error.start]:02x}",
                expected="UTF-8 text (in Excel: Save As 'CSV UTF-8')",
            )
        )
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
                Problem(
                    file,
                    1,
                    value=records[0][0][:60],
                    expected=f"comma-separated columns, but the header is split by {shown}",
                )
            )
            return None

    rows: dict[int, list[str]] = {}
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank lines and Excel's trailing ",,,," rows
        if len(record) != len(header):
            problems.append(
                Problem(
                    file,
                    number,
                    value=f"{len(record)} cells",
                    expected=f"{len(header)} cells, one per column in the header",
                )
            )
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
#: Keys a dataset may leave out.
OPTIONAL_INFO_KEYS = {
    "final_counts": "a list of the claim_ids the report calls the final count",
    "findings": "a list of headline findings, each a text and the claims it needs",
    "compared_with": "the claimant_group whose death tolls are set against officials' (default "
    "health_ministry)",
}


def read_info(path: Path, problems: list[Problem]) -> DatasetInfo | None:
    """``dataset.yml``: a mapping with a text value for each of INFO_KEYS."""
    import yaml

    from casualty_report.inputs import MAX_YAML_BYTES, load_yaml

    file = str(path)
    try:
        data = load_yaml(read_input(path, MAX_YAML_BYTES).decode("utf-8-sig"))
    except FileNotFoundError:
        problems.append(Problem(file, expected="the file to exist, with keys " + ", ".join(INFO_KEYS)))
        return None
    except (OSError, UnicodeDecodeError, UnreadableInput) as error:
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
    for key in sorted(set(data) - set(INFO_KEYS) - set(OPTIONAL_INFO_KEYS), key=str):
        problems.append(
            Problem(
                file, 0, str(key), expected="only the keys " + ", ".join([*INFO_KEYS, *OPTIONAL_INFO_KEYS])
            )
        )
    finals = data.get("final_counts", [])
    if not isinstance(finals, list) or not all(isinstance(i, str) and i.strip() for i in finals):
        problems.append(Problem(file, 0, "final_counts", str(finals), OPTIONAL_INFO_KEYS["final_counts"]))
    findings = _read_findings(file, data.get("findings", []), problems)
    rival = data.get("compared_with", DatasetInfo.compared_with)
    if rival not in set(CLAIMANT_GROUPS) - {"official"}:
        problems.append(
            Problem(
                file,
                0,
                "compared_with",
                str(rival),
                "a claimant_group other than official: "
                + ", ".join(group for group in CLAIMANT_GROUPS if group != "official"),
            )
        )
    if len(problems) > found:
        return None
    return DatasetInfo(
        **{key: data[key].strip() for key in INFO_KEYS},
        final_counts=tuple(i.strip() for i in finals),
        findings=findings,
        compared_with=rival,
    )


def _read_findings(file: str, data: object, problems: list[Problem]) -> tuple[Finding, ...]:
    """``findings``: a list of mappings, each a ``text`` and its ``needs`` (claim id: the value,
    then optionally the status the sentence says, e.g. ``A01: 164 retracted``)."""
    expected = OPTIONAL_INFO_KEYS["findings"]
    if not isinstance(data, list):
        problems.append(Problem(file, 0, "findings", str(data), expected))
        return ()
    findings = []
    for number, item in enumerate(data, 1):
        column = f"findings, item {number}"
        if not isinstance(item, dict) or set(item) != {"text", "needs"} or not isinstance(item["text"], str):
            problems.append(Problem(file, 0, column, str(item), "a mapping of a text and its needs"))
            continue
        needs_data = item["needs"]
        if not isinstance(needs_data, dict) or not needs_data:
            problems.append(Problem(file, 0, column, str(needs_data), "needs: claim_id: value [status]"))
            continue
        needs = []
        for claim_id, need in needs_data.items():
            words = str(need).split()
            if not isinstance(claim_id, str) or not words or not words[0].isdigit() or len(words) > 2:
                problems.append(
                    Problem(
                        file,
                        0,
                        column,
                        f"{claim_id}: {need}",
                        "a claim_id with the value the text needs, then optionally its status",
                    )
                )
                continue
            needs.append((claim_id, int(words[0]), words[1] if len(words) == 2 else ""))
        findings.append(Finding(" ".join(item["text"].split()), tuple(needs)))
    return tuple(findings)
