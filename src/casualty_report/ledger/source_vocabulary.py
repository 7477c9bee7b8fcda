"""The words of ``sources.csv``: how a title or a date no stored copy shows was known.

Kept apart from :mod:`casualty_report.ledger.vocabulary` (the words of the claims) so each registry
file stays small; ``vocabulary.VOCABULARIES`` registers these for the validator and the Data
Package like every other column's words.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KnownFrom:
    meaning: str
    aside: str = ""  # in brackets after the value in the readers' sources table ("" when plain)


# How a source's title or date is known, when not shown on the stored copy cited (sources.csv's
# title_from and date_from; empty means the page shows it). Weakest last.
KNOWN_FROM: dict[str, KnownFrom] = {
    "page": KnownFrom("shown on the stored copy of the page cited"),
    "address": KnownFrom(
        "read from the page's address (its dated path, a timestamp coded in it, or the headline "
        "written into it): the words are the outlet's, the capitals and punctuation ours (and the "
        "letters, where the address spells a Cyrillic headline in Latin)"
    ),
    "copy": KnownFrom("shown on another stored copy of the same report"),
    "inferred": KnownFrom(
        "worked out from the page's own text: the day of the statement it reports as that day's news "
        "(a weekday it names, 'on March 17'); the page may be a day later. The weakest",
        aside="worked out from the text",
    ),
}
