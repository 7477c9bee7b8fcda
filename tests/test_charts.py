"""Charts: pixel regressions (pytest-mpl hashes, with baseline images for diffs), what each
chart draws and says, text that never collides or leaves the figure, readability at phone
width, and byte-identical files. nbval never compares images, so these tests are the charts'
only guard."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # only here: notebooks must keep their inline backend

import io
from dataclasses import replace

import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle
from PIL import Image

from casualty_report.content.charts.style import (
    FILE_DPI,
    INK,
    SCREEN_DPI,
    drawn_texts,
    house_style,
    overlapping_texts,
    save_figure,
)
from tests import drawing

BLUE, VERMILLION, GREEN = "#0072b2", "#d55e00", "#009e73"
DASHED, DOTTED = (0, (3, 2)), (0, (1, 1.5))


def bars(chart, panel: int | None = None):
    """(width, fill colour or None when hollow, linestyle) of each bar segment, top to bottom."""
    axes = chart.figure.axes if panel is None else [chart.figure.axes[panel]]
    drawn = [
        p
        for ax in axes
        for p in sorted(ax.patches, key=lambda p: (p.get_y(), p.get_x()))
        if isinstance(p, Rectangle)
    ]
    return [
        (
            p.get_width(),
            None if p.get_facecolor()[3] == 0 else to_hex(p.get_facecolor()[:3]),
            p.get_linestyle(),
        )
        for p in drawn
    ]


def texts(chart, panel: int = 0):
    return [t.get_text() for t in chart.figure.axes[panel].texts]


def panel_titles(chart):
    return [ax.get_title(loc="left") for ax in chart.figure.axes]


@pytest.fixture(scope="module")
def article(ledger):
    """The ledger holding only the article's claims."""
    return replace(ledger, claims=ledger.claims[ledger.claims["source_id"] == "S01"].reset_index(drop=True))


@pytest.fixture(scope="module")
def article_day(ledger):
    """The whole ledger as known at the start of 10 January 2022."""
    return ledger.known_before("2022-01-10")


IMAGES = {
    "deaths": lambda ledger: drawing.death_tolls(ledger),
    "deaths-almaty": lambda ledger: drawing.death_tolls(ledger.in_scope("Almaty")),
    "deaths-as-of-article": lambda ledger: drawing.death_tolls(ledger.known_before("2022-01-10")),
    "injuries": lambda ledger: drawing.injuries(ledger),
    "arrests": lambda ledger: drawing.arrests(ledger),
    "no-figures": lambda ledger: drawing.arrests(ledger.in_scope("Taraz")),
    "death-toll-timeline": lambda ledger: drawing.toll_timeline(ledger),
    "death-toll-timeline-as-of-article": lambda ledger: drawing.toll_timeline(
        ledger.known_before("2022-01-10")
    ),
    "death-toll-timeline-almaty": lambda ledger: drawing.toll_timeline(ledger.in_scope("Almaty")),
    "detentions-timeline": lambda ledger: drawing.detentions_timeline(ledger),
    "detention-to-sentence": lambda ledger: drawing.steps(ledger),
}


@pytest.mark.parametrize("case", IMAGES)
@pytest.mark.mpl_image_compare
def test_chart_image(ledger, case):
    return IMAGES[case](ledger).figure


@pytest.fixture(scope="module")
def measured(ledger):
    """``measured(case)``: the case's chart, drawn once for the tests that only measure it
    (pytest-mpl's test above draws its own: it closes the figure it compares)."""
    drawn = {}

    def chart(case: str):
        if case not in drawn:
            drawn[case] = IMAGES[case](ledger)
        return drawn[case]

    return chart


@pytest.mark.parametrize("case", IMAGES)
def test_no_text_overlaps_another_or_leaves_the_figure(measured, case):
    """Measured on the drawn text's bounding boxes: titles, labels, ticks, annotations."""
    assert overlapping_texts(measured(case).figure) == []


