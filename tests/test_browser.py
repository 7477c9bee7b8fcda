"""The published report in a real browser: headless Chromium with the network blocked. Every
chart must load from the page itself and no request may leave it; screenshots are kept in
build/screenshots/ for a person to look at.

CI installs Chromium (.ci/run), so there a missing browser fails the test; elsewhere it skips
with the reason, since installing a browser needs root."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from casualty_report.paths import REPO_ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = REPO_ROOT / "build" / "screenshots"
# Pages of a run and the charts each must show.
PAGES = {
    "index.html": 0,
    "01-build-claim-tables.html": 0,
    "02-compare-death-tolls.html": 1,
    "03-chart-injuries-and-arrests.html": 2,
    "04-trace-figures-over-time.html": 2,
    "05-check-the-first-report.html": 0,
}


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
                  "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield chromium
        chromium.close()


def open_offline(browser, path: Path):
    """Load a page; every request that is not the page's own file is blocked and recorded."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    left: list[str] = []

    def guard(route):
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page, left


@pytest.mark.parametrize("name", PAGES)
def test_each_page_loads_its_charts_offline(browser, published, name):
    page, left = open_offline(browser, published / name)
    images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
    assert left == []
    assert len(images) == PAGES[name]
    assert all(complete and width >= 600 and height >= 300 for complete, width, height in images), images  # decoded charts
    assert page.evaluate("document.body.innerText.length") > 100
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{Path(name).stem}.png"), full_page=True)
    page.close()


def test_the_runs_index_links_work_offline(browser, published):
    index = published.parent / "index.html"
    page, left = open_offline(browser, index)
    links = page.evaluate("Array.from(document.links).map(a => a.href)")
    assert left == [] and links
    for link in links:
        target = Path(link.removeprefix("file://"))
        assert target.exists(), link
    page.close()
