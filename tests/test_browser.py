"""The published report read as a reader reads it: in headless Chromium, offline, on a laptop and
a phone, and printed.

Each page of one real render (the site's top index, the run's front page and every ``NN-*.html``
notebook page) is opened at 1280 and 390 CSS px with the network blocked, and must show: no
markup or stylesheet as text; one ``h1``, its title; a header row on every table; real alt text
on every image, each decoded from the page itself; nothing scrolling sideways; links that lead
somewhere; no request leaving the site; and no serious or critical axe-core violation. Each
(page, width) is one test that reports every failed check at once. Full-page screenshots go to
build/screenshots/ for a person to look at; the front page is also printed to
build/screenshots/report.pdf. The checks themselves are tested on small pages built to fail each
one, so a check that stops catching its fault fails here too.

Why: the notebooks' own tests compare cells, not what a browser shows; an escaping or template
change can print raw ``<h1>`` tags, drop a table's header row or overflow a phone while every
other test passes.

CI installs Chromium (.ci/run), so there a missing browser fails the tests; elsewhere they skip
with the reason, since installing a browser needs root.
"""

from __future__ import annotations

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
#: A run publishes one page per notebook; the run folder is checked against this list.
NOTEBOOK_PAGES = sorted(f"{path.stem}.html" for path in NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))
MIN_NOTEBOOK_PAGES = 5
#: Page key (test id and screenshot stem) -> the page, from the run folder.
PAGES = {"site-index": "../index.html", "index": "index.html"} | {Path(name).stem: name for name in NOTEBOOK_PAGES}
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
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND"],
        )  # fmt: skip
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def tab(browser):
    tab = checks.Tab(browser)
    yield tab
    tab.close()


@pytest.fixture(scope="module")
def axe():
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("axe-playwright-python is missing in CI: install the dev requirements")
        pytest.skip("axe-playwright-python is not installed here; CI runs this test")
    return Axe()


def locate(published: Path, key: str) -> Path:
    return (published / PAGES[key]).resolve()


def test_the_run_has_a_page_per_notebook(published):
    pages = sorted(path.name for path in published.glob("[0-9][0-9]-*.html"))
    assert len(pages) >= MIN_NOTEBOOK_PAGES, f"{len(pages)} notebook pages in {published}: {pages}"
    assert pages == NOTEBOOK_PAGES, "the run's pages are not the notebooks': the tests below read the notebooks' list"


@pytest.mark.parametrize(
    ("key", "width"), [pytest.param(key, width, id=f"{key}-{width}px") for key in PAGES for width in VIEWPORTS]
)
def test_the_page_reads_well(tab, axe, published, key, width):
    path = locate(published, key)
    assert path.exists(), f"{path} was not published"
    page, left = tab.open(path, site=published.parent, width=width, height=VIEWPORTS[width])
    audit = axe.run(page).response
    found = checks.problems(page, left, audit)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{key}-{width}.png"), full_page=True)
    failed = {check: listed for check, listed in found.items() if listed}
    others = [line for line in checks.axe_summary(audit) if not line.endswith(checks.FAILING_IMPACTS)]
    note = f"\n  (axe, not failing: {', '.join(others)})" if others else ""
    assert not failed, checks.report(f"{PAGES[key]} at {width}px", failed) + note


def test_the_notebook_pages_show_every_chart(tab, published):
    """Charts are drawn from the page itself: at least one per figure the run saved."""
    figures = {path.stem for path in (published / "figures").glob("*.png")}
    assert figures, "the run saved no figures"
    shown = 0
    for name in NOTEBOOK_PAGES:
        page, left = tab.open(published / name, site=published.parent)
        images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
        assert left == [], f"{name}: requests left the page: {left}"
        shown += sum(complete and w >= CHART_SIZE[0] and h >= CHART_SIZE[1] for complete, w, h in images)
    assert shown >= len(figures), f"{shown} decoded charts on the notebook pages for {len(figures)} figures: {sorted(figures)}"


@pytest.mark.parametrize("key", PAGES)
def test_printing_hides_navigation(tab, published, key):
    page, left = tab.open(locate(published, key), site=published.parent, media="print")
    printed = checks.printed_chrome(page)
    assert left == []
    assert printed == [], f"{PAGES[key]} prints its navigation: {printed}"


def test_the_front_page_prints_to_pdf(tab, published):
    page, left = tab.open(published / "index.html", site=published.parent, media="print")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf = SCREENSHOTS / "report.pdf"
    pdf.unlink(missing_ok=True)
    printed = checks.printed_chrome(page)
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert left == []
    assert printed == [], f"the printed front page shows its navigation: {printed}"
    assert pdf.exists() and checks.pdf_pages(pdf.read_bytes()) >= 1, f"{pdf}: no pages"