@pytest.mark.parametrize("case", IMAGES)
def test_charts_stay_readable_at_phone_width(measured, case):
    """Shown 400 px wide, no text is smaller than 8 px (the figure is scaled down as a whole)."""
    figure = measured(case).figure
    scale = 400 / (figure.get_figwidth() * SCREEN_DPI)
    smallest = min(text.get_fontsize() * SCREEN_DPI / 72 * scale for text in drawn_texts(figure))
    assert smallest >= 8, smallest


@pytest.mark.parametrize("case", ["deaths", "injuries", "death-toll-timeline", "detention-to-sentence"])
def test_the_png_keeps_the_drawn_colours(measured, case):
    """Its 256 colours chosen by maximum coverage: white stays white and no pixel is more than 4
    levels from what was drawn (median cut, used before, moved some pixels of these by 38)."""
    chart = measured(case)
    buffer = io.BytesIO()
    with house_style():
        chart.figure.savefig(buffer, format="rgba", dpi=FILE_DPI)
    width = round(chart.figure.get_figwidth() * FILE_DPI)
    drawn = np.frombuffer(buffer.getvalue(), np.uint8).reshape(-1, width, 4)[..., :3].astype(int)
    saved = np.asarray(Image.open(io.BytesIO(chart.png)).convert("RGB")).astype(int)
    assert saved.shape == drawn.shape
    assert np.abs(saved - drawn).max() <= 4
    white = (drawn == 255).all(axis=2)
    assert white.mean() > 0.5 and (saved[white] == 255).all()


def test_the_overlap_check_finds_a_collision(ledger):
    """The check above must be able to fail: two labels drawn on top of each other."""
    chart = drawing.death_tolls(ledger)
    ax = chart.figure.axes[0]
    ax.text(0, 0, "238 238")
    ax.text(0, 0, "238 238")
    assert overlapping_texts(chart.figure)


def test_the_article_day_toll_chart_states_its_finding_and_date(article_day):
    chart = drawing.death_tolls(article_day)
    # 26 + 16 is the article's and our sum of two counts of parts: not set against the 164.
    assert chart.title == (
        "In Kazakhstan, the Health Ministry's withdrawn at least 164 and officials' disputed 26 'civilians' "
        "and 16 security personnel are not compared: officials gave counts of parts, and 42 is our "
        "sum of them, not a toll anyone gave"
    )
    assert chart.subtitle.startswith(
        "People killed in every place in the ledger: each side's latest count, "
        "as known at the start of 10 Jan 2022"
    )
    for key in ("Hollow dashed bars were withdrawn", "hatched bars are disputed", "▸ marks a lower bound"):
        assert key in chart.subtitle
    assert chart.source.startswith("Source: Officials and the Health Ministry, as published by 19FortyFive.")
    assert chart.alt_text == f"Chart: {chart.title}. {chart.subtitle}"
    assert panel_titles(chart) == ["Kazakhstan", "Almaty"]
    assert bars(chart) == [
        (26, BLUE, "solid"),  # A02, disputed: hatched
        (16, BLUE, "solid"),  # A03, stacked after A02
        (164, None, DASHED),  # A01 withdrawn: hollow, dashed
        (12, BLUE, "solid"),  # A09
        (103, None, DASHED),  # A04 withdrawn
    ]
    hatches = [
        p.get_hatch()
        for ax in chart.figure.axes
        for p in sorted(ax.patches, key=lambda p: (p.get_y(), p.get_x()))
    ]
    assert hatches == ["////", None, None, None, None]
    values = [
        t.get_text()
        for ax in chart.figure.axes
        for t in ax.texts
        if t.get_text()[0].isdigit() or t.get_text().startswith(("at", "doz"))
    ]
    assert "42 = 26 'civilians' + 16 security personnel (disputed)" in values
    assert "at least 164 (withdrawn)" in values
    assert "dozens of 'attackers' (counted as 12)" in values  # the vague word is kept, not a bare 12


