"""What a reader's browser shows of a page, and what is wrong with it: helpers for test_browser.

:class:`Tab` loads pages with every request that would leave the site blocked and recorded;
:func:`problems` reads a loaded page and returns, per check, the problems found, each worded for
the developer who has to fix it. test_browser runs them on the published pages and on small pages
built to fail each check, so a check that stops catching its fault fails too.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlparse
from urllib.request import url2pathname

#: HTML that reached the reader as text: a tag escaped instead of rendered.
TAG_AS_TEXT = re.compile(
    r"</?(h[1-6]|p|div|table|thead|tbody|tr|th|td|style|span|img|a|script)\b", re.IGNORECASE
)
#: nbconvert's alt text for an image whose output carried none.
PLACEHOLDER_ALT = "No description has been provided for this image"
#: Below this many characters of visible text a page has lost its content.
MIN_TEXT = 100
#: axe-core impacts that fail a page; "moderate" and "minor" are reported, not failed.
FAILING_IMPACTS = ("critical", "serious")
#: Widths below this are phones: the page must ask for a device-width layout.
PHONE_WIDTH = 800
#: What the axe audit returns: violations only (axe_playwright_python's default).
AXE_OPTIONS = {"resultTypes": ["violations"]}
#: How many offending elements, matches or selectors a message quotes.
QUOTE = 3

# One evaluate collects every fact the checks need, so a page is read once per viewport.
READ_PAGE = """
() => {
  const vw = window.innerWidth;
  const describe = (e) => {
    const r = e.getBoundingClientRect();
    const name = typeof e.className === "string" && e.className.trim()
      ? "." + e.className.trim().split(/\\s+/).slice(0, 2).join(".") : "";
    return `<${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${name}> `
      + `${Math.round(r.width)}px wide, right edge at ${Math.round(r.right)}px`;
  };
  // What sticks out past the viewport while its parent does not: the elements to fix. Content
  // inside a box of its own that scrolls or clips (overflow-x other than visible) moves no page.
  const boxed = (e) => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  // Where what a table shows ends: the viewport, or the nearest box around it that clips or scrolls.
  const clipEdge = (e) => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return Math.min(vw, a.getBoundingClientRect().right);
    }
    return vw;
  };
  const scrollWidth = document.documentElement.scrollWidth;
  const wide = scrollWidth <= vw + 1 ? [] : Array.from(document.body.querySelectorAll("*")).filter((e) =>
    e.getBoundingClientRect().right > vw + 1 && e.parentElement.getBoundingClientRect().right <= vw + 1
      && !boxed(e)
  ).map(describe);
  const here = location.href.split("#")[0];
  const missingAnchors = Array.from(document.querySelectorAll("a[href]")).filter((a) => {
    if (!a.hash || a.href.split("#")[0] !== here) return false;
    const id = decodeURIComponent(a.hash.slice(1));
    return !document.getElementById(id) && document.getElementsByName(id).length === 0;
  }).map((a) => a.getAttribute("href"));
  const viewport = document.querySelector('meta[name="viewport"]');
  return {
    text: document.body ? document.body.innerText : "",
    h1: Array.from(document.querySelectorAll("h1")).map((h) => h.textContent),
    tables: Array.from(document.querySelectorAll("table")).map((t) => ({
      th: t.querySelectorAll("th").length,
      firstRow: t.rows.length
        ? Array.from(t.rows[0].cells).map((c) => [c.tagName.toLowerCase(), c.textContent.trim()]) : [],
      text: t.innerText.replace(/\\s+/g, " ").trim().slice(0, 60),
      // Body cells past the right edge of what shows them (the viewport, or the box that clips
      // or scrolls them), or bigger inside than out: cut off, or spilling over the next cell.
      cells: t.querySelectorAll("tbody td, tbody th").length,
      outOfView: ((edge) => Array.from(t.querySelectorAll("tbody td, tbody th")).filter((c) =>
        c.getBoundingClientRect().right > edge + 1 || c.scrollWidth > c.clientWidth + 1
          || c.scrollHeight > c.clientHeight + 1
      ).length)(clipEdge(t)),
    })),
    images: Array.from(document.images).map((i) => ({
      src: (i.currentSrc || i.src).slice(0, 60), alt: i.getAttribute("alt"),
      complete: i.complete, width: i.naturalWidth, height: i.naturalHeight,
    })),
    width: vw, scrollWidth, wide,
    links: Array.from(document.querySelectorAll("a[href]")).map((a) => a.href),
    missingAnchors,
    viewport: viewport ? viewport.getAttribute("content") : null,
    height: document.documentElement.scrollHeight,
    title: document.title,
  };
}
"""

# After "load": images a reader would reach by scrolling (loading="lazy") are loaded too, and every
# image decoded or failed, so that what the checks and the screenshots see is the whole page.
SETTLE = """
async () => {
  const images = Array.from(document.images);
  for (const image of images) if (image.loading === "lazy") image.loading = "eager";
  await Promise.all(images.map((image) => image.decode().catch(() => null)));
  await document.fonts.ready;
}
"""

# Under print media: navigation, and anything marked no-print, that would still be printed.
PRINTED_CHROME = """
() => Array.from(document.querySelectorAll("nav, .no-print")).filter((e) =>
  e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})
).map((e) => `<${e.tagName.toLowerCase()}${e.className ? " class=" + \
JSON.stringify(String(e.className)) : ""}> `
  + JSON.stringify(e.innerText.replace(/\\s+/g, " ").trim().slice(0, 40)))
