"""A corpus of broken ledgers: each fault must give one LedgerError whose message names the
file, the spreadsheet row, the column and what was expected."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from casualty_report.errors import LedgerError
from casualty_report.ledger.load import load_ledger

CLAIMS, SOURCES = "claims.csv", "sources.csv"


def row_of(claim_id: str) -> int:
    """The spreadsheet row of a shipped claim (header = 1), so a new claim moves no fault."""
    from casualty_report.paths import DATA_ROOT, DEFAULT_DATASET

    lines = (DATA_ROOT / DEFAULT_DATASET / CLAIMS).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith(f"{claim_id},"))


def source_row(source_id: str) -> int:
    """The spreadsheet row of a shipped source (header = 1)."""
    from casualty_report.paths import DATA_ROOT, DEFAULT_DATASET

    lines = (DATA_ROOT / DEFAULT_DATASET / SOURCES).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith(f"{source_id},"))


def replace_in(name: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    """Edit one file of the dataset copy by plain text replacement."""

    def edit(folder: Path) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"the fixture expects {old!r} in {name}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    return edit


def write_bytes(name: str, content: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_bytes(content)


def transform(name: str, change: Callable[[str], str]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / name
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")

    return edit


def cyrillic_e(text: str) -> str:
    """'deaths' on row 3 written with a Cyrillic е (U+0435): looks identical, is not."""
    lines = text.split("\n")
    lines[2] = lines[2].replace(",deaths,", ",d\u0435aths,")
    return "\n".join(lines)


def r20_as(top: str, qualifier: str) -> Callable[[Path], None]:
    """R20 (outlets' "at least 44") given another value_high and qualifier."""
    row = "R20,2022-01-07,deaths,all,Kazakhstan,44,"
    return replace_in(CLAIMS, f"{row},at_least,", f"{row}{top},{qualifier},")


# (id, edit, file, row, column, words the message must contain)
FAULTS = [
    ("missing-column", transform(CLAIMS, lambda t: t.replace(",qualifier", "", 1)),
     CLAIMS, 1, "qualifier", "a column named 'qualifier' in the header row"),
    ("unknown-column", replace_in(CLAIMS, ",note\n", ",notes\n"),
     CLAIMS, 1, "notes", "only the ledger's columns"),
    ("duplicate-column", replace_in(CLAIMS, ",relayed_by,", ",note,"),
     CLAIMS, 1, "note", "each column named once"),
    ("value-not-a-number", replace_in(CLAIMS, ",164,", ",many,"),
     CLAIMS, 2, "value", "got 'many'; expected a whole number"),
    ("negative-count", replace_in(CLAIMS, ",26,", ",-26,"),
     CLAIMS, 3, "value", "got '-26'; expected a whole number of 0 or more"),
    ("fractional-count", replace_in(CLAIMS, ",16,", ",16.5,"),
     CLAIMS, 4, "value", "got '16.5'"),
    ("thousands-separator", replace_in(CLAIMS, ",1300,", ',"1,300",'),
     CLAIMS, 8, "value", "no separators (e.g. 1300)"),
    ("absurdly-large-count", replace_in(CLAIMS, ",5800,", ",58000000000000,"),
     CLAIMS, 9, "value", "got '58000000000000'"),
    ("unknown-measure", replace_in(CLAIMS, "A03,2022-01-09,deaths", "A03,2022-01-09,killed"),
     CLAIMS, 4, "measure", "got 'killed'; expected one of: deaths, died_in_hospital"),
    ("look-alike-unicode", transform(CLAIMS, cyrillic_e),
     CLAIMS, 3, "measure", "expected one of: deaths"),
    ("unknown-population", replace_in(CLAIMS, ",security_forces,Kazakhstan,16", ",police,Kazakhstan,16"),
     CLAIMS, 4, "population", "got 'police'"),
    ("unknown-qualifier", replace_in(CLAIMS, ",at_least,", ",approximately,"),
     CLAIMS, 2, "qualifier", "got 'approximately'; expected one of: exact, at_least"),
    ("unknown-claimant-group", replace_in(CLAIMS, ",health_ministry,,retracted", ",ministry,,retracted"),
     CLAIMS, 2, "claimant_group", "got 'ministry'"),
    ("unknown-status", replace_in(CLAIMS, ",superseded,,,R52a,,S01,para 9", ",withdrawn,,,R52a,,S01,para 9"),
     CLAIMS, 10, "status", "got 'withdrawn'; expected one of: active, retracted"),
    ("duplicate-id", replace_in(CLAIMS, "A09,", "A08,"),
     CLAIMS, 10, "claim_id", "got 'A08'; expected a value used by no other row"),
    ("bad-id", replace_in(CLAIMS, "A09,", "A 9,"),
     CLAIMS, 10, "claim_id", "an id of letters, digits"),
    ("unknown-source", replace_in(CLAIMS, ",S01,para 4", ",S99,para 4"),
     CLAIMS, 9, "source_id", "got 'S99'; expected a source_id listed in sources.csv"),
    ("impossible-date", replace_in(CLAIMS, "A02,2022-01-09", "A02,2022-02-30"),
     CLAIMS, 3, "reported_on", "got '2022-02-30'; expected a real date written YYYY-MM-DD"),
    ("day-first-date", replace_in(CLAIMS, "A05,2022-01-09", "A05,09/01/2022"),
     CLAIMS, 6, "reported_on", "got '09/01/2022'"),
    ("empty-required-cell", replace_in(CLAIMS, ",Office of the President,", ",,"),
     CLAIMS, 9, "claimant", "who made the claim (the cell is required)"),
    ("empty-scope", replace_in(CLAIMS, ",Almaty,103,", ",,103,"),
     CLAIMS, 5, "scope", "a place name"),
    ("empty-locator", replace_in(CLAIMS, ",para 9,", ",,"),
     CLAIMS, 10, "locator", "where in the source"),
    ("short-row", transform(CLAIMS, lambda t: t.replace("\n", "\nA10,2022-01-10,deaths\n", 1)),
     CLAIMS, 2, "", "got '3 cells'; expected 20 cells"),
    ("long-row", replace_in(CLAIMS, ",para 4,", ",para 4,extra,"),
     CLAIMS, 9, "", "got '21 cells'; expected 20 cells"),
    ("empty-file", write_bytes(CLAIMS, b""),
     CLAIMS, 1, "", "expected a header row naming the columns claim_id,reported_on"),
    ("semicolon-delimiter", transform(CLAIMS, lambda t: t.replace(",", ";")),
     CLAIMS, 1, "", "comma-separated columns, but the header is split by ';'"),
    ("tab-delimiter", transform(CLAIMS, lambda t: t.replace(",", "\t")),
     CLAIMS, 1, "", "split by tabs"),
    ("latin-1-encoding", lambda folder: (folder / CLAIMS).write_bytes(
        (folder / CLAIMS).read_bytes().replace(b"Kazakh officials",
                                               "Kazakh officials \u00e4".encode("latin-1"), 1)),
     CLAIMS, 3, "", "got 'byte 0xe4'; expected UTF-8 text"),
    ("utf-16-encoding", lambda folder: (folder / CLAIMS).write_bytes(
        (folder / CLAIMS).read_text(encoding="utf-8").encode("utf-16")),
     CLAIMS, 1, "", "UTF-8 text"),
    ("missing-sources-file", lambda folder: (folder / SOURCES).unlink(),
     SOURCES, 0, "", "the file to exist"),
    ("source-url-not-http", replace_in(SOURCES, ",2022-01-09,,", ",2022-01-09,javascript:alert(1),"),
     SOURCES, 2, "url", "an http:// or https:// address"),
    ("source-bad-date", replace_in(SOURCES, ",2022-01-09,", ",January 2022,"),
     SOURCES, 2, "published_on", "or an empty cell"),
    ("superseded-without-replacement", replace_in(CLAIMS, ",superseded,,,R19,", ",superseded,,,,"),
     CLAIMS, 4, "superseded_by", "the claim_id that replaced it, since status is superseded"),
    ("superseded-by-unknown-claim", replace_in(CLAIMS, ",superseded,,,R19,", ",superseded,,,R99,"),
     CLAIMS, 4, "superseded_by", "got 'R99'; expected the claim_id of another row"),
    ("superseded-by-itself", replace_in(CLAIMS, ",superseded,,,R19,", ",superseded,,,A03,"),
     CLAIMS, 4, "superseded_by", "a claim cannot replace itself"),
    ("superseded-across-groups", replace_in(CLAIMS, ",superseded,,,R19,", ",superseded,,,R38b,"),
     CLAIMS, 4, "superseded_by", "a claim of the same claimant_group"),
    ("superseded-across-populations", replace_in(CLAIMS, ",superseded,,,R19,", ",superseded,,,R23a,"),
     CLAIMS, 4, "superseded_by", "a later claim of the same measure, population, scope and count_kind"),
    ("superseded-by-an-earlier-claim", replace_in(CLAIMS, ",superseded,,,R19,", ",superseded,,,R01a,"),
     CLAIMS, 4, "superseded_by", "a later claim of the same measure, population, scope and count_kind"),
    # A running total is not replaced by a count at one moment (400 admitted by 6 Jan, 719 in
    # hospital on 9 Jan): neither is the other's update.
    ("superseded-across-count-kinds",
     replace_in(CLAIMS, "R03b,2022-01-06,hospitalised,all,Kazakhstan,400,,exact,snapshot,",
                "R03b,2022-01-06,hospitalised,all,Kazakhstan,400,,exact,running_total,"),
     CLAIMS, row_of("R03b"), "superseded_by",
     "a later claim of the same measure, population, scope and count_kind"),
    ("unknown-count-kind", replace_in(CLAIMS, "R22a,2022-01-12,detained,all,Almaty,1678,,exact,period,",
                                      "R22a,2022-01-12,detained,all,Almaty,1678,,exact,daily,"),
     CLAIMS, row_of("R22a"), "count_kind", "got 'daily'"),
    ("floor-coded-as-a-count", replace_in(CLAIMS, "R34b,2022-07-29,deaths,all,Kazakhstan,188,,at_least,",
                                          "R34b,2022-07-29,deaths,all,Kazakhstan,188,,exact,"),
     CLAIMS, row_of("R34b"), "qualifier",
     "a lower bound (at_least, more_than, …), since the note calls the figure a floor"),
    # A replacement is the next figure of its line: 225 of 15 January was replaced by 227 of
    # 25 February, not by 230 of 14 March past it.
    ("superseded-past-the-next-in-line",
     replace_in(CLAIMS, ",superseded,,,R39,,S23,", ",superseded,,,R31a,,S23,"),
     CLAIMS, row_of("R23a"), "superseded_by", "the next later claim of the same claimant_group, measure"),
    ("status-known-before-the-claim",
     replace_in(CLAIMS, ",retracted,2022-01-09,S12,,R09a R35a,", ",retracted,2022-01-08,S12,,R09a R35a,"),
     CLAIMS, 2, "status_since", "got '2022-01-08'; expected a date no earlier than reported_on"),
    # A range ('55–77') carries its top in value_high, above value; no other figure has a top.
    ("range-without-its-top", r20_as("", "range"),
     CLAIMS, row_of("R20"), "value_high", "the top of the range, above value, when qualifier is range"),
    ("range-top-below-its-bottom", r20_as("40", "range"),
     CLAIMS, row_of("R20"), "value_high", "got '40'; expected the top of the range, above value"),
    ("top-on-a-figure-that-is-no-range", r20_as("60", "at_least"),
     CLAIMS, row_of("R20"), "value_high", "when qualifier is range; else an empty cell"),
    ("range-top-not-a-number", r20_as("sixty", "range"),
     CLAIMS, row_of("R20"), "value_high", "got 'sixty'; expected a whole number"),
    ("source-without-address",
     replace_in(SOURCES, ",https://nationalpost.com/pmn/news-pmn/crime-pmn/"
                         "eight-police-and-national-guard-troops-dead-317-injured-during-unrest-in-"
                         "kazakhstan-sputnik,", ",,"),
     SOURCES, 3, "url", "the address of the page read (only the focus source may have none)"),
    # How a title or date was known is said only of a title or date there is, in the vocabulary's words.
    ("title-known-from-without-a-title",
     replace_in(SOURCES, "S05,Europe Diplomatic,Kazakhstan: killed protesters in morgues,",
                "S05,Europe Diplomatic,,"),
     SOURCES, 6, "title_from", "an empty cell, since the source has no title"),
    ("date-known-from-without-a-date", replace_in(SOURCES, ",2022-01-11,https://bbabo.net/", ",,https://bbabo.net/"),
     SOURCES, source_row("S66"), "date_from", "an empty cell, since the source has no published_on"),
    ("unknown-way-a-date-was-known",
     replace_in(SOURCES, ",2026-11-25,address,inferred\n", ",2026-11-25,address,guessed\n"),
     SOURCES, source_row("S07"), "date_from",
     "got 'guessed'; expected one of: page, address, copy, inferred"),
    ("corrected-by-unknown-claim", replace_in(CLAIMS, ",R07a,S01,", ",R07a R7,S01,"),
     CLAIMS, 3, "corrected_by", "got 'R07a R7'; expected claim_ids of other rows separated by spaces"),
    ("unknown-status-source",
     replace_in(CLAIMS, ",2022-01-09,S12,,R09a R35a,", ",2022-01-09,S99,,R09a R35a,"),
     CLAIMS, 2, "status_source_id",
     "got 'S99'; expected a source_id listed in sources.csv, or an empty cell"),
    ("bad-status-date", replace_in(CLAIMS, ",retracted,2022-01-09,S12,,R09a", ",retracted,9 Jan,S12,,R09a"),
     CLAIMS, 2, "status_since", "got '9 Jan'"),
    ("missing-dataset-info", lambda folder: (folder / "dataset.yml").unlink(),
     "dataset.yml", 0, "", "the file to exist, with keys title, lede"),
    ("dataset-info-missing-key",
     transform("dataset.yml", lambda t: t.replace("national_scope: Kazakhstan\n", "")),
     "dataset.yml", 0, "national_scope", "the scope value that means the whole country"),
    ("dataset-info-unknown-focus", replace_in("dataset.yml", "focus_source: S01", "focus_source: S404"),
     "dataset.yml", 0, "focus_source", "got 'S404'; expected a source_id listed in sources.csv"),
    ("dataset-info-not-yaml", write_bytes("dataset.yml", b"title: [unclosed\n"),
     "dataset.yml", 0, "", "valid YAML"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("edit", "file", "row", "column", "words"), [f[1:] for f in FAULTS], ids=[f[0] for f in FAULTS]
)
def test_each_fault_is_named_with_file_row_and_column(ledger_copy, edit, file, row, column, words):
    edit(ledger_copy)
    with pytest.raises(LedgerError) as caught:
        load_ledger(data_dir=ledger_copy)
    message = str(caught.value)
    where = (
        str(ledger_copy / file) + (f", row {row}" if row else "") + (f", column '{column}'" if column else "")
    )
    matching = [line for line in message.splitlines() if line.strip().startswith(f"- {where}")]
    assert matching, f"no problem at {where!r} in:\n{message}"
    assert any(words in line for line in matching), f"{words!r} not said of {where!r} in:\n{message}"
    # No problem line floods a log: a few hundred characters at most, the path included.
    longest = max(message.splitlines(), key=len)
    assert len(longest) - len(str(ledger_copy)) < 300, longest[:400]


def test_the_corpus_covers_at_least_twenty_distinct_faults():
    assert len({fault[0] for fault in FAULTS}) == len(FAULTS) >= 20


def test_every_problem_is_reported_at_once(ledger_copy):
    for fault in (
        "negative-count",
        "unknown-measure",
        "unknown-source",
        "impossible-date",
        "source-bad-date",
    ):
        {f[0]: f[1] for f in FAULTS}[fault](ledger_copy)
    with pytest.raises(LedgerError) as caught:
        load_ledger(data_dir=ledger_copy)
    problems = caught.value.problems
    assert [(Path(p.file).name, p.row, p.column) for p in problems] == [
        (CLAIMS, 3, "reported_on"),
        (CLAIMS, 3, "value"),
        (CLAIMS, 4, "measure"),
        (CLAIMS, 9, "source_id"),
        (SOURCES, 2, "published_on"),
    ]
    assert str(caught.value).startswith("5 problems in the claims ledger:\n")


def test_a_bad_ledger_is_left_untouched(ledger_copy):
    replace_in(CLAIMS, ",164,", ",-164,")(ledger_copy)
    before = {p.name: p.read_bytes() for p in ledger_copy.iterdir()}
    with pytest.raises(LedgerError):
        load_ledger(data_dir=ledger_copy)
    assert {p.name: p.read_bytes() for p in ledger_copy.iterdir()} == before


def test_problem_lines_read_as_file_row_column_value_expected(ledger_copy):
    replace_in(CLAIMS, ",164,", ",-164,")(ledger_copy)
    with pytest.raises(LedgerError) as caught:
        load_ledger(data_dir=ledger_copy)
    line = str(caught.value).splitlines()[1]
    assert re.fullmatch(
        r"  - .*claims\.csv, row 2, column 'value': got '-164'; expected a whole number of 0 or more, .*",
        line,
    )


# --- input read within bounds (issue 23): refused before it is read, file named -----------------


def _refused(folder: Path) -> str:
    with pytest.raises(LedgerError) as caught:
        load_ledger(data_dir=folder)
    return str(caught.value)


@pytest.mark.parametrize("target", ["/etc/passwd", "/dev/zero"])
def test_a_ledger_file_that_is_a_link_is_refused_unread(ledger_copy, target):
    """A committed symlink could read any file into a message, or /dev/zero until memory ran out."""
    (ledger_copy / CLAIMS).unlink()
    (ledger_copy / CLAIMS).symlink_to(target)
    message = _refused(ledger_copy)
    assert f"{ledger_copy / CLAIMS}" in message and "a symbolic link" in message
    assert "root:" not in message


def test_a_dataset_yml_that_is_a_device_or_too_big_is_refused_unread(ledger_copy):
    (ledger_copy / "dataset.yml").unlink()
    (ledger_copy / "dataset.yml").symlink_to("/dev/zero")
    assert "a symbolic link" in _refused(ledger_copy)
    (ledger_copy / "dataset.yml").unlink()
    with (ledger_copy / "dataset.yml").open("wb") as handle:
        handle.truncate(300 * 2**20)  # 300 MB, sparse: refused by its size, never read
    assert "larger than the 65,536 bytes allowed (314,572,800 bytes)" in _refused(ledger_copy)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("title: a\ntitle: b\n", "line 2: key 'title' is set twice"),
        ("title: " + "9" * 5000 + "\n", "line 1: a number of more than 30 digits"),
        ("title: " + "[" * 5000 + "]" * 5000 + "\n", "nested deeper than 20 levels"),
    ],
    ids=["duplicate-key", "huge-number", "deep-nesting"],
)
def test_dataset_yml_values_out_of_bounds_name_the_file_and_line(ledger_copy, text, said):
    (ledger_copy / "dataset.yml").write_text(text, encoding="utf-8")
    message = _refused(ledger_copy)
    assert str(ledger_copy / "dataset.yml") in message and said in message