def test_by_default_the_toll_chart_shows_the_latest_totals_with_their_dates(ledger):
    chart = drawing.death_tolls(ledger)
    # The Health Minister's 227 (18 Jan 2022) against officials' 225 as known that day (15 Jan),
    # not against a restatement a year later; Almaty: the ministry's withdrawn 103 against the
    # city's final count; Almaty region: officials counted only civilians there, drawn but not
    # compared.
    assert [width for width, _, _ in bars(chart)] == [225, 227, 151, 103, 8, 8]
    assert chart.title == (
        "In Kazakhstan, as known on 18 January 2022, the Health Ministry's 227 was 2 more than "
        "officials' 225 of 15 January 2022"
    )
    assert "as reported up to 17 Mar 2023" in chart.subtitle
    assert texts(chart)[:2] == ["Officials, 15 Jan 2022", "225 (superseded)"]
    assert "08info.kz" in chart.source and "claims A01" not in chart.source  # outlets, not internal ids


def test_a_scoped_chart_is_about_its_place(ledger):
    almaty = drawing.death_tolls(ledger.in_scope("Almaty"))
    assert (
        almaty.title == "The Health Ministry's withdrawn 103 was 48 fewer than the final count, 151"
    )  # both exact, and 151 is the city's final count
    assert almaty.subtitle.startswith("People killed in Almaty")
    timeline = drawing.toll_timeline(ledger.in_scope("Almaty"))
    assert "in Almaty" in timeline.subtitle and timeline.title.startswith("Officials' count of people dead")


def test_injuries_and_arrests_give_each_measure_its_own_panel(ledger, article):
    arrests = drawing.arrests(ledger)
    # One measure per axis, the most reported first.
    assert panel_titles(arrests) == ["Detained", "Held", "Convicted", "Arrested"]  # each kept past the cap
    assert arrests.title.startswith("Latest figures: about 12,000 detained (12\u00a0Jan\u00a02022)")
    # Past 24 bars every panel keeps its latest ones: the 'about 10,000 arrested' the title names
    # is drawn, not cut with the last panel.
    assert "(24 of 29, the latest of each kind; the table lists them all)" in arrests.subtitle
    assert "about 10,000 arrested" in arrests.title and "about 10,000" in texts(arrests, panel=3)
    injuries = drawing.injuries(article)
    assert [(width, colour) for width, colour, _ in bars(injuries)] == [
        (2200, VERMILLION),
        (1300, VERMILLION),
    ]
    assert panel_titles(injuries) == ["Treated"]
    assert [t for t in texts(injuries) if t.endswith(")")] == ["2,200 (disputed)", "1,300 (disputed)"]
    article_arrests = drawing.arrests(article)
    assert bars(article_arrests) == [(5800, BLUE, "solid")]
    assert "over 5,800 (disputed)" in texts(article_arrests)


def test_the_death_toll_timeline_labels_each_change_once(ledger):
    chart = drawing.toll_timeline(ledger)
    early, late = chart.figure.axes
    shown = [t.get_text() for ax in (early, late) for t in ax.texts if t.get_visible()]
    assert shown.count("238") <= 2  # once per group that reached it, not at every repeat
    # Counts of everyone only: the article's 26 + 16 is a sum of parts, not a point.
    assert {"44+", "164+", "225", "227", "238", "≈240", "188+", "221+"} <= set(shown) and "42" not in shown
    assert chart.title == (
        "Officials' count of people dead rose from 225 to the final count, 238; the Health "
        "Ministry's withdrawn “at least 164” was at most 74 fewer than it"
    )
    final = [line for ax in (early, late) for line in ax.lines if list(line.get_ydata()) == [238, 238]]
    assert final, "the final count is drawn as a dashed line"
    retracted = [line for ax in (early, late) for line in ax.lines if line.get_markerfacecolor() == "white"]
    assert {(line.get_ydata()[0], line.get_color()) for line in retracted} == {(164, "#D55E00")}
    # the cut in the time axis is marked on both panels
    assert sum(1 for ax in (early, late) for line in ax.lines if line.get_transform() == ax.transAxes) == 4


