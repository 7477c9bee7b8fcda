"""The shipped ledger: the article's figures, exactly as curated, and what loading accepts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from casualty_report import load_ledger
from casualty_report.ledger import CLAIMS_COLUMNS, CLAIMANT_GROUPS, MEASURES, POPULATIONS, QUALIFIERS, STATUSES

# Every figure the article reports, with how the ledger records it. Editing a figure, its
# meaning or its status in data/ must fail here.
ARTICLE = {
    # id: (measure, population, scope, value, qualifier, claimant_group, status, locator)
    "A01": ("deaths", "all", "Kazakhstan", 164, "at_least", "health_ministry", "retracted", "para 7"),
    "A02": ("deaths", "civilians", "Kazakhstan", 26, "exact", "official", "disputed", "para 9"),
    "A03": ("deaths", "security_forces", "Kazakhstan", 16, "exact", "official", "active", "para 9"),
    "A04": ("deaths", "all", "Almaty", 103, "exact", "health_ministry", "retracted", "para 9"),
    "A05": ("deaths", "minors", "Almaty", 3, "several", "health_ministry", "retracted", "para 9"),
    "A06": ("treated", "all", "Kazakhstan", 2200, "exact", "health_ministry", "disputed", "para 9"),
    "A07": ("treated", "security_forces", "Kazakhstan", 1300, "exact", "health_ministry", "disputed", "para 9"),
    "A08": ("arrested", "all", "Almaty", 5800, "more_than", "official", "disputed", "para 10"),
    "A09": ("deaths", "attackers", "Almaty", 12, "dozens", "official", "active", "para 16"),
}
RECORDED = ["measure", "population", "scope", "value", "qualifier", "claimant_group", "status", "locator"]


def test_the_ledger_holds_every_article_figure_as_curated(ledger):
    actual = {row.claim_id: tuple(getattr(row, c) for c in RECORDED) for row in ledger.claims.itertuples()}
    assert actual == ARTICLE


def test_the_headline_figures_are_the_articles(ledger):
    values = dict(zip(ledger.claims["claim_id"], ledger.claims["value"], strict=True))
    assert [values[i] for i in ("A01", "A02", "A03", "A04", "A06", "A07", "A08")] == [
        164, 26, 16, 103, 2200, 1300, 5800,
    ]  # fmt: skip


def test_every_claim_cites_the_article_and_carries_a_note(ledger):
    assert set(ledger.claims["source_id"]) == {"S01"}
    assert ledger.claims["note"].str.len().min() > 20
    article = ledger.sources.set_index("source_id").loc["S01"]
    assert (article["outlet"], article["author"]) == ("19FortyFive", "Steve Balestrieri")
    assert article["published_on"] == pd.Timestamp("2022-01-10")


def test_frames_come_out_typed(ledger):
    claims = ledger.claims
    assert list(claims.columns) == list(CLAIMS_COLUMNS)
    assert claims["value"].dtype == "int64"
    assert pd.api.types.is_datetime64_any_dtype(claims["reported_on"])
    assert claims.index.tolist() == list(range(len(claims)))


def test_shipped_vocabulary_is_documented_in_the_data_readme():
    readme = (Path(__file__).parents[1] / "data" / "kazakhstan-2022-01" / "README.md").read_text(encoding="utf-8")
    for vocabulary in (MEASURES, POPULATIONS, QUALIFIERS, CLAIMANT_GROUPS, STATUSES):
        for word in vocabulary:
            assert f"`{word}`" in readme, f"the data README does not document `{word}`"


def test_excel_csv_with_bom_and_crlf_loads_the_same(ledger, ledger_copy):
    for name in ("claims.csv", "sources.csv"):
        path = ledger_copy / name
        text = path.read_text(encoding="utf-8")
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    excel = load_ledger(data_dir=ledger_copy)
    pd.testing.assert_frame_equal(excel.claims, ledger.claims)
    pd.testing.assert_frame_equal(excel.sources, ledger.sources)


def test_blank_rows_and_stray_spaces_are_ignored(ledger, ledger_copy):
    path = ledger_copy / "claims.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",deaths,", ", deaths ,", 1)
    path.write_text("\n".join(lines) + "\n\n" + "," * 13 + "\n", encoding="utf-8")
    pd.testing.assert_frame_equal(load_ledger(data_dir=ledger_copy).claims, ledger.claims)


def test_data_dir_may_be_the_dataset_folder_or_its_parent(ledger, ledger_copy):
    by_folder = load_ledger(data_dir=ledger_copy)
    by_parent = load_ledger(ledger_copy.name, data_dir=ledger_copy.parent)
    pd.testing.assert_frame_equal(by_folder.claims, by_parent.claims)
    assert by_parent.directory == ledger_copy
