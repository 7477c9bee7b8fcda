"""What changed since the previous published run of a set: its ``changes.json`` and page.

Each run keeps the ledger it was rendered from (``<run>/ledger/``: claims, sources and
``dataset.yml``) and its findings (``findings.json``), so a run can be compared with the one
before it from what the runs themselves hold, whatever else happened to the checkout or to
``reports/`` (the scheduler restores the published site, not the working tree). Both ledgers
are seen as the set sees them: the same place and as-known-on date.

A change is said in words with a link to the page the figure was read in: readers never see
claim ids. The feed (feed.py) is built from the runs' ``changes.json``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from casualty_report.content.comparisons import day_words
from casualty_report.content.narrative import claim_value, status_word
from casualty_report.content.tables import counted_words
from casualty_report.errors import LedgerError
from casualty_report.ledger.load import Ledger, load_ledger
from casualty_report.ledger.statuses import STATUSES
from casualty_report.paths import DEFAULT_DATASET, dataset_dir

SNAPSHOT = "ledger"  # a run's copy of the ledger it was rendered from
KEPT_FILES = ("claims.csv", "sources.csv", "dataset.yml")
CHANGES_FILE, FINDINGS_FILE = "changes.json", "findings.json"

# The kinds of change, in the order the page lists them, with their headings.
KINDS = {
    "finding": "Findings whose words or figures changed",
    "added": "Figures added",
    "status": "Figures whose standing changed",
    "corrected": "Figures corrected in the ledger",
    "removed": "Figures no longer in this report",
    "source": "Sources added",
}


def keep_ledger(run_dir: Path, parameters: Mapping[str, Any]) -> None:
    """Copy the set's ledger files into the run, for the next run to compare with."""
    source = dataset_dir(parameters.get("dataset", DEFAULT_DATASET), parameters.get("data_dir"))
    (run_dir / SNAPSHOT).mkdir(exist_ok=True)
    for name in KEPT_FILES:
        if (source / name).is_file():
            shutil.copyfile(source / name, run_dir / SNAPSHOT / name)


def write_findings(run_dir: Path, shown: Sequence[Mapping[str, Any]]) -> None:
    """``findings.json``: each finding the front page shows, its words and the claims behind it."""
    text = json.dumps(list(shown), indent=2, ensure_ascii=False) + "\n"
    (run_dir / FINDINGS_FILE).write_text(text, encoding="utf-8")


def _view(run_dir: Path, parameters: Mapping[str, Any]) -> Ledger:
    ledger = load_ledger(data_dir=run_dir / SNAPSHOT)
    return ledger.in_scope(parameters.get("scope")).known_before(parameters.get("as_of"))


def claim_words(ledger: Ledger, claim_id: str) -> str:
    """'238 people dead in Kazakhstan, from Eldos Qilymzhanov, Prosecutor General's Office, on
    16 August 2022'."""
    claim = ledger.claim[claim_id]
    counted = counted_words(claim.measure, claim.population, claim.count_kind)
    return (
        f"{claim_value(claim)} {counted} in {claim.scope}, from {claim.claimant}, "
        f"on {day_words(claim.reported_on)}"
    )


def _read_in(ledger: Ledger, claim_id: str) -> dict[str, str]:
    source = ledger.sources.set_index("source_id").loc[ledger.claim[claim_id].source_id]
    url = source["url"] if str(source["url"]).startswith(("https://", "http://")) else ""
    return {"link": url, "read_in": f"{source['outlet']}, {ledger.claim[claim_id].locator}"}