def test_the_detentions_timeline_follows_arrests_as_detentions(ledger):
    """February's 'about 10,000 arrests' counts the people officials counted as detained: it is
    the officials' latest, drawn after a break in the time axis."""
    chart = drawing.detentions_timeline(ledger)
    assert len(chart.figure.axes) == 2  # January, then a break, then February
    values = sorted(
        {
            int(line.get_ydata()[0])
            for ax in chart.figure.axes
            for line in ax.lines
            if len(line.get_ydata()) == 1
        }
    )
    assert values == [2298, 3811, 4266, 4404, 5135, 5800, 5969, 7939, 9900, 10000, 12000]
    # EFE's about 10,000 is its own figure, not officials': their count ends at 9,900.
    assert chart.title == "Officials' count of people detained rose from 2,298 to 9,900"
    labels = {t.get_text() for ax in chart.figure.axes for t in ax.texts if t.get_visible()}
    # (on 9 January four figures crowd one day: the 5,800 keeps its point, its label gives way)
    assert {"≈12,000", "≈10,000", "5,135+", "5,969+"} <= labels  # "about" and "at least" kept on the points


def test_a_place_with_no_figures_says_so(ledger):
    chart = drawing.arrests(ledger.in_scope("Taraz"))
    assert "detained, held or convicted in Taraz, as reported up to 5 Jan 2023" in chart.subtitle
    assert bars(chart) == []
    assert texts(chart) == ["No figures for this place in the ledger."]
    assert chart.source == "Source: no claims in the ledger for this view."


def test_the_ambient_style_does_not_leak_into_charts(ledger):
    with matplotlib.style.context("dark_background"):
        dark = drawing.death_tolls(ledger).figure
    assert to_hex(dark.get_facecolor()) == "#ffffff"
    assert dark.texts[0].get_color() == INK


def test_a_chart_shows_in_a_notebook_as_a_png_with_its_alt_text(ledger):
    chart = drawing.death_tolls(ledger)
    data, metadata = chart._repr_mimebundle_()
    assert data["text/plain"] == chart.alt_text == repr(chart)
    assert metadata["image/png"] == {"alt": chart.alt_text, "width": 600}
    assert metadata["casualty_report/chart"]["name"] == "death-tolls"
    import base64

    assert base64.b64decode(data["image/png"]) == chart.png  # the same bytes as the file


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_saved_files_are_byte_identical(ledger, tmp_path, fmt):
    first = save_figure(drawing.death_tolls(ledger), tmp_path / "a", formats=[fmt])[0]
    second = save_figure(drawing.death_tolls(ledger), tmp_path / "b", formats=[fmt])[0]
    assert first.name == f"death-tolls.{fmt}"
    assert first.read_bytes() == second.read_bytes()
    assert b"Matplotlib v" not in first.read_bytes()  # no version stamp to churn


def test_drawing_again_changes_nothing(ledger):
    """A layout that moved on each draw once made every saved file depend on how often the
    figure had been drawn before."""
    import io

    fig = drawing.death_tolls(ledger).figure
    renders = []
    for _ in range(3):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
        renders.append(buffer.getvalue())
    assert renders[0] == renders[1] == renders[2]


def test_saved_png_is_one_and_a_half_times_the_page_width(article, tmp_path):
    png = save_figure(drawing.injuries(article), tmp_path, formats=["png"])[0]
    header = png.read_bytes()[16:24]
    assert int.from_bytes(header[:4], "big") == 900  # 600 px on the page, sharp at 1.5x


def test_an_unknown_format_is_refused(ledger, tmp_path):
    with pytest.raises(ValueError, match="unknown figure format"):
        save_figure(drawing.injuries(ledger), tmp_path, formats=["gif"])


