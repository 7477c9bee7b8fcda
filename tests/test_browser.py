"""The published report read as a reader reads it: in headless Chromium, offline, at a laptop's
width (1280 CSS px) and a phone's (390), and printed.

Every page of one real render (the site's top index, the run's front page, each ``NN-*.html``
notebook page) must show, at both widths: no markup or stylesheet as text; exactly one ``h1``,
its title; a header row on every table; alt text of its own on every image, each decoded from
the page itself; nothing scrolling sideways (and, for phones, a device-width viewport); links
that lead somewhere; no request leaving the site; no serious or critical axe-core violation.
Each (page, width) is one test that fails naming every problem found. Printing leaves
navigation out; the front page is printed to build/screenshots/report.pdf, and with
``--screenshots`` (``make screenshots``) every page is saved there at both widths, for people
to look at. The checks are first run on a page that passes them all and on copies of it broken
one way each, so a check that stops catching its fault fails.

Why: the notebooks' tests compare cells, not what a browser shows; an escaping or template change
can print raw ``<h1>`` tags, drop a table's header row or widen a page past a phone while every
other test passes. One ``h1``, not "at least one": it is the title a screen reader announces and
lists first, and a second one (a cell's ``#`` meant as ``##``, a banner above the title) flattens
the outline readers navigate by.

CI installs Chromium (.ci/run), so there a missing browser fails the tests; elsewhere they skip
with the reason, since installing a browser needs root.
"""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path

import pytest

from casualty_report.paths import NOTEBOOKS_DIR, REPO_ROOT

from . import browser_checks as checks

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = REPO_ROOT / "build" / "screenshots"
#: Viewport width -> height, CSS px: a laptop and a phone.
VIEWPORTS = {1280: 800, 390: 844}
#: A run publishes a page per notebook; the run folder is checked against this list, which has to
#: be known before the render to name the tests.
NOTEBOOK_PAGES = sorted(f"{path.stem}.html" for path in NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))
MIN_NOTEBOOK_PAGES = 5
#: Page key (test id and screenshot name) -> the page, from the run folder: the default set's, or
#: "<set>:" another shared set's (the second real event's front and comparison pages).
PAGES = (
    {"site-index": "../index.html", "index": "index.html"}
    | {Path(n).stem: n for n in NOTEBOOK_PAGES}
    | {
        "second-event-index": "karakalpakstan:index.html",
        "second-event-02-compare-death-tolls": "karakalpakstan:02-compare-death-tolls.html",
    }
)
#: An image at least this big is a chart (width, height in pixels).
CHART_SIZE = (600, 300)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if CHROMIUM is None or sync_playwright is None:
        missing = "Chromium (apt-get install chromium)" if CHROMIUM is None else "playwright (pip)"
        if os.environ.get("CI"):
            pytest.fail(f"{missing} is missing in CI: .ci/run must install it")
        pytest.skip(f"{missing} is not installed here; CI runs this test")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--disable-background-timer-throttling",
                "--disable-renderer-backgrounding",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def tabs(browser):
    """A tab per viewport width, reused for every page."""
    tabs = {width: checks.Tab(browser) for width in VIEWPORTS}
    yield tabs
    for tab in tabs.values():
        tab.close()


@pytest.fixture(scope="module")
def tab(tabs):
    return tabs[max(VIEWPORTS)]


@pytest.fixture(scope="module")
def axe():
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("axe-playwright-python is missing in CI: install the dev requirements")
        pytest.skip("axe-playwright-python is not installed here; CI runs this test")
    return Axe()


