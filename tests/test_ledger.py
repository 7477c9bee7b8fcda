"""The shipped ledger: the article's figures, exactly as curated, and what loading accepts."""

from __future__ import annotations

import pandas as pd

from casualty_report.ledger.load import CLAIMS_COLUMNS, load_ledger

# Every figure the article reports, with how the ledger records it. Editing a figure, its
# meaning or its status in data/ must fail here.
ARTICLE = {
    # id: (measure, population, scope, value, qualifier, claimant_group, status, locator)
    "A01": ("deaths", "all", "Kazakhstan", 164, "at_least", "health_ministry", "retracted", "para 1"),
    "A02": ("deaths", "civilians", "Kazakhstan", 26, "exact", "official", "disputed", "para 3"),
    "A03": ("deaths", "security_forces", "Kazakhstan", 16, "exact", "official", "superseded", "para 3"),
    "A04": ("deaths", "all", "Almaty", 103, "exact", "health_ministry", "retracted", "para 3"),
    "A05": ("deaths", "minors", "Almaty", 3, "several", "health_ministry", "disputed", "para 3"),
    "A06": ("treated", "all", "Kazakhstan", 2200, "exact", "health_ministry", "disputed", "para 3"),
    "A07": (
        "treated",
        "security_forces",
        "Kazakhstan",
        1300,
        "exact",
        "health_ministry",
        "disputed",
        "para 3",
    ),
    "A08": ("arrested", "all", "Almaty", 5800, "more_than", "official", "disputed", "para 4"),
    "A09": ("deaths", "attackers", "Almaty", 12, "dozens", "official", "superseded", "para 9"),
}
RECORDED = ["measure", "population", "scope", "value", "qualifier", "claimant_group", "status", "locator"]


def test_the_ledger_holds_every_article_figure_as_curated(ledger):
    article = ledger.claims[ledger.claims["source_id"] == "S01"]
    actual = {row.claim_id: tuple(getattr(row, c) for c in RECORDED) for row in article.itertuples()}
    assert actual == ARTICLE


def test_the_headline_figures_are_the_articles(ledger):
    values = dict(zip(ledger.claims["claim_id"], ledger.claims["value"], strict=True))
    assert [values[i] for i in ("A01", "A02", "A03", "A04", "A06", "A07", "A08")] == [
        164,
        26,
        16,
        103,
        2200,
        1300,
        5800,
    ]


# The history's key rows, by id: a claim added to the ledger changes none of these.
HISTORY = {
    # id: (reported_on, measure, population, value, qualifier, claimant_group, status)
    "R09a": ("2022-01-09", "deaths", "all", 164, "exact", "health_ministry", "retracted"),
    "R20": ("2022-01-07", "deaths", "all", 44, "at_least", "independent", "active"),  # the outlets' sum
    "R07c": ("2022-01-07", "injured", "attackers", 18, "exact", "official", "active"),
    "R23a": ("2022-01-15", "deaths", "all", 225, "exact", "official", "superseded"),
    "R23b": ("2022-01-15", "deaths", "security_forces", 19, "exact", "official", "active"),
    "R46a": ("2022-01-18", "deaths", "all", 227, "exact", "health_ministry", "active"),
    "R29a": ("2022-02-21", "deaths", "all", 240, "nearly", "independent", "disputed"),
    "R39": ("2022-02-25", "deaths", "all", 227, "at_least", "official", "superseded"),
    "R40": ("2022-03-14", "deaths", "all", 238, "exact", "official", "active"),
    "R31a": ("2022-03-14", "deaths", "all", 230, "exact", "official", "superseded"),
    "R34b": ("2022-07-29", "deaths", "all", 188, "at_least", "independent", "active"),
    "R34c": ("2022-07-29", "deaths", "all", 221, "at_least", "independent", "active"),
    "R35a": ("2022-08-16", "deaths", "all", 238, "exact", "official", "active"),
    "R37a": ("2023-01-05", "deaths", "all", 238, "exact", "official", "active"),
    "R42a": ("2022-01-09", "deaths", "soldiers", 2, "exact", "official", "superseded"),  # by R69a's 1
    "R21": ("2022-01-11", "detained", "all", 9900, "exact", "official", "active"),
    "R50d": ("2022-01-25", "remanded", "all", 802, "exact", "official", "active"),
    "R55": ("2023-01-05", "criminal_cases", "all", 5300, "exact", "official", "active"),
    "R36c": ("2022-12-20", "convicted", "all", 1000, "more_than", "independent", "active"),
    "R56": ("2023-01-05", "convicted", "all", 1205, "exact", "official", "active"),
}
HISTORY_COLUMNS = ["reported_on", "measure", "population", "value", "qualifier", "claimant_group", "status"]


