"""One vocabulary: every controlled word carries everything the report needs, and a new word is
one edit in vocabulary.py (plus its line in the data README)."""

from __future__ import annotations

import csv
import re
from dataclasses import fields
from pathlib import Path

import matplotlib.colors
import pytest

from casualty_report.content import analysis, tables
from casualty_report.content.charts.style import drawn_texts
from casualty_report.content.codebook_columns import CODEBOOK
from casualty_report.ledger import vocabulary
from casualty_report.ledger.load import load_ledger
from casualty_report.ledger.schema import TABLES
from casualty_report.ledger.statuses import STATUSES
from casualty_report.ledger.vocabulary import CLAIMANT_GROUPS, VOCABULARIES, ClaimantGroup
from tests import drawing

# The ledger format every event shares: its data dictionary documents every word.
README = Path(__file__).parents[1] / "data" / "README.md"


@pytest.mark.parametrize("column", VOCABULARIES)
def test_every_word_has_every_attribute(column):
    # A qualifier's prefix may be empty ("exact" shows the bare number); every other text is said.
    may_be_empty = {
        "prefix",
        "word",
        "bar_key",
        "timeline_key",
        "page_key",
        "topic",
        "same_people_as",
        "aside",
    }  # a running total needs no aside
    for word, entry in VOCABULARIES[column].items():
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", word), word
        for attribute in fields(entry):
            value = getattr(entry, attribute.name)
            if isinstance(value, str) and attribute.name not in may_be_empty:
                assert value.strip(), f"{column} {word!r}: no {attribute.name}"
    if column == "measure":
        assert all(entry.topic for entry in VOCABULARIES[column].values())


@pytest.mark.parametrize("column", VOCABULARIES)
def test_the_data_readme_documents_every_word(column):
    text = README.read_text(encoding="utf-8")
    for word in VOCABULARIES[column]:
        assert re.search(rf"^\| `{word}` \|", text, re.MULTILINE), (
            f"the data README does not document `{word}`"
        )


def test_labels_tell_words_apart():
    for column, words in VOCABULARIES.items():
        labels = [getattr(entry, "label", getattr(entry, "prefix", None)) for entry in words.values()]
        named = [label for label in labels if label]
        assert len(set(named)) == len(named), f"two {column} words share a label: {named}"


def test_claimant_groups_are_drawn_in_distinct_valid_colours():
    colours = [group.colour for group in CLAIMANT_GROUPS.values()]
    assert all(matplotlib.colors.is_color_like(colour) for colour in colours)
    assert len(set(colours)) == len(colours)
    assert len({group.colour_name for group in CLAIMANT_GROUPS.values()}) == len(colours)


def test_every_status_but_active_has_a_bar_key_and_ranks_are_distinct():
    assert [w for w, s in STATUSES.items() if not s.bar_key] == ["active"]
    assert sorted(s.rank for s in STATUSES.values()) == list(range(len(STATUSES)))


def test_what_each_status_means_is_said_once_by_its_flags():
    """issue 22: the rules read flags, not lists of status words. What stands and what a line
    may join, as the data README defines the four statuses."""
    from casualty_report.ledger import statuses

    assert statuses.IN_FORCE == ("active", "disputed")  # the claimant's word now
    assert statuses.SOUND == ("active", "superseded")  # stood as given when given
    assert (statuses.WITHDRAWN, statuses.REPLACED, statuses.CONTESTED) == (
        ("retracted",),
        ("superseded",),
        ("disputed",),
    )
    assert statuses.STANDING == "active"
    assert [s.was for s in STATUSES.values()] == ["stood", "was withdrawn", "was superseded", "was disputed"]
    assert [w for w, s in STATUSES.items() if s.timeline_key] == ["retracted", "disputed"]


def test_every_measure_belongs_to_a_table():
    topics = {"casualties", "injuries", "arrests", "justice"}
    assert {measure.topic for measure in vocabulary.MEASURES.values()} <= topics
    assert vocabulary.measures_about("arrests") == ("detained", "arrested", "in_custody", "convicted")


@pytest.fixture
def regional_group(monkeypatch):
    """A claimant group added the way the README says: one entry in vocabulary.py."""
    monkeypatch.setitem(
        CLAIMANT_GROUPS,
        "regional",
        ClaimantGroup(
            "regional governors' offices",
            label="Regional officials",
            counter="regional officials",
            whose="Regional officials'",
            colour="#E69F00",
            colour_name="yellow",
        ),
    )