"""


class Tab:
    """One browser tab, offline, reused for every page a module reads (a new tab starts a renderer
    process, which costs several times what loading a page does).

    :meth:`open` loads a page; every request that is neither a ``data:`` URL nor a ``file:`` URL
    inside the given site folder is aborted and its URL recorded in the list it returns, web
    sockets included: a page that reaches outside its site shows something else, or nothing,
    once it is copied elsewhere.
    """

    def __init__(self, browser):
        self.context = browser.new_context(device_scale_factor=1, service_workers="block")
        self.context.route("**/*", self._guard)
        self.context.route_web_socket("**/*", self._socket)
        self.page = self.context.new_page()
        self.site = Path("/nonexistent")
        self.left: list[str] = []
        self.media = "screen"

    def open(self, path: Path, site: Path, width: int = 1280, height: int = 800, media: str = "screen"):
        """Load ``path`` (a page inside ``site``); return ``(page, URLs of requests that left)``."""
        self.page.goto("about:blank")  # ends the last page, and its requests with it
        self.site, self.left = site.resolve(), []
        if self.page.viewport_size != {"width": width, "height": height}:
            self.page.set_viewport_size({"width": width, "height": height})
        if media != self.media:
            self.page.emulate_media(media=media)
            self.media = media
        self.page.goto(path.resolve().as_uri(), wait_until="load")
        self.page.evaluate(SETTLE)
        return self.page, self.left

    def close(self) -> None:
        self.context.close()

    def _stays(self, url: str) -> bool:
        if url.startswith("data:"):
            return True
        if url.startswith("file:"):
            target = Path(url2pathname(urlparse(url).path)).resolve()
            return target == self.site or self.site in target.parents
        return False

    def _guard(self, route) -> None:
        if self._stays(route.request.url):
            route.continue_()
        else:
            self.left.append(route.request.url)
            route.abort()

    def _socket(self, ws) -> None:  # connected to no server: recorded, and goes nowhere
        self.left.append(ws.url)
        ws.close()


class Reading(NamedTuple):
    problems: dict[str, list[str]]  # check -> problems found; an empty list: passed
    audit: dict  # axe-core's result
    facts: dict  # what READ_PAGE saw


# axe.run does its work before it returns its promise; started from a timer it runs after the
# evaluate returns, so the audits of two tabs (two renderer processes) run side by side.
START_AUDIT = """
options => {
  window.__audit = new Promise((resolve, reject) =>
    setTimeout(() => axe.run(document, options).then(resolve, reject), 0));
}
"""


def read_at_widths(tabs: dict[int, Tab], path: Path, site: Path, viewports: dict[int, int], axe, shots):
    """Read ``path`` in each tab of ``tabs`` (width -> :class:`Tab`): ``{width: Reading}``.

    ``viewports`` maps each width to its height; ``axe`` is an ``axe_playwright_python`` ``Axe``
    (its axe-core script); a full-page screenshot goes to ``shots[width]``, if given. The audits, the
    slowest part, run side by side, and a tab's screenshot is taken while the other still audits.
    """
    for width, tab in tabs.items():
        page, _ = tab.open(path, site, width=width, height=viewports[width])
        page.evaluate(axe.axe_script)
        page.evaluate(START_AUDIT, AXE_OPTIONS)
    readings = {}
    for width, tab in tabs.items():
        audit = tab.page.evaluate("() => window.__audit")
        facts = tab.page.evaluate(READ_PAGE)
        readings[width] = Reading(judge(facts, tab.left, audit), audit, facts)
        if width in shots:
            save_screenshot(tab.page, shots[width])
    return readings


#: A JPEG is at most 65,535 px tall; Chromium writes an empty file for a page taller than that
#: (a claims page at phone width, its rows as cards, is). Such a page is saved in parts.
JPEG_MAX_HEIGHT = 65_000
PART_HEIGHT = 15_000  # within ImageMagick's default 16,000-pixel limit, to crop and view


def save_screenshot(page, path: Path) -> list[Path]:
    """A full-page screenshot of ``page`` at ``path`` (JPEG); a page too tall for one JPEG goes
    to ``<stem>-part1.jpg``, ``-part2.jpg``… in order. Every file written holds a picture."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in [path, *path.parent.glob(f"{path.stem}-part*{path.suffix}")]:
        old.unlink(missing_ok=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    width = page.evaluate("document.documentElement.scrollWidth")
    if height <= JPEG_MAX_HEIGHT:
        page.screenshot(path=str(path), full_page=True, quality=85)
        saved = [path]
    else:
        saved = []
        for number, top in enumerate(range(0, height, PART_HEIGHT), start=1):
            part = path.with_name(f"{path.stem}-part{number}{path.suffix}")
            clip = {"x": 0, "y": top, "width": width, "height": min(PART_HEIGHT, height - top)}
            page.screenshot(path=str(part), full_page=True, clip=clip, quality=85)
            saved.append(part)
    empty = [shot.name for shot in saved if shot.stat().st_size == 0]
    assert not empty, f"screenshots written empty: {empty}"
    return saved


def problems(page, left: list[str], audit: dict | None = None) -> dict[str, list[str]]:
    """Every check's problems on a loaded page (an empty list: the check passed).

    ``audit`` is an axe-core result for the page (``Axe().run(page).response``); ``None``: none.
    """
    return judge(page.evaluate(READ_PAGE), left, audit)


def judge(facts: dict, left: list[str], audit: dict | None) -> dict[str, list[str]]:
    found = {
        "text": check_text(facts),
        "h1": check_h1(facts),
        "tables": check_tables(facts),
        "images": check_images(facts),
        "scroll": check_scroll(facts),
        "viewport": check_viewport(facts),
        "links": check_links(facts),
        "network": [f"a request left the page: {url}" for url in left],
        "words": check_words(facts),
    }
    if audit is not None:
        found["axe"] = check_axe(audit)
    return found


def check_text(facts) -> list[str]:
    """The visible text has content and carries no markup or stylesheet."""
    text = facts["text"]
    found = []
    if len(text.strip()) < MIN_TEXT:
        found.append(f"only {len(text.strip())} characters of visible text: {text.strip()[:80]!r}")
    tags = list(TAG_AS_TEXT.finditer(text))
    if tags:
        counts = ", ".join(f"{tag} x{n}" for tag, n in Counter(m[0].lower() for m in tags).most_common(5))
        first = text[tags[0].start() : tags[0].end() + 50].replace("\n", " ")
        found.append(f"markup shown as text: {len(tags)} tags ({counts}, ...), the first {first!r}")
    if ".dataframe" in text:
        at = text.index(".dataframe")
        found.append(f"the tables' .dataframe CSS shown as text: {text[at : at + 60]!r}")
    return found


#: Words for programmers that readers must never see: a claim or source id ('R37a', 'A02',
#: 'S12'), a snake_case name ('as_of', 'casualty_report'), a file name ('02-compare-death-tolls',
#: 'casualties.csv'), a set's slug ('article-day'). Addresses shown as links are left out.
PROGRAMMERS_WORDS = re.compile(
    r"\b(?:[ARS]\d{2}[a-z]?|[a-z]+_[a-z_]+|\d{2}-[a-z]+(?:-[a-z]+){2,}|[\w-]+\.(?:csv|ipynb|json|yml|py)|"
    r"article-day|everything|scope-[a-z-]+|as-of-[\d-]+)\b"
)
URL = re.compile(r"https?://\S+")


def check_words(facts) -> list[str]:
    """No id, slug, parameter or file name in what a reader sees, the title included."""
    text = URL.sub(" ", f"{facts.get('title', '')}\n{facts['text']}")
    words = Counter(match[0] for match in PROGRAMMERS_WORDS.finditer(text))
    if not words:
        return []
    listed = ", ".join(f"{word!r} x{n}" for word, n in words.most_common(6))
    first = next(PROGRAMMERS_WORDS.finditer(text))
    context = text[max(first.start() - 40, 0) : first.end() + 20].replace("\n", " ")
    return [f"words for programmers shown to readers: {listed}; the first in {context!r}"]


def check_h1(facts) -> list[str]:
    """Exactly one ``h1``, with words in it (nbconvert's ``¶`` anchor is not a word): the title."""
    titles = [title.replace("¶", "").strip() for title in facts["h1"]]
    if len(titles) != 1:
        return [f"{len(titles)} h1 elements, want exactly 1: {titles[:QUOTE]}"]
    if not titles[0]:
        return [f"the h1 is empty: {facts['h1'][0]!r}"]
    return []


def check_tables(facts) -> list[str]:
    """Every table opens with a header row: a first row all of ``th`` cells, some of them named;
    and every cell is in view: none is left in a box a reader must scroll sideways (on a phone,
    the figure and the note off to the right of rows made tall by them).

    A table with ``th`` only down its side (the row labels) has lost its column headers.
    """
    found = []
    for number, table in enumerate(facts["tables"], start=1):
        first = table["firstRow"]
        where = f"table {number} ({table['text']!r}...)"
        if not table["th"]:
            found.append(f"{where} has no header cells (th)")
        elif not first or any(tag != "th" for tag, _ in first) or not any(text for _, text in first):
            cells = " | ".join(f"{tag}:{text[:12]}" for tag, text in first[:5])
            found.append(f"{where} has no header row; its first row is [{cells}]")
        if table["outOfView"]:
            found.append(
                f"{where}: {table['outOfView']} of its {table['cells']} cells are out of view, past the"
                f" right edge at {facts['width']}px in a box that scrolls sideways, or spill out of their box"
            )
    return found


def check_images(facts) -> list[str]:
    """Every image is decoded and has alt text of its own."""
    found = []
    for number, image in enumerate(facts["images"], start=1):
        where = f"image {number} ({image['src']}...)"
        alt = (image["alt"] or "").strip()
        if not alt:
            found.append(f"{where} has no alt text")
        elif alt == PLACEHOLDER_ALT:
            found.append(f"{where} has nbconvert's placeholder alt text {PLACEHOLDER_ALT!r}")
        if not (image["complete"] and image["width"] > 0 and image["height"] > 0):
            size = f"{image['width']}x{image['height']}"
            found.append(f"{where} did not load (complete={image['complete']}, {size})")
    return found


def check_scroll(facts) -> list[str]:
    """Nothing makes the page scroll sideways."""
    if facts["scrollWidth"] <= facts["width"] + 1:
        return []
    widest = "; ".join(facts["wide"][:QUOTE]) or "?"
    return [
        (
            f"the page scrolls sideways: {facts['scrollWidth']}px wide in a {facts['width']}px viewport; "
            f"sticking out: {widest}"
        )
    ]


def check_viewport(facts) -> list[str]:
    """At a phone's width the page asks for a device-width layout; without it a phone lays the
    page out 980px wide and shrinks it, and the narrow-width checks say nothing about phones."""
    content = (facts["viewport"] or "").replace(" ", "")
    if facts["width"] >= PHONE_WIDTH or "width=device-width" in content:
        return []
    return [
        (
            f"no <meta name=viewport content='width=device-width'> (got {facts['viewport']!r}): "
            "a phone lays the page out 980px wide and shrinks it"
        )
    ]


def check_links(facts) -> list[str]:
    """Links within the site reach a file that exists; links within the page reach an anchor."""
    found = []
    anchors = facts["missingAnchors"]
    if anchors:
        found.append(f"{len(anchors)} links to anchors not on the page, e.g. {', '.join(anchors[:QUOTE])}")
    files = sorted(
        href
        for href in set(facts["links"])
        if urlparse(href).scheme == "file" and not Path(url2pathname(urlparse(href).path)).exists()
    )
    if files:
        found.append(f"{len(files)} links to files that do not exist, e.g. {', '.join(files[:QUOTE])}")
    return found


def check_axe(response: dict) -> list[str]:
    """axe-core violations of serious or critical impact, each with where to look."""
    found = []
    for violation in response["violations"]:
        if violation["impact"] in FAILING_IMPACTS:
            nodes = violation["nodes"]
            targets = "".join(f"\n      at {' '.join(map(str, node['target']))}" for node in nodes[:QUOTE])
            more = f"\n      and {len(nodes) - QUOTE} more" if len(nodes) > QUOTE else ""
            found.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']}, {len(nodes)} element(s) "
                f"({violation['helpUrl'].split('?')[0]}){targets}{more}"
            )
    return found


def axe_summary(response: dict, impacts=("critical", "serious", "moderate", "minor", None)) -> list[str]:
    """The violations of the given impacts, as ``id (impact) xN`` (N: elements in violation)."""
    violations = [v for v in response["violations"] if v["impact"] in impacts]
    return [f"{v['id']} ({v['impact']}) x{len(v['nodes'])}" for v in violations]


def printed_chrome(page) -> list[str]:
    """Navigation or ``no-print`` elements still visible under print media."""
    return page.evaluate(PRINTED_CHROME)


def pdf_pages(data: bytes) -> int:
    """Page objects in a PDF (``/Type /Page``, not the ``/Type /Pages`` tree nodes)."""
    return len(re.findall(rb"/Type\s*/Page\b", data))


def report(name: str, found: dict[str, list[str]]) -> str:
    """One assertion message: every failed check of a page, one problem a line."""
    lines = [f"{check}: {problem}" for check, listed in found.items() for problem in listed]
    return f"{name}: {len(lines)} problem{'s' * (len(lines) != 1)}\n  " + "\n  ".join(lines)