def test_the_key_history_rows_are_as_checked():
    ledger = load_ledger()
    claims = ledger.claims.set_index("claim_id")
    actual = {
        claim_id: (
            f"{claims.at[claim_id, 'reported_on']:%Y-%m-%d}",
            *(claims.at[claim_id, c] for c in HISTORY_COLUMNS[1:]),
        )
        for claim_id in HISTORY
    }
    assert actual == HISTORY


def test_the_withdrawn_164_and_its_breakdown_were_withdrawn_together(ledger):
    # Withdrawn on 9 January, as RBC (S12) reported; the children's count (A05) was not part of
    # that: the ombudswoman never withdrew it.
    claims = ledger.claims.set_index("claim_id")
    withdrawn = claims.loc[["A01", "A04", "R09a", "R09b", "R09c", "R09d", "R09e"]]
    assert set(withdrawn["status"]) == {"retracted"}
    assert set(withdrawn["status_source_id"]) == {"S12"}
    assert set(withdrawn["status_since"]) == {pd.Timestamp("2022-01-09")}
    assert claims.at["A05", "status"] == "disputed"


def test_every_claim_has_a_source_a_locator_and_a_note(ledger):
    claims = ledger.claims
    assert claims["source_id"].isin(ledger.sources["source_id"]).all()
    assert (claims["locator"].str.len() > 0).all()
    assert (claims["note"].str.len() > 0).all()
    article = ledger.sources.set_index("source_id").loc["S01"]
    assert (article["outlet"], article["author"]) == ("19FortyFive", "Steve Balestrieri")
    assert article["published_on"] == pd.Timestamp("2022-01-09")
    later = ledger.sources[ledger.sources["source_id"] != "S01"]
    assert later["url"].str.startswith("https://").all()


def test_superseded_claims_take_effect_when_replaced(ledger):
    claims = ledger.claims.set_index("claim_id")
    assert claims.at["R23a", "superseded_by"] == "R39"  # 225 of 15 January, then 'at least 227'
    assert claims.at["R23a", "status_effective"] == pd.Timestamp("2022-02-25")
    assert claims.at["R21", "status_effective"] == claims.at["R21", "reported_on"]  # active from the start
    assert claims.at["A01", "status_effective"] == pd.Timestamp("2022-01-09")  # status_since
    assert claims.at["R04", "superseded_by"] == "R52a"  # 'dozens' in Almaty, replaced by 86 on 14 March
    assert claims.at["R04", "status_effective"] == pd.Timestamp("2022-03-14")


def test_known_before_rewinds_claims_and_statuses(ledger):
    then = ledger.known_before("2022-01-10")
    assert then.as_of == pd.Timestamp("2022-01-10")
    assert then.claims["reported_on"].max() == pd.Timestamp("2022-01-09")
    assert {"A01", "R09a", "R13a", "R43"} <= set(then.claims["claim_id"])
    assert "R16" not in set(then.claims["claim_id"])  # reported on the 10th
    statuses = then.claims.set_index("claim_id")["status"]
    assert statuses["A01"] == "retracted"  # withdrawn on the 9th: known by the 10th
    assert statuses["R13a"] == "active"  # replaced on the 10th: not yet known
    assert ledger.known_before(None) is ledger
    # The look-up by id follows the view: statuses as then, and nothing from later.
    assert (then.claim["A01"].value, then.claim["A01"].status, then.claim["R13a"].status) == (
        164,
        "retracted",
        "active",
    )
    assert "R16" not in then.claim and ledger.claim["R16"].claim_id == "R16"


