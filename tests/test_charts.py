"""Charts: pixel regressions (pytest-mpl hashes, with baseline images for diffs), what each
chart draws, and byte-identical files. nbval never compares images, so these tests are the
charts' only guard."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # only here: notebooks must keep their inline backend

import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from dataclasses import replace  # noqa: E402

from casualty_report import charts  # noqa: E402


def bars(fig):
    """(width, fill colour or None when hollow, linestyle) of each bar segment, top to bottom."""
    ax = fig.axes[0]
    drawn = [p for p in ax.patches if isinstance(p, Rectangle)]
    return [
        (p.get_width(), None if p.get_facecolor()[3] == 0 else to_hex(p.get_facecolor()[:3]), p.get_linestyle())
        for p in sorted(drawn, key=lambda p: (p.get_y(), p.get_x()))
    ]


def texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


@pytest.fixture(scope="module")
def article(ledger):
    """The ledger holding only the article's claims."""
    return replace(ledger, claims=ledger.claims[ledger.claims["source_id"] == "S01"].reset_index(drop=True))


@pytest.fixture(scope="module")
def article_day(ledger):
    """The whole ledger as known at the start of 10 January 2022."""
    return ledger.known_before("2022-01-10")


IMAGES = {
    "deaths": lambda ledger: charts.death_toll_chart(ledger),
    "deaths-almaty": lambda ledger: charts.death_toll_chart(ledger, "Almaty"),
    "deaths-as-of-article": lambda ledger: charts.death_toll_chart(ledger.known_before("2022-01-10")),
    "injuries": lambda ledger: charts.injuries_chart(ledger),
    "arrests": lambda ledger: charts.arrests_chart(ledger),
    "no-figures": lambda ledger: charts.arrests_chart(ledger, "Taraz"),
    "death-toll-timeline": lambda ledger: charts.death_toll_timeline_chart(ledger),
    "death-toll-timeline-as-of-article": lambda ledger: charts.death_toll_timeline_chart(ledger.known_before("2022-01-10")),
    "detentions-timeline": lambda ledger: charts.detentions_timeline_chart(ledger),
}


@pytest.mark.parametrize("case", IMAGES)
@pytest.mark.mpl_image_compare
def test_chart_image(ledger, case):
    return IMAGES[case](ledger)


BLUE, VERMILLION = "#0072b2", "#d55e00"
DASHED = (0, (3, 2))


def test_death_toll_chart_draws_each_claim_with_its_status(article_day):
    fig = charts.death_toll_chart(article_day)
    assert bars(fig) == [
        (26, BLUE, "solid"),  # A02, disputed: hatched
        (16, BLUE, "solid"),  # A03, stacked after A02
        (164, None, DASHED),  # A01 retracted: hollow, dashed
        (12, BLUE, "solid"),  # A09
        (103, None, DASHED),  # A04 retracted
    ]
    hatches = [p.get_hatch() for p in sorted(fig.axes[0].patches, key=lambda p: (p.get_y(), p.get_x()))]
    assert hatches == ["////", None, None, None, None]
    assert texts(fig)[:4] == [
        "42 = 26 'civilians' + 16 security forces (disputed)",
        "at least 164 (retracted)",
        "at least 12 'attackers'",
        "103 (retracted)",
    ]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Officials", "Health Ministry"] * 2


def test_charts_carry_title_key_and_sources(article_day):
    fig = charts.death_toll_chart(article_day)
    title, subtitle, source = (t.get_text() for t in fig.texts)
    assert title == "Death tolls: officials against the Health Ministry"
    for key in ("Hollow dashed bars were retracted", "hatched bars are disputed", "▸ marks a lower bound"):
        assert key in subtitle.replace("\n", " ")
    assert source == (
        "Source: 19FortyFive, 9 Jan 2022 (S01). Figures: claims A01, A02, A03, A04, A09 of the kazakhstan-2022-01 ledger."
    )