def test_an_added_claimant_group_is_one_edit(regional_group, ledger_copy):
    path = ledger_copy / "claims.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    new = {**next(r for r in rows if r["claim_id"] == "R23a"), "claim_id": "X01", "claimant": "Almaty akimat"}
    new.update(
        claimant_group="regional", reported_on="2022-01-20", value="230", status="active", superseded_by=""
    )
    with path.open("a", encoding="utf-8", newline="") as out:
        csv.DictWriter(out, rows[0].keys(), lineterminator="\n").writerow(new)

    ledger = load_ledger(data_dir=ledger_copy)  # the validator accepts the new word
    totals = analysis.group_totals(ledger.claims)
    assert "regional" in set(totals["claimant_group"])
    timeline = analysis.toll_timeline(ledger.claims)
    assert "Regional officials" in tables.timeline(timeline, ledger, "timeline").to_html()
    chart = drawing.toll_timeline(ledger)
    assert any(
        text.get_text() == "Regional officials" for text in drawn_texts(chart.figure)
    )  # named beside it
    drawing.death_tolls(ledger)
    drawing.timeline_summary(ledger)
    assert "regional" in CODEBOOK["claimant_group"].field()["constraints"]["enum"]


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.file)
def test_the_data_readme_documents_every_column(table):
    text = README.read_text(encoding="utf-8")
    section = text.split(f"## `{table.file}`", 1)[1].split("\n## ", 1)[0]
    for column in table.columns:
        assert re.search(rf"^\| `{column}` \|", section, re.MULTILINE), (
            f"the data README's {table.file} section does not document `{column}`"
        )


def test_every_event_folder_says_what_it_holds_and_under_which_licence():
    events = [folder for folder in README.parent.iterdir() if (folder / "claims.csv").exists()]
    assert len(events) >= 2
    index = README.read_text(encoding="utf-8")
    for folder in events:
        own = (folder / "README.md").read_text(encoding="utf-8")
        assert "CC BY 4.0" in own.split("## Licence", 1)[1], folder.name
        assert f"]({folder.name}/README.md)" in index, f"data/README.md does not list {folder.name}"


def test_one_legend_decodes_every_mark_for_charts_and_pages():
    """issue 22: a status drawn differently has its words for a bar chart, a timeline (where it
    has a mark there) and the page; the page's line holds every one of them and every mark of
    a figure's wording, so a chart and its page cannot decode a mark differently."""
    from casualty_report.content import legend

    drawn = [s for s in STATUSES.values() if s.bar_key]
    assert drawn and all(s.page_key for s in drawn)
    # The run page's line, word for word as it read before it was built from the legend.
    assert legend.how_to_read() == (
        "In charts and tables: a figure drawn hollow with a dashed edge was withdrawn by whoever gave "
        "it; hollow and dotted, replaced by a later figure of theirs; hatched or half-filled, disputed "
        "(it stands, but what it counts or who gave it is contested). ▸ or + marks a lower bound: "
        '"at least", "over", or a vague word such as "dozens", drawn at the smallest number it can '
        'mean (12); ≈ marks a rounded figure ("about", "nearly"); a bar or a thin line from one figure '
        'to another is a range the claimant gave ("55–77"). Figures are never added across counting '
        "systems."
    )
    assert legend.status_keys({"active", "retracted", "disputed"}, "bar") == [
        "hollow dashed bars were withdrawn",
        "hatched bars are disputed",
    ]
    assert legend.status_keys({"superseded"}, "timeline") == []  # a timeline draws it plainly


def test_no_code_outside_the_status_registry_names_a_status():
    """issue 22: every rule reads a status's flags or words from ledger/statuses.py, so a new
    status is one entry there. No string constant in the package (outside that module) or in
    a notebook's code is a status word."""
    import ast

    import nbformat

    from casualty_report.paths import NOTEBOOKS_DIR, PACKAGE_DIR

    sources = {
        str(path): path.read_text(encoding="utf-8")
        for path in PACKAGE_DIR.rglob("*.py")
        if path.name != "statuses.py" and "__pycache__" not in path.parts
    }
    for path in NOTEBOOKS_DIR.glob("*.ipynb"):
        for number, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "code":
                sources[f"{path.name} cell {number}"] = cell.source
    named = [
        (where, node.value)
        for where, source in sources.items()
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and node.value in STATUSES
    ]
    assert len(sources) > 45 and named == []