def test_dataset_info(ledger):
    info = ledger.info
    assert (info.national_scope, info.focus_source, info.focus_label) == ("Kazakhstan", "S01", "the article")
    assert info.title.startswith("Kazakhstan, January 2022")


def test_frames_come_out_typed(ledger):
    claims = ledger.claims
    assert list(claims.columns) == [*CLAIMS_COLUMNS, "status_effective"]
    assert claims["value"].dtype == "int64"
    assert pd.api.types.is_datetime64_any_dtype(claims["reported_on"])
    assert claims.index.tolist() == list(range(len(claims)))


def test_optional_columns_may_be_left_out(ledger_copy):
    import csv

    path = ledger_copy / "claims.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    kept = [c for c in rows[0] if c not in ("relayed_by", "status_since", "status_source_id", "corrected_by")]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, kept, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    claims = load_ledger(data_dir=ledger_copy).claims
    assert (claims["relayed_by"] == "").all() and claims["status_since"].isna().all()


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
    path.write_text("\n".join(lines) + "\n\n" + "," * 17 + "\n", encoding="utf-8")
    pd.testing.assert_frame_equal(load_ledger(data_dir=ledger_copy).claims, ledger.claims)


def test_data_dir_may_be_the_dataset_folder_or_its_parent(ledger, ledger_copy):
    by_folder = load_ledger(data_dir=ledger_copy)
    by_parent = load_ledger(ledger_copy.name, data_dir=ledger_copy.parent)
    pd.testing.assert_frame_equal(by_folder.claims, by_parent.claims)
    assert by_parent.directory == ledger_copy


def test_notes_for_keeps_the_order_given_and_skips_what_is_not_in_view(ledger):
    notes = ledger.notes_for(["R21", "A01", "R21", "R99"])
    assert notes["claim_id"].tolist() == ["R21", "A01"]
    assert ledger.notes_for(["R21", "A01"], only_not_standing=True)["claim_id"].tolist() == ["A01"]
    assert ledger.known_before("2022-01-10").notes_for(["R21"]).empty  # reported on the 11th


def test_a_replacement_takes_effect_when_it_becomes_known(ledger):
    # R08 (4,404 detained) is replaced by R14, said on 9 January but carried by its source on the
    # 9th too; R32b (766 held, 14 March) reached its source on the 15th: until then what it
    # replaces still stands.
    before = ledger.known_before("2022-03-15").claims.set_index("claim_id")
    assert "R32b" not in before.index
    assert before.at["R51a", "status"] == "active"
    after = ledger.known_before("2022-03-16").claims.set_index("claim_id")
    assert after.at["R51a", "status"] == "superseded"


def test_a_title_or_date_read_elsewhere_says_so_only_where_readers_need_it(ledger):
    """A date worked out from the text is marked in the readers' table; one read from the page's
    address or another copy of the report is as good as the page's and shown plainly."""
    from casualty_report.content import tables

    sources = ledger.sources.set_index("source_id")
    assert sources.at["S07", "title_from"] == "address" and sources.at["S07", "date_from"] == "inferred"
    shown = tables.sources(ledger.sources, "sources").frame.set_axis(ledger.sources["source_id"])
    assert shown.at["S07", "Published"] == "6 Jan 2022 (worked out from the text)"
    assert shown.at["S06", "Published"] == "6 Jan 2022"  # read on another stored copy
    assert shown.at["S07", "Title"] == "Kazakhstan security personnel death toll rises to 18: reports"
    missing = ledger.sources[(ledger.sources["title"] == "") | ledger.sources["published_on"].isna()]
    assert len(missing) == 16  # each listed, with the reason, in the event's README