def test_by_default_the_death_toll_chart_shows_the_latest_totals(ledger):
    fig = charts.death_toll_chart(ledger)
    assert [width for width, _, _ in bars(fig)] == [238, 164, 151, 103]
    assert texts(fig)[:4] == ["238", "at least 164 (retracted)", "151", "103 (retracted)"]
    assert "12 publications" not in fig.texts[-1].get_text()  # few sources: named one by one


def test_injuries_and_arrests_draw_one_bar_per_claim(article):
    injuries = charts.injuries_chart(article)
    assert [(width, colour) for width, colour, _ in bars(injuries)] == [(2200, VERMILLION), (1300, VERMILLION)]
    assert texts(injuries)[:2] == ["2,200 (disputed)", "1,300 (disputed)"]
    arrests = charts.arrests_chart(article)
    assert [(width, colour) for width, colour, _ in bars(arrests)] == [(5800, BLUE)]
    assert texts(arrests)[0] == "over 5,800 (disputed)"
    assert "Almaty" in texts(arrests)


def test_bar_charts_grow_with_their_bars(ledger, article):
    assert charts.injuries_chart(article).get_size_inches().tolist() == [8.0, 4.5]
    assert charts.injuries_chart(ledger).get_size_inches().tolist() == pytest.approx([8.0, 1.9 + 0.27 * 18 + 0.35 * 2])


def test_the_death_toll_timeline_draws_every_total_and_the_estimate(ledger):
    fig = charts.death_toll_timeline_chart(ledger)
    early, late = fig.axes
    labels = {t.get_text() for ax in (early, late) for t in ax.texts}
    assert labels == {"42", "44+", "164+", "225", "240", "230", "232", "241", "238", "188", "221", "238+",
                      "latest estimate: 238"}  # fmt: skip
    retracted = [line for ax in (early, late) for line in ax.lines if line.get_markerfacecolor() == "white"]
    assert {(line.get_ydata()[0], line.get_color()) for line in retracted} == {(164, "#D55E00")}


def test_the_detentions_timeline_is_one_panel_of_eight_reports(ledger):
    fig = charts.detentions_timeline_chart(ledger)
    assert len(fig.axes) == 1
    values = sorted({int(line.get_ydata()[0]) for line in fig.axes[0].lines if len(line.get_ydata()) == 1})
    assert values == [2298, 3811, 4404, 5135, 5800, 7939, 9900, 12000]


def test_a_place_with_no_figures_says_so(ledger):
    fig = charts.arrests_chart(ledger, "Taraz")
    assert bars(fig) == []
    assert texts(fig) == ["No figures for this place in the ledger."]
    assert fig.texts[-1].get_text() == "No claims drawn from the kazakhstan-2022-01 ledger."


def test_the_ambient_style_does_not_leak_into_charts(ledger):
    with matplotlib.style.context("dark_background"):
        dark = charts.death_toll_chart(ledger)
    assert to_hex(dark.get_facecolor()) == "#ffffff"
    assert dark.texts[0].get_color() == charts.INK


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_saved_files_are_byte_identical(ledger, tmp_path, fmt):
    first = charts.save_figure(charts.death_toll_chart(ledger), tmp_path / "a", "deaths", [fmt])[0]
    second = charts.save_figure(charts.death_toll_chart(ledger), tmp_path / "b", "deaths", [fmt])[0]
    assert first.read_bytes() == second.read_bytes()
    assert b"Matplotlib v" not in first.read_bytes()  # no version stamp to churn


def test_drawing_again_changes_nothing(ledger):
    """A layout that moved on each draw once made every saved file depend on how often the
    figure had been drawn before."""
    import io

    fig = charts.death_toll_chart(ledger)
    renders = []
    for _ in range(3):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
        renders.append(buffer.getvalue())
    assert renders[0] == renders[1] == renders[2]


def test_saved_png_has_the_fixed_size(article, tmp_path):
    png = charts.save_figure(charts.injuries_chart(article), tmp_path, "injuries", ["png"])[0]
    header = png.read_bytes()[16:24]
    assert (int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")) == (1600, 900)


def test_an_unknown_format_is_refused(ledger, tmp_path):
    with pytest.raises(ValueError, match="unknown figure format"):
        charts.save_figure(charts.injuries_chart(ledger), tmp_path, "x", ["gif"])