def compare(previous: Path | None, current: Path, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The changes from ``previous`` (a published run folder, or None) to ``current`` (a staging
    folder holding its ledger and findings), as ``changes.json`` holds them."""
    if previous is None or not (previous / SNAPSHOT / "claims.csv").is_file():
        first = previous is None
        return {
            "previous": None,
            "first": first,
            "changes": [],
            "note": "" if first else "the previous run kept no copy of its ledger",
        }
    try:
        old, new = _view(previous, parameters), _view(current, parameters)
    except (LedgerError, ValueError):  # ValueError: the place is not in the older ledger
        return {
            "previous": previous.name,
            "first": False,
            "changes": [],
            "note": "the previous run's ledger cannot be read by this version",
        }
    changes: list[dict[str, str]] = []

    def add(kind: str, words: str, ledger: Ledger | None = None, claim_id: str = "") -> None:
        change = {"kind": kind, "words": words}
        if ledger is not None:
            change |= _read_in(ledger, claim_id)
        changes.append(change)

    changes += _finding_changes(previous, current)
    for claim_id in sorted(set(new.claim) - set(old.claim)):
        add("added", claim_words(new, claim_id), new, claim_id)
    for claim_id in sorted(set(new.claim) & set(old.claim)):
        before, after = old.claim[claim_id], new.claim[claim_id]
        if before.status != after.status:
            add(
                "status",
                f"{claim_words(new, claim_id)}: now {status_word(after.status)} "
                f"(it {STATUSES[before.status].was} before)",
                new,
                claim_id,
            )
        if before.measure != after.measure or before.population != after.population:
            add("corrected", f"{claim_words(new, claim_id)}: was {claim_words(old, claim_id)}", new, claim_id)
        elif claim_value(before) != claim_value(after):
            add("corrected", f"{claim_words(new, claim_id)} (was {claim_value(before)})", new, claim_id)
    for claim_id in sorted(set(old.claim) - set(new.claim)):
        add("removed", claim_words(old, claim_id), old, claim_id)
    known = set(old.sources["source_id"])
    for source in new.sources[~new.sources["source_id"].isin(known)].itertuples(index=False):
        title = f", “{source.title}”" if source.title else ""
        link = source.url if str(source.url).startswith(("https://", "http://")) else ""
        changes.append({"kind": "source", "words": f"{source.outlet}{title}", "link": link, "read_in": ""})
    order = list(KINDS)
    changes.sort(key=lambda change: order.index(change["kind"]))  # stable: each kind keeps its order
    return {"previous": previous.name, "first": False, "changes": changes, "note": ""}


def _finding_changes(previous: Path, current: Path) -> list[dict[str, str]]:
    def read(run: Path) -> dict[str, str]:
        try:
            found = json.loads((run / FINDINGS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {
            item["heading"]: item["words"] for item in found if isinstance(item, dict) and "heading" in item
        }

    old, new = read(previous), read(current)
    said = []
    for heading, words in new.items():
        if heading not in old:
            said.append({"kind": "finding", "words": f"New: {words.rstrip('.')}"})
        elif old[heading] != words:
            said.append(
                {"kind": "finding", "words": f"Now: {words.rstrip('.')}. Before: {old[heading].rstrip('.')}"}
            )
    said += [
        {"kind": "finding", "words": f"No longer shown: {old[h].rstrip('.')}"} for h in old if h not in new
    ]
    return said


def write(run_dir: Path, changes: Mapping[str, Any]) -> None:
    (run_dir / CHANGES_FILE).write_text(
        json.dumps(changes, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def read(run_dir: Path) -> dict[str, Any] | None:
    """A run's ``changes.json``; None if it has none (runs before this version) or it is broken."""
    try:
        changes = json.loads((run_dir / CHANGES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return changes if isinstance(changes, dict) and isinstance(changes.get("changes"), list) else None


#: How the feed and the front page count each kind of change.
COUNTED = {
    "finding": ("finding changed", "findings changed"),
    "added": ("figure added", "figures added"),
    "status": ("figure's standing changed", "figures' standing changed"),
    "corrected": ("figure corrected", "figures corrected"),
    "removed": ("figure no longer in the report", "figures no longer in the report"),
    "source": ("source added", "sources added"),
}


def summary(changes: Mapping[str, Any]) -> str:
    """'2 figures added, 1 figure's standing changed': the feed's and the front page's words."""
    if changes.get("first"):
        return "the first published run of this report"
    if changes.get("note"):
        return f"not worked out ({changes['note']})"
    counts: dict[str, int] = {}
    for change in changes.get("changes", []):
        counts[change["kind"]] = counts.get(change["kind"], 0) + 1
    said = [f"{n} {COUNTED[kind][n != 1]}" for kind, n in counts.items() if kind in COUNTED]
    return ", ".join(said) or "nothing changed"