# The checks, on a page that passes them all and on copies of it broken one way each. The clean
# page's second chart loads lazily, below the fold: it must count as loaded, as a reader sees it.
PIXEL = (  # a 1x1 PNG
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
HEADER_ROW = '<thead><tr><th scope="col">place</th><th scope="col">deaths</th></tr></thead>'
TABLE = f'<table>{HEADER_ROW}<tbody><tr><th scope="row">Almaty</th><td>151</td></tr></tbody></table>'
CLEAN = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">\
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Deaths by place</title>
<style>img {{ max-width: 100%; height: auto }} \
@media print {{ nav, .no-print {{ display: none }} }}</style></head>
<body><nav aria-label="Pages"><a href="other.html">The other page</a></nav>
<main><h1 id="title">Deaths by place<a href="#title">¶</a></h1>
<p>Officials' latest toll was 238 across the country and 151 in Almaty; \
the Health Ministry's was lower in both.</p>
{TABLE}
<img src="{PIXEL}" width="820" height="400" alt="Chart: deaths by place.">
<div style="height: 3000px"></div>\
<img src="pixel.png" loading="lazy" width="820" height="400" alt="Chart: by date.">
</main></body></html>
"""
#: The table in a box that scrolls sideways, its figure past a phone's right edge.
SCROLLED_TABLE = (
    '<div style="overflow-x: auto">' + TABLE.replace("<td>151", '<td style="min-width: 500px">151') + "</div>"
)
#: A cell whose content hangs below it, over the next row (a label taller than its value did).
SPILLING_CELL = '<td style="position: relative"><span style="position: absolute">a<br>b<br>c</span>151'
NO_TH = "<table><tr><td>place</td><td>deaths</td></tr><tr><td>Almaty</td><td>151</td></tr></table>"
FAULTS = {  # name: (text in CLEAN, its replacement, the check that must catch it, words it must say)
    "markup-as-text": (
        "<p>Officials'",
        "<p>&lt;p&gt;Officials'",
        "text",
        "markup shown as text: 1 tags (<p x1",
    ),
    "dataframe-css": (
        "</main>",
        "<div>.dataframe tbody tr th { top: 0 }</div></main>",
        "text",
        ".dataframe CSS",
    ),
    "no-content": ("<p>Officials'", "<p hidden>Officials'", "text", "characters of visible text"),
    "no-h1": ('<h1 id="title">Deaths by place<a href="#title">¶</a></h1>', "", "h1", "0 h1 elements"),
    "two-h1": ("</main>", "<h1>Deaths by date</h1></main>", "h1", "2 h1 elements"),
    "empty-h1": ("Deaths by place<a", "<a", "h1", "the h1 is empty"),
    "table-lost-its-header-row": (
        HEADER_ROW,
        "",
        "tables",
        "no header row; its first row is [th:Almaty | td:151]",
    ),
    "table-without-th": (TABLE, NO_TH, "tables", "has no header cells (th)"),
    "cells-out-of-view": (TABLE, SCROLLED_TABLE, "tables", "1 of its 2 cells are out of view"),
    "cell-spills-down": ("<td>151", SPILLING_CELL, "tables", "1 of its 2 cells are out of view"),
    "placeholder-alt": ("Chart: deaths by place.", checks.PLACEHOLDER_ALT, "images", "placeholder alt text"),
    "no-alt": (' alt="Chart: deaths by place."', "", "images", "has no alt text"),
    "image-not-loaded": (PIXEL, "figures/missing.png", "images", "did not load"),
    "wide-block": ("</main>", '<pre style="width: 600px">wide</pre></main>', "scroll", "<pre> 600px wide"),
    "image-wider-than-phone": ("max-width: 100%", "min-width: 0", "scroll", "<img> 820px wide"),
    "no-viewport-meta": (
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "",
        "viewport",
        "got None",
    ),
    "missing-page": ('href="other.html"', 'href="gone.html"', "links", "gone.html"),
    "missing-anchor": ('href="#title"', 'href="#nowhere"', "links", "#nowhere"),
    "external-image": (PIXEL, "https://example.com/chart.png", "network", "https://example.com/chart.png"),
    "file-outside-site": (
        "</head>",
        '<link rel="stylesheet" href="../outside.css"></head>',
        "network",
        "outside.css",
    ),
    "fetch": (
        "</main>",
        '<script>fetch("https://example.com/a.json").catch(() => {})</script></main>',
        "network",
        "https://example.com/a.json",
    ),
    "web-socket": (
        "</main>",
        '<script>new WebSocket("wss://example.com/")</script></main>',
        "network",
        "wss://example.com/",
    ),
    "low-contrast": (
        "<p>Officials'",
        '<p style="color: #bbb">Officials\'',
        "axe",
        "color-contrast (serious): ",
    ),
    "printed-nav": ("@media print", "@media speech", "print", '<nav> "The other page"'),
    "claim-id": ("238 across", "238 (R37a) across", "words", "'R37a' x1"),
    "slug-in-title": (
        "<title>Deaths by place",
        "<title>02-compare-death-tolls",
        "words",
        "'02-compare-death-tolls'",
    ),
    "parameter-name": ("in Almaty;", "in Almaty (as_of);", "words", "'as_of' x1"),
}


def read_made_page(tab, tmp_path: Path, html: str, axe=None, media: str = "screen") -> dict[str, list[str]]:
    """Every check's problems on ``html``, opened at phone width as page.html of a site folder."""
    site = tmp_path / "site"
    site.mkdir(parents=True)
    (site / "other.html").write_text(CLEAN)
    (site / "pixel.png").write_bytes(base64.b64decode(PIXEL.removeprefix("data:image/png;base64,")))
    (tmp_path / "outside.css").write_text("p { color: black }")
    (site / "page.html").write_text(html)
    page, left = tab.open(site / "page.html", site=site, width=390, height=VIEWPORTS[390], media=media)
    found = checks.problems(page, left, axe.run(page).response if axe else None)
    found["print"] = checks.printed_chrome(page) if media == "print" else []
    return found


def test_a_clean_page_passes_every_check(tab, axe, tmp_path):
    found = read_made_page(tab, tmp_path / "screen", CLEAN, axe=axe)
    assert not any(found.values()), checks.report("the clean page", found)
    assert read_made_page(tab, tmp_path / "print", CLEAN, media="print")["print"] == []


@pytest.mark.parametrize("fault", FAULTS)
def test_each_check_catches_its_fault(tab, axe, tmp_path, fault):
    old, new, check, says = FAULTS[fault]
    assert old in CLEAN
    media = "print" if check == "print" else "screen"
    audit = axe if check == "axe" else None  # axe costs more than the other checks together
    found = read_made_page(tab, tmp_path, CLEAN.replace(old, new), axe=audit, media=media)
    assert found[check], f"the {check} check missed {fault}: {found}"
    assert any(says in problem for problem in found[check]), f"{fault}: {says!r} is not in {found[check]}"


# The published pages.
def locate(shared_runs: dict[str, Path], key: str) -> Path:
    run, _, page = PAGES[key].rpartition(":")
    return (shared_runs[run or "default"] / page).resolve()


@pytest.fixture(scope="module")
def read(tabs, axe, published, shared_runs, pytestconfig):
    """``read(key)``: the page's problems and axe result at every width, read once, all widths at
    once (the audits take most of the time, and run side by side in their tabs). With
    ``--screenshots`` (``make screenshots``), a full-page screenshot of each, for people."""
    readings = {}
    screenshots = pytestconfig.getoption("screenshots")

    def read(key: str) -> dict[int, checks.Reading]:
        if key not in readings:
            path = locate(shared_runs, key)
            assert path.exists(), f"{path} was not published"
            # JPEG: half the time of a PNG of a page this long.
            shots = {width: SCREENSHOTS / f"{key}-{width}.jpg" for width in VIEWPORTS} if screenshots else {}
            readings[key] = checks.read_at_widths(tabs, path, published.parent, VIEWPORTS, axe, shots)
        return readings[key]

    return read


def test_the_run_has_a_page_per_notebook(published):
    pages = sorted(path.name for path in published.glob("[0-9][0-9]-*.html"))
    assert len(pages) >= MIN_NOTEBOOK_PAGES, f"{len(pages)} notebook pages in {published}: {pages}"
    assert pages == NOTEBOOK_PAGES, "the run's pages are not the notebooks', which name the tests below"


@pytest.mark.parametrize(
    ("key", "width"),
    [pytest.param(key, width, id=f"{key}-{width}px") for key in PAGES for width in VIEWPORTS],
)
def test_the_page_reads_well(read, key, width):
    found, audit, _ = read(key)[width]
    failed = {check: listed for check, listed in found.items() if listed}
    if failed:  # one message naming every problem (an assert would repeat it all as a dict)
        others = checks.axe_summary(audit, impacts=("moderate", "minor", None))
        note = f"\n  (axe, not failing: {', '.join(others)})" if others else ""
        pytest.fail(checks.report(f"{PAGES[key]} at {width}px", failed) + note, pytrace=False)


def test_the_notebook_pages_show_every_chart(read, published):
    """Charts are drawn, decoded, on the pages themselves: at least one per figure the run saved."""
    # (a chart's drawing for phones is the same chart: not a figure of its own)
    figures = sorted(
        path.stem for path in (published / "figures").glob("*.png") if not path.stem.endswith("-phone")
    )
    assert figures, "the run saved no figures"
    shown = {
        name: sum(
            image["complete"] and image["width"] >= CHART_SIZE[0] and image["height"] >= CHART_SIZE[1]
            for image in read(Path(name).stem)[max(VIEWPORTS)].facts["images"]
        )
        for name in NOTEBOOK_PAGES
    }
    assert sum(shown.values()) >= len(figures), f"charts shown {shown}, for {len(figures)} figures: {figures}"


@pytest.mark.parametrize("key", PAGES)
def test_printing_leaves_out_navigation(tab, published, shared_runs, key):
    page, left = tab.open(locate(shared_runs, key), site=published.parent, media="print")
    printed = checks.printed_chrome(page)
    assert left == [], f"requests left the page: {left}"
    assert printed == [], f"{PAGES[key]} prints its navigation (nav, .no-print): {printed}"


def test_the_front_page_prints_to_pdf(tab, published):
    page, left = tab.open(published / "index.html", site=published.parent, media="print")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf = SCREENSHOTS / "report.pdf"
    pdf.unlink(missing_ok=True)
    printed = checks.printed_chrome(page)
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert left == [], f"requests left the page: {left}"
    assert printed == [], f"the printed front page shows its navigation (nav, .no-print): {printed}"
    assert pdf.exists(), f"Chromium wrote no {pdf}"
    assert checks.pdf_pages(pdf.read_bytes()) >= 1, f"{pdf} has no pages"


#: The front page tells the story in half a minute: about four screens at most on a laptop.
FRONT_PAGE_MAX_HEIGHT = 6000
FRONT_PAGE_MAX_CHARTS = 3


@pytest.mark.parametrize("key", ["index", "second-event-index"])
def test_the_front_page_is_short_and_opens_with_its_findings(read, key):
    facts = read(key)[1280].facts
    assert facts["height"] <= FRONT_PAGE_MAX_HEIGHT, f"the front page is {facts['height']}px tall at 1280px"
    charts = [image for image in facts["images"] if image["width"] >= CHART_SIZE[0]]
    assert 1 <= len(charts) <= FRONT_PAGE_MAX_CHARTS, charts
    assert facts["text"].index("What we found") < facts["text"].index("The details, page by page")
    # A phone is given each chart drawn for it: 3.6 in, 540 px in the file, its type at 11 px or more.
    phone = [image for image in read(key)[390].facts["images"] if image["width"] >= 500]
    assert phone and all(image["width"] == 540 for image in phone), phone


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_the_claims_table_sorts_and_filters_in_the_page(tabs, published, shared_runs, width):
    """issue 21: the script the page ships (no network) puts a menu per place, kind of count and
    claimant and an order over each claims table; hidden rows stay hidden on a phone, where rows
    are cards; and the line under the menus says how many are shown."""
    page, left = tabs[width].open(locate(shared_runs, "01-build-claim-tables"), published.parent, width)
    assert not left
    tools = page.locator("#table-deaths").locator(
        "xpath=preceding-sibling::div[@class='table-tools no-print'][1]"
    )
    # Every menu within the column: a long claimant's name once pushed one past a phone's edge.
    overflow = page.evaluate(
        "Array.from(document.querySelectorAll('.table-tools select')).filter(s =>"
        " s.getBoundingClientRect().right > s.closest('.table-tools').getBoundingClientRect().right + 0.5)"
        ".length"
    )
    assert overflow == 0
    place = tools.get_by_label("Place:")
    place.select_option("Almaty")
    tools.get_by_label("Order:").select_option("Figure:desc")
    shown = page.evaluate(
        "Array.from(document.querySelectorAll('#table-deaths tbody tr')).filter(r => r.offsetParent !== null)"
        ".map(r => [r.cells[1].textContent.trim(), r.cells[2].textContent.trim(),"
        " parseInt(r.cells[3].textContent.replace(/\\D/g, ''), 10)])"
    )
    total = page.locator("#table-deaths tbody tr").count()
    assert shown and {where for where, _, _ in shown} == {"Almaty"}
    for kind in {kind for _, kind, _ in shown}:  # largest first within each kind of count
        figures = [figure for _, k, figure in shown if k == kind]
        assert figures == sorted(figures, reverse=True), kind
    assert tools.locator(".table-status").inner_text() == (
        f"Showing {len(shown)} of {total} figures, largest first within each kind of count."
    )
    place.select_option("")  # all again: every row back
    assert page.evaluate("document.querySelectorAll('#table-deaths tbody tr[hidden]').length") == 0
    # Sizes are compared within one kind of count: tenge paid never sit among people convicted.
    justice = page.locator("#table-justice").locator(
        "xpath=preceding-sibling::div[@class='table-tools no-print'][1]"
    )
    justice.get_by_label("Order:").select_option("Figure:desc")
    ordered = page.evaluate(
        "(() => { const t = document.querySelector('#table-justice table')"
        " || document.querySelector('table#table-justice');"
        " const at = Array.from(t.querySelectorAll('thead th')).map(h => h.textContent.trim());"
        " return Array.from(t.tBodies[0].rows).map(r => [r.cells[at.indexOf('Counted')].textContent.trim(),"
        " ((m) => m ? parseInt(m[0], 10) : -1)("
        "r.cells[at.indexOf('Figure')].textContent.replace(/,/g, '').match(/\\d+/))]); })()"
    )
    kinds = [kind for kind, _ in ordered]
    assert len(set(kinds)) > 2 and any("tenge" in kind for kind in kinds)
    runs = [kind for i, kind in enumerate(kinds) if i == 0 or kinds[i - 1] != kind]
    assert len(runs) == len(set(kinds)), runs  # each kind of count together
    for kind in set(kinds):
        figures = [figure for k, figure in ordered if k == kind]
        assert figures == sorted(figures, reverse=True), kind


def test_without_script_the_claims_table_reads_whole(browser, published, shared_runs):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(locate(shared_runs, "01-build-claim-tables").as_uri())
        assert page.locator(".table-tools").count() == 0
        rows = page.locator("#table-deaths tbody tr")
        assert rows.count() > 20 and page.locator("#table-deaths tbody tr[hidden]").count() == 0
    finally:
        context.close()
