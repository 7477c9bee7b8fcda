"""The report's front pages, written from what a run produced.

``<run>/index.html`` is the report, told in half a minute: title, what the run covers, the
article it checks, the lede, the dataset's written findings that this view supports (each figure
footnoted to its source: :mod:`casualty_report.content.findings`), the charts that carry them, then the
pages, how to read the marks, the caveats, the sources cited, downloads, and when and from which
commit it was rendered. Charts are the notebooks' outputs carrying chart metadata, caveats the
ledes' "main caveat", sources the run's ``tables/sources.csv``.

``<out>/index.html`` lists each event's sets by what they cover, with their headline finding and
latest run, then every run. Both pages are Jinja templates with autoescaping; HTML that comes
from notebook outputs was already cleaned by :mod:`casualty_report.publishing.pages`.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from casualty_report.content import findings, legend
from casualty_report.content.codebook import write_datapackage
from casualty_report.content.narrative import view_title
from casualty_report.parameters import defaults
from casualty_report.publishing import changes
from casualty_report.publishing.pages import TEMPLATES_DIR, read_page
from casualty_report.publishing.publish import FAILED_BECAUSE, read_history, read_manifest

if TYPE_CHECKING:
    from casualty_report.ledger.load import Ledger


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def read_sources(run_dir: Path) -> list[dict[str, str]]:
    """The run's sources table as citations: outlet, title, author, date, link (http(s) only)."""
    path = run_dir / "tables" / "sources.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    for row in rows:
        if not row.get("url", "").startswith(("https://", "http://")):
            row["url"] = ""
        row["published_on_words"] = _date_words(row["published_on"]) if row.get("published_on") else ""
    return rows


#: The charts the front page may show, in order: how the toll moved carries the findings; how
#: the detentions grew carries the rest. Comparisons and claim-by-claim charts stay on their pages.
FRONT_PAGE_CHARTS = ("death-toll-timeline", "detentions-timeline")
MAX_FRONT_PAGE_CHARTS = 3


def write_front_page(
    run_dir: Path,
    *,
    set_name: str,
    ledger: Ledger,
    parameters: Mapping[str, Any],
    pages: Sequence[tuple[Path, str]],
    rendered_on: str,
    commit: str | None,
    previous: Path | None = None,
) -> dict[str, str]:
    """Write a run's codebook (``datapackage.json``, when it wrote tables), ``run_dir/index.html``,
    its ``findings.json`` and what changed since ``previous``
    (the set's last published run: ``changes.json``, ``changes.html``); return the run's title
    and headline (for the site index). ``ledger`` is the set's whole ledger as render loaded and
    checked it before the notebooks ran: the page narrows it as the notebooks did."""
    if (run_dir / "tables").is_dir():
        write_datapackage(
            run_dir,
            name=f"casualty-report-{set_name}",
            title=f"Casualty report tables: {set_name}",
            description="The tables of one rendered run of the casualty report, one row per "
            "claim, total or estimate; every figure traces to a claim in the ledger.",
        )
    ledger = ledger.in_scope(parameters.get("scope")).known_before(parameters.get("as_of"))
    read = [read_page(notebook, html_name, run_dir) for notebook, html_name in pages]
    sources = {source["source_id"]: source for source in read_sources(run_dir)}
    cited: dict[str, int] = {}  # source id -> its footnote number, in the order first cited

    def cite(claim_ids: Sequence[str]) -> str:
        """A figure's footnote: the numbers of its sources in the list below, each linked to it."""
        numbers = []
        for claim_id in claim_ids:
            source_id = ledger.claim[claim_id].source_id
            if source_id in sources:
                numbers.append(cited.setdefault(source_id, len(cited) + 1))
        links = [f'<a href="#source-{n}" aria-label="source {n}">{n}</a>' for n in dict.fromkeys(numbers)]
        return f'<sup class="cite">{",".join(links)}</sup>' if links else ""

    shown = findings.shown_in(ledger, findings.FRONT_PAGE_FINDINGS)
    plain = [findings.written(finding, ledger) for finding in shown]
    changes.write_findings(run_dir, [finding.as_data() for finding in plain])
    changed = changes.compare(previous, run_dir, parameters)
    changes.write(run_dir, changed)
    written = [Markup(findings.render(finding, ledger, cite)) for finding in shown]
    charts = {chart["name"]: (page, chart) for page in read for chart in page.charts}
    front = [charts[name] for name in FRONT_PAGE_CHARTS if name in charts and _worth_showing(charts[name][1])]
    title = view_title(ledger)
    # Plain text: the index's template escapes it.
    headline = plain[0].headline if plain else ""
    focus = sources.get(ledger.info.focus_source)
    context = {
        "title": ledger.info.title,
        "view_title": title,
        "lede": ledger.info.lede,
        "focus": focus,
        "focus_label": ledger.info.focus_label,
        "findings": written,
        "charts": front[:MAX_FRONT_PAGE_CHARTS],
        "pages": read,
        "how_to_read": legend.how_to_read(),
        "tables": [
            {"file": p.name, "label": _label(p.stem)} for p in sorted((run_dir / "tables").glob("*.csv"))
        ],
        "figures": _figure_files(run_dir),
        "notebooks": [
            {"file": Path(page.href).with_suffix(".ipynb").name, "label": page.title} for page in read
        ],
        "has_datapackage": (run_dir / "datapackage.json").exists(),
        "sources": [sources[source_id] for source_id in cited],
        "all_sources": len(sources),
        "sources_page": next((page.href for page in read if page.href.startswith("01-")), ""),
        "rendered_on": _date_words(rendered_on),
        "commit": commit or "",
        "changed": changes.summary(changed),
        "previous_on": _date_words(_text(read_manifest(previous.parent, previous) or {}, "rendered_on"))
        if previous
        else "",
    }
    environment = _environment()
    (run_dir / "index.html").write_text(
        environment.get_template("site/run.html.j2").render(context), encoding="utf-8"
    )
    groups = [
        (heading, [c for c in changed["changes"] if c["kind"] == kind])
        for kind, heading in changes.KINDS.items()
    ]
    (run_dir / "changes.html").write_text(
        environment.get_template("site/changes.html.j2").render(
            context,
            groups=[(h, items) for h, items in groups if items],
            note=changed["note"],
            first=changed["first"],
        ),
        encoding="utf-8",
    )
    return {"title": title, "event": ledger.info.title, "headline": headline.removesuffix(".").strip("*")}


