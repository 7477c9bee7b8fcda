"""The legend: every mark the charts draw on a figure, and the words that decode it.

One home for the keys a bar chart and a timeline print under their subtitle and for the page's
"How to read" line, so a chart and the page around it cannot decode a mark differently. A
status's mark is a status's own (:mod:`casualty_report.ledger.statuses`: ``bar_key``,
``timeline_key``, ``page_key``); the marks of a figure's wording are here. Kept apart from the
charts so a page reads it without loading matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass

from casualty_report.ledger.statuses import STATUSES


@dataclass(frozen=True)
class Mark:
    """How a chart marks a figure's wording: the key line on a bar chart and on a timeline, and
    its part of the page's "How to read" line."""

    bar: str
    timeline: str
    page: str


LOWER_BOUND = Mark(
    "▸ marks a lower bound (at least, over, dozens)",
    "+ marks a lower bound",
    '▸ or + marks a lower bound: "at least", "over", or a vague word such as "dozens", drawn at the '
    "smallest number it can mean (12)",
)
ROUNDED = Mark(
    "",  # bars carry no mark for it: the figure's label says "about"
    "≈ marks a rounded figure (about, nearly)",
    '≈ marks a rounded figure ("about", "nearly")',
)
RANGE = Mark(
    "a thin line carries a range from its lower figure to its upper one",
    "a bar joins the two ends of a range",
    'a bar or a thin line from one figure to another is a range the claimant gave ("55–77")',
)
MARKS = (LOWER_BOUND, ROUNDED, RANGE)


def status_keys(statuses: set[str], chart: str) -> list[str]:
    """The key lines for the statuses a chart draws (``chart``: "bar" or "timeline"), in the
    vocabulary's order; a status drawn plainly has none."""
    keys = [getattr(status, f"{chart}_key") for word, status in STATUSES.items() if word in statuses]
    return [key for key in keys if key]


def how_to_read() -> str:
    """The page's "How to read the charts and tables" line, from the same marks."""
    standing = "; ".join(status.page_key for status in STATUSES.values() if status.page_key)
    wording = "; ".join(mark.page for mark in MARKS)
    return f"In charts and tables: {standing}. {wording}. Figures are never added across counting systems."