# The checks, on a page that passes them all and on copies of it broken one way each.
PIXEL = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5E"
         "rkJggg==")  # fmt: skip
HEADER_ROW = '<thead><tr><th scope="col">place</th><th scope="col">deaths</th></tr></thead>'
TABLE = f'<table>{HEADER_ROW}<tbody><tr><th scope="row">Almaty</th><td>151</td></tr></tbody></table>'
CLEAN = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Deaths by place</title>
<style>img {{ max-width: 100%; height: auto }} @media print {{ nav, .no-print {{ display: none }} }}</style></head>
<body><nav aria-label="Pages"><a href="other.html">The other page</a></nav>
<main><h1 id="title">Deaths by place<a href="#title">¶</a></h1>
<p>Officials' latest toll was 238 across the country and 151 in Almaty; the Health Ministry's was lower in both.</p>
{TABLE}
<img src="{PIXEL}" width="820" height="400" alt="Chart: deaths by place.">
</main></body></html>
"""
FAULTS = {  # name: (text in CLEAN, its replacement, the check that must catch it)
    "markup-as-text": ("<p>Officials'", "<p>&lt;p&gt;Officials'", "text"),
    "dataframe-css": ("</main>", "<div>.dataframe tbody tr th { vertical-align: top }</div></main>", "text"),
    "no-content": ("<p>Officials'", "<p hidden>Officials'", "text"),
    "no-h1": ('<h1 id="title">Deaths by place<a href="#title">¶</a></h1>', '<h2 id="title">Deaths by place</h2>', "h1"),
    "two-h1": ("</main>", "<h1>Deaths by date</h1></main>", "h1"),
    "empty-h1": ("Deaths by place<a", "<a", "h1"),
    "table-lost-its-header-row": (HEADER_ROW, "", "tables"),
    "table-without-th": (TABLE, "<table><tr><td>place</td><td>deaths</td></tr><tr><td>Almaty</td><td>151</td></tr></table>",
                         "tables"),
    "placeholder-alt": ("Chart: deaths by place.", checks.PLACEHOLDER_ALT, "images"),
    "no-alt": (' alt="Chart: deaths by place."', "", "images"),
    "image-not-loaded": (PIXEL, "figures/missing.png", "images"),
    "wide-block": ("</main>", '<pre style="width: 600px">a wide block</pre></main>', "scroll"),
    "image-wider-than-phone": ("max-width: 100%", "min-width: 0", "scroll"),
    "no-viewport-meta": ('<meta name="viewport" content="width=device-width, initial-scale=1">', "", "scroll"),
    "missing-page": ('href="other.html"', 'href="gone.html"', "links"),
    "missing-anchor": ('href="#title"', 'href="#nowhere"', "links"),
    "external-image": (PIXEL, "https://example.com/chart.png", "network"),
    "file-outside-site": ("</head>", '<link rel="stylesheet" href="../outside.css"></head>', "network"),
    "fetch": ("</main>", '<script>fetch("https://example.com/a.json").catch(() => {})</script></main>', "network"),
    "web-socket": ("</main>", '<script>new WebSocket("wss://example.com/")</script></main>', "network"),
    "low-contrast": ("<p>Officials'", '<p style="color: #bbb">Officials\'', "axe"),
    "printed-nav": ("@media print", "@media speech", "print"),
}


def read_made_page(tab, tmp_path: Path, html: str, audit: bool, axe=None, media: str = "screen"):
    site = tmp_path / "site"
    site.mkdir(parents=True)
    (site / "other.html").write_text(CLEAN)
    (tmp_path / "outside.css").write_text("p { color: black }")
    (site / "page.html").write_text(html)
    page, left = tab.open(site / "page.html", site=site, width=390, height=844, media=media)
    found = checks.problems(page, left, axe.run(page).response if audit else None)
    found["print"] = checks.printed_chrome(page) if media == "print" else []
    return found


def test_a_clean_page_passes_every_check(tab, axe, tmp_path):
    found = read_made_page(tab, tmp_path, CLEAN, audit=True, axe=axe)
    assert not any(found.values()), checks.report("the clean page", found)
    printed = read_made_page(tab, tmp_path / "print", CLEAN, audit=False, media="print")["print"]
    assert printed == []


@pytest.mark.parametrize("fault", FAULTS)
def test_each_check_catches_its_fault(tab, axe, tmp_path, fault):
    old, new, check = FAULTS[fault]
    assert old in CLEAN
    media = "print" if check == "print" else "screen"
    found = read_made_page(tab, tmp_path, CLEAN.replace(old, new), audit=check == "axe", axe=axe, media=media)
    assert found[check], f"the {check} check missed {fault}: {found}"