def _worth_showing(chart: Mapping[str, str]) -> bool:
    """Not a chart of no data or of one figure: its alt text would be its only content."""
    return int(chart.get("figures", 2)) >= 2


def _figure_files(run_dir: Path) -> list[dict[str, Any]]:
    stems: dict[str, list[str]] = {}
    for path in sorted((run_dir / "figures").glob("*")):
        stems.setdefault(path.stem, []).append(path.name)
    return [{"stem": stem, "label": _label(stem), "files": files} for stem, files in stems.items()]


def _label(stem: str) -> str:
    """A file's name as a reader reads it: 'death-toll-timeline' -> 'Death toll timeline'."""
    phone = stem.endswith("-phone")
    words = stem.removesuffix("-phone").replace("-", " ").replace("_", " ")
    return words[:1].upper() + words[1:] + (", drawn for phones" if phone else "")


def write_index(out: Path, log: Callable[[str], None] | None = None) -> None:
    """``<out>/index.html`` from ``<out>/history.jsonl`` and ``<out>/latest/``; what cannot be
    read there is skipped (and said to ``log``), never fatal."""
    history = read_history(out, log)
    write_site_index(out, history)
    from casualty_report.publishing.feed import write_feed  # feedgen and lxml: only when an index is written

    write_feed(out, history)


def write_site_index(out: Path, history: Sequence[Mapping[str, Any]]) -> None:
    """``<out>/index.html``: each event's sets, their latest run with its title and headline,
    then every run; atomic. Sets and runs are named by what they cover, never by their slug."""
    latest_dir = out / "latest"
    events: dict[str, list[dict[str, str]]] = {}
    event_of_set: dict[str, str] = {}  # a set name -> the event its latest published run covers
    if latest_dir.is_dir():
        for link in sorted(latest_dir.iterdir()):
            manifest = read_manifest(out, link) if link.is_symlink() else None
            if manifest is None:
                continue
            event_of_set[link.name] = _text(manifest, "event")
            events.setdefault(_text(manifest, "event"), []).append(
                {
                    "name": link.name,
                    "rendered_on": _date_words(_text(manifest, "rendered_on")),
                    "headline": _text(manifest, "headline"),
                    "title": _text(manifest, "title")
                    or _capitalised(describe_parameters(_parameters(manifest))),
                }
            )
    runs = []
    for entry in reversed(list(history)):
        folder = entry.get("folder") or ""
        published = entry.get("status") == "published" and folder and (out / folder).is_dir()
        manifest = read_manifest(out, out / folder) if published else None
        runs.append(
            {
                "set": entry.get("set", ""),
                # 'Karakalpakstan, July 2022': two events' sets may cover 'every place'; a run
                # that did not publish has no manifest: its set's latest run names the event
                "event": (
                    _text(manifest or {}, "event") or event_of_set.get(entry.get("set", ""), "")
                ).partition(":")[0],
                "title": _text(manifest or {}, "title")
                or _capitalised(describe_parameters(entry["parameters"])),
                "rendered_on": _date_words(entry.get("rendered_on", "")),
                "status": entry.get("status", ""),
                "folder": folder if published else "",
                "failed": entry.get("status") == "failed",
                "because": FAILED_BECAUSE.get(str(entry.get("because", "")), ""),
            }
        )
    page = _environment().get_template("site/index.html.j2").render(events=events, runs=runs)
    temporary = out / ".index.html.new"
    temporary.write_text(page, encoding="utf-8")
    os.replace(temporary, out / "index.html")


def _text(manifest: Mapping[str, Any], key: str) -> str:
    """A manifest's text field; "" if it is missing or not text (a hand-edited or broken file)."""
    value = manifest.get(key, "")
    return value if isinstance(value, str) else ""


def _parameters(manifest: Mapping[str, Any]) -> dict[str, Any]:
    value = manifest.get("parameters")
    return value if isinstance(value, dict) else {}


def _capitalised(words: str) -> str:
    return words[:1].upper() + words[1:]


def describe_parameters(parameters: Mapping[str, Any]) -> str:
    """What a set covers, for readers: 'Almaty; as known at the start of 10 January 2022'. A
    dataset or figure formats other than the defaults are named; a folder path is not (the set's
    name tells sets apart, and a path means nothing to a reader)."""
    words = [str(parameters.get("scope") or "every place")]
    if parameters.get("as_of"):
        words.append(f"as known at the start of {_date_words(str(parameters['as_of']))}")
    standard = defaults()
    others = {
        key: value
        for key, value in parameters.items()
        if key not in ("scope", "as_of", "data_dir") and value is not None and value != standard.get(key)
    }
    words += [f"{key.replace('_', ' ')} {_listed(value)}" for key, value in sorted(others.items())]
    return "; ".join(words)


def _date_words(date: str) -> str:
    """'10 January 2022' from '2022-01-10'; anything else as it was written (a refused set's)."""
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        return date
    return f"{day.day} {day:%B %Y}"


def _listed(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