def test_ledger_text_with_dollar_signs_is_drawn_as_written(ledger):
    """Two '$' would start matplotlib's mathtext: '$5 or $6' must not become maths."""
    from matplotlib import cbook

    sources = ledger.sources.assign(
        outlet=ledger.sources["outlet"].where(ledger.sources["source_id"] != "S57", "Money $5 or $6")
    )
    chart = drawing.death_tolls(replace(ledger, sources=sources))
    assert "Money $5 or $6" in chart.source  # the words, as the ledger has them
    drawn = chart.figure.texts[-1].get_text()
    assert "$5" in drawn.replace("\\$", "$") and not cbook.is_math_text(drawn)


def test_the_steps_chart_shares_a_scale_for_people_not_for_cases(ledger):
    chart = drawing.steps(ledger)
    assert (
        chart.title
        == "About 10,000 detained by 21\u00a0Feb\u00a02022; 1,205 convicted by 5\u00a0Jan\u00a02023"
    )
    panels = {ax.get_title(loc="left"): ax.get_xlim()[1] for ax in chart.figure.axes}
    people = [panels[name] for name in ("Detained", "Held by court order", "Convicted")]
    assert len(set(people)) == 1  # 802 held looks a twelfth of 10,000 detained
    assert panels["Criminal cases"] != people[0]
    assert "counts of cases have their own" in chart.subtitle


def test_timelines_name_each_series_beside_it_not_in_a_colour_key(ledger):
    """Each claimant group is named by one of its points, in its colour; the subtitle decodes
    marks, not colours."""
    chart = drawing.toll_timeline(ledger.in_scope("Kazakhstan"))
    names = {
        t.get_text(): matplotlib.colors.to_hex(t.get_color())
        for ax in chart.figure.axes
        for t in ax.texts
        if t.get_visible() and t.get_text()[0].isalpha()
    }
    assert names == {
        "Officials": "#0072b2",
        "Health Ministry": "#d55e00",
        "Independent counts": "#009e73",
    }  # (the UN rights chief's figure turned out to be RFE/RL's own words: no international body counted)
    assert "Blue" not in chart.subtitle and "orange" not in chart.subtitle


#: On a 390 px phone a chart is shown about 358 px wide (the page keeps 1rem each side).
PHONE_SHOWN = 358


@pytest.mark.parametrize(
    "case",
    [
        "death-toll-timeline",
        "death-toll-timeline-as-of-article",
        "death-toll-timeline-almaty",
        "detentions-timeline",
    ],
)
def test_the_front_pages_charts_have_a_phone_drawing_whose_type_reads_at_11_px(measured, case):
    """The front page's charts carry a second drawing, 3.6 in wide, that phones are given: the
    type keeps its size, so at 358 px no text is under 11 px, and nothing collides."""
    phone = measured(case).phone
    assert phone is not None and phone.figure.get_figwidth() == 3.6
    scale = PHONE_SHOWN / (phone.figure.get_figwidth() * SCREEN_DPI)
    smallest = min(text.get_fontsize() * SCREEN_DPI / 72 * scale for text in drawn_texts(phone.figure))
    assert smallest >= 11, smallest
    assert overlapping_texts(phone.figure) == []
    assert (phone.title, phone.data) == (measured(case).title, measured(case).data)


def test_the_bar_cap_keeps_each_panels_latest_and_never_draws_an_empty_panel():
    from casualty_report.content.charts.bars import _latest_of_each

    panels = [("a", [1, 2, 3, 4]), ("b", [5, 6]), ("c", [7])]
    assert _latest_of_each(panels, 5) == [("a", [3, 4]), ("b", [5, 6]), ("c", [7])]
    many = [(str(n), [n]) for n in range(195)]  # a place per panel, as a 10,000-claim ledger has
    kept = _latest_of_each(many, 24)
    assert len(kept) == 24 and all(bars for _, bars in kept)  # 195 empty axes took 15 s to lay out
