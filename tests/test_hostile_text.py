"""Text from the ledger must never run in a reader's browser: notes, claimant names, place names,
source titles and dataset.yml hold script, event-handler and javascript: payloads here, and every
page of the rendered report must show them as text."""

from __future__ import annotations

import csv
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from casualty_report.publishing.render import render

FIXTURE = Path(__file__).parent / "fixtures" / "exampleland-2031"
PAYLOADS = {
    "claimant": '<script>alert("claimant")</script>',
    "note": '<img src=x onerror=alert("note")>',
    "relayed_by": '<a href="javascript:alert(1)">relay</a>',
    "scope": "<b onmouseover=alert(1)>Northport</b>",
}
TITLE = '<script>alert("title")</script> Exampleland $x$ https://evil.example/x'  # a bare address too
OUTLET = "Money $5 or $6 Times"  # two unescaped "$" would start matplotlib's mathtext


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]

    def handle_data(self, data):
        if not {"style", "script"} & set(self.open):  # what a reader sees, not the page's CSS
            self.text.append(data)


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("data") / "hostile"
    shutil.copytree(FIXTURE, folder)
    with (folder / "claims.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    for row, (column, payload) in zip(rows, PAYLOADS.items(), strict=False):
        row[column] = payload
    with (folder / "claims.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    sources = (folder / "sources.csv").read_text(encoding="utf-8")
    sources = sources.replace("Storm bulletin", '"<script>alert(""source"")</script>"')
    (folder / "sources.csv").write_text(
        sources.replace("Exampleland Gazette (fictional)", OUTLET), encoding="utf-8"
    )
    info = (folder / "dataset.yml").read_text(encoding="utf-8")
    info = info.replace('"Exampleland, March 2031 (a fictional test event)"', json.dumps(TITLE))
    (folder / "dataset.yml").write_text(
        info.replace("used to test", "used <img src=x onerror=alert(2)> to test")
    )
    out = tmp_path_factory.mktemp("reports")
    return render(out, {"data_dir": str(folder)}, name="hostile", jobs=1, log=lambda _: None).directory


def pages(run: Path) -> list[Path]:
    return sorted(run.glob("*.html"))


OWN_SCRIPT = (
    Path(__file__).parents[1]
    / "src"
    / "casualty_report"
    / "publishing"
    / "templates"
    / "offline"
    / "explore.js"
).read_text(encoding="utf-8")


def test_no_page_carries_live_markup_from_the_ledger(hostile_run):
    """No script but the report's own (explore.js, the tables' filters), byte for byte."""
    for page in pages(hostile_run):
        text = page.read_text(encoding="utf-8")
        scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", text, flags=re.DOTALL | re.IGNORECASE)
        assert all(script.strip() == OWN_SCRIPT.strip() for script in scripts), page.name
        assert text.lower().count("<script") == len(scripts) <= 1, page.name
        parser = Tags()
        parser.feed(text)
        for tag, attrs in parser.tags:
            assert not [name for name in attrs if name.startswith("on")], (page.name, tag, attrs)
            for name in ("href", "src"):
                assert not (attrs.get(name) or "").strip().lower().startswith("javascript:"), (
                    page.name,
                    attrs,
                )


def test_a_bare_address_in_ledger_text_never_becomes_a_link(hostile_run):
    """issue 23: the title's bare https://evil.example/x is shown as text on every page, and no
    page links to it (Markdown would have made it a live link)."""
    for page in pages(hostile_run):
        hrefs = [attrs.get("href") or "" for tag, attrs in _parsed(page).tags if tag == "a"]
        assert not [href for href in hrefs if "evil.example" in href], page.name
    assert "https://evil.example/x" in "".join(_parsed(hostile_run / "index.html").text)


def test_the_pages_keep_their_own_markup(hostile_run):
    """A defence that escapes everything breaks the page: headings and table headers must
    survive as markup, and no markup may show as text."""
    for page in pages(hostile_run):
        parser = Tags()
        parser.feed(page.read_text(encoding="utf-8"))
        tags = [tag for tag, _ in parser.tags]
        assert tags.count("h1") == 1, page.name
        assert tags.count("table") <= tags.count("thead") and tags.count("th") >= tags.count("table"), (
            page.name
        )
        visible = "".join(parser.text)
        for markup in ("<h1", "<h2", "<p>", "<th", "<td", "<table", ".dataframe", "<style"):
            assert markup not in visible, (page.name, markup)
    assert any(
        tag == "th" for page in pages(hostile_run) for tag, _ in _parsed(page).tags
    )  # tables were shown


def _parsed(page: Path) -> Tags:
    parser = Tags()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_the_payloads_are_shown_as_text(hostile_run):
    text = {page.name: "".join(_parsed(page).text) for page in pages(hostile_run)}
    assert TITLE in text["02-compare-death-tolls.html"]  # the page's heading line, from dataset.yml
    assert TITLE in text["index.html"]  # the front page's title
    assert "<img src=x onerror=alert(2)>" in text["index.html"]  # the lede
    assert PAYLOADS["claimant"] in text["05-check-the-first-report.html"]  # a table cell
    assert PAYLOADS["note"] in text["01-build-claim-tables.html"]


def test_charts_draw_dollar_signs_as_written(hostile_run):
    svg = (hostile_run / "figures" / "death-tolls.svg").read_text(encoding="utf-8")
    assert "<script" not in svg
    assert (hostile_run / "figures" / "death-toll-timeline.png").stat().st_size > 10_000


# --- spreadsheets: a downloaded CSV must not run a formula in Excel (OWASP "CSV injection") ----

FORMULAS = ['=HYPERLINK("http://example.com","click me")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1"]


@pytest.mark.parametrize("column", ["note", "claimant", "locator", "relayed_by"])
def test_the_ledger_refuses_a_cell_a_spreadsheet_would_run(tmp_path, column):
    """A formula in a claims cell is refused at the door, naming row and column; a leading tab
    (stripped on load, which would turn '\\t=1+1' into '=1+1') is refused the same way."""
    from casualty_report.errors import LedgerError
    from casualty_report.ledger.load import load_ledger

    folder = shutil.copytree(FIXTURE, tmp_path / "ledger")
    path = folder / "claims.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row, formula in zip(rows, FORMULAS, strict=False):
        row[column] = formula
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(LedgerError) as caught:
        load_ledger(data_dir=folder)
    said = [line for line in str(caught.value).splitlines() if f"column '{column}'" in line]
    assert len(said) == len(FORMULAS) and all("a spreadsheet would run it as a formula" in s for s in said)


def test_a_published_table_neutralises_every_formula_and_keeps_numbers(tmp_path):
    """Whatever reaches a published CSV (computed text included), a text cell starting with
    =, +, -, @, a tab or a carriage return gets an apostrophe; negative numbers stay numbers."""
    import pandas as pd

    from casualty_report.content.outputs import write_outputs

    frame = pd.DataFrame({"note": [*FORMULAS, "\rcmd", "plain"], "difference": [-74, 1, 2, 3, 4, 5, 6]})
    write_outputs(tmp_path, tables={"hostile": frame})
    with (tmp_path / "tables" / "hostile.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["note"] for row in rows] == ["'" + f for f in FORMULAS] + ["'\ncmd", "plain"]  # one row each
    assert rows[0]["difference"] == "-74"


def test_no_published_table_has_a_cell_a_spreadsheet_would_run(shared_runs):
    """Over every table of every shared run: no text cell starts a formula unneutralised."""
    tables = [path for run in shared_runs.values() for path in sorted((run / "tables").glob("*.csv"))]
    assert len(tables) >= 20
    for path in tables:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    numeric = cell.lstrip("-").replace(".", "", 1).isdigit()
                    assert numeric or not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (path, cell)


# --- text at the door: one spelling per place, nothing invisible -------------------------------


def _ledger_with(tmp_path, edits: dict[int, dict[str, str]]):
    """The fixture ledger with some rows' cells replaced; loaded, or the LedgerError's text."""
    from casualty_report.errors import LedgerError
    from casualty_report.ledger.load import load_ledger

    folder = shutil.copytree(FIXTURE, tmp_path / "ledger")
    path = folder / "claims.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for index, cells in edits.items():
        rows[index].update(cells)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    try:
        return load_ledger(data_dir=folder)
    except LedgerError as error:
        return str(error)


def test_an_accent_typed_two_ways_is_one_place(tmp_path):
    """NFD ('e' + combining acute) and NFC ('é') are the same place after loading."""
    import unicodedata

    place = _ledger_with(tmp_path, {})
    assert not isinstance(place, str)
    name = place.claims["scope"].iloc[0]
    accented = {0: {"scope": unicodedata.normalize("NFD", name + "é")}, 1: {"scope": name + "é"}}
    ledger = _ledger_with(tmp_path / "two", accented)
    assert not isinstance(ledger, str), ledger
    assert ledger.claims["scope"].iloc[0] == ledger.claims["scope"].iloc[1] == name + "é"


@pytest.mark.parametrize(
    ("column", "value", "said"),
    [
        ("claimant", "Ministry \u202egnp.exe", "text without control or invisible characters"),
        ("scope", "North\u200bport", "text without control or invisible characters"),
        ("note", "bell \x07 here", "text without control or invisible characters"),
    ],
    ids=["right-to-left-override", "zero-width-space", "control-character"],
)
def test_invisible_characters_are_refused_with_the_row_named(tmp_path, column, value, said):
    message = _ledger_with(tmp_path, {1: {column: value}})
    assert isinstance(message, str)
    lines = [line for line in message.splitlines() if f"row 3, column '{column}'" in line]
    assert lines and said in lines[0]
    assert "\u202e" not in message and "\u200b" not in message  # quoted, never printed raw


def test_a_place_spelt_with_a_look_alike_letter_is_refused(tmp_path):
    """A Cyrillic 'С' (U+0421) for a Latin 'C' would split a place's figures in two, unseen."""
    ledger = _ledger_with(tmp_path, {})
    name = ledger.claims["scope"].iloc[0]
    assert name[0].isascii()
    fake = {"C": "С", "N": "Ν", "A": "А", "E": "Е", "O": "О", "P": "Р", "T": "Т"}.get(name[0], "")
    assert fake, name
    message = _ledger_with(tmp_path / "fake", {1: {"scope": fake + name[1:]}})
    assert isinstance(message, str) and "one spelling per place" in message and "row 3" in message


def test_a_latin_name_with_a_modifier_letter_is_one_script(tmp_path):
    """Uzbek and Karakalpak Latin write ʻ (a modifier letter) in names like Qoʻngʻirot: not a
    mixed-script look-alike."""
    ledger = _ledger_with(tmp_path, {1: {"scope": "Qoʻngʻirot"}})
    assert not isinstance(ledger, str), ledger
