"""``reports/feed.xml``: an Atom feed with one entry per published run that changed something.

Built with feedgen from what the output folder holds: the history (which runs were published,
when) and each run's ``changes.json``. Entry ids and dates come from the history, so the same
runs give the same bytes. Links are relative to the feed's own address, as Atom allows (an IRI
reference), since the site does not know where it is served from.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from feedgen.feed import FeedGenerator

from casualty_report.publishing import changes
from casualty_report.publishing.publish import read_manifest

FEED_FILE = "feed.xml"
MAX_ENTRIES = 50
# A fixed namespace: a run's entry id is the same whichever machine builds the feed.
NAMESPACE = uuid.UUID("6f1c0a52-3e0e-4c4e-9a55-0b1d2c7e9f10")


def _when(text: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        when = dt.datetime(1970, 1, 1)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _day(text: str) -> str:
    try:
        day = dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return text
    return f"{day.day} {day:%B %Y}"


def write_feed(out: Path, history: Sequence[Mapping[str, Any]]) -> Path:
    """Write ``<out>/feed.xml`` (atomically); the newest entries first."""
    entries = []
    last = {
        run.get("folder"): n for n, run in enumerate(history)
    }  # a second run the same day replaced the first
    for n, run in enumerate(history):
        if last.get(run.get("folder")) != n:
            continue
        folder = run.get("folder") or ""
        if run.get("status") != "published" or not folder or not (out / folder).is_dir():
            continue
        changed = changes.read(out / folder)
        if changed is None or (not changed.get("first") and not changed.get("changes")):
            continue  # nothing changed, or a run from before changes were kept
        entries.append((run, changed, read_manifest(out, out / folder) or {}))
    entries = entries[-MAX_ENTRIES:]

    feed = FeedGenerator()
    feed.id(f"urn:uuid:{uuid.uuid5(NAMESPACE, 'casualty-report feed')}")
    feed.title("Whose casualty figures? What changed")
    feed.subtitle("Each published report that changed: figures added or replaced, findings and sources.")
    feed.link(href=FEED_FILE, rel="self")
    feed.link(href="index.html", rel="alternate")
    feed.author({"name": "casualty-report"})
    feed.language("en")
    feed.updated(max((_when(run.get("finished_at", "")) for run, _, _ in entries), default=_when("")))
    for run, changed, manifest in entries:  # feedgen puts the last added first
        folder = run["folder"]
        view = manifest.get("title") if isinstance(manifest.get("title"), str) else ""
        event = manifest.get("event") if isinstance(manifest.get("event"), str) else ""
        title = f"{event.partition(':')[0]}: {view}" if event and view else view or event or "A report"
        entry = feed.add_entry()
        entry.id(f"urn:uuid:{uuid.uuid5(NAMESPACE, folder + '@' + str(run.get('finished_at', '')))}")
        entry.title(f"{title}, rendered on {_day(run.get('rendered_on', ''))}: {changes.summary(changed)}")
        entry.link(href=f"{folder}/changes.html", rel="alternate")
        entry.updated(_when(run.get("finished_at", "")))
        said = [change["words"] for change in changed.get("changes", [])[:20]]
        more = len(changed.get("changes", [])) - len(said)
        entry.summary(
            " ".join(
                [f"{changes.summary(changed).capitalize()}.", *(f"{s}." for s in said)]
                + ([f"And {more} more."] if more > 0 else [])
            )
        )
    target, temporary = out / FEED_FILE, out / f".{FEED_FILE}.new"
    temporary.write_bytes(feed.atom_str(pretty=True))
    temporary.replace(target)
    return target
