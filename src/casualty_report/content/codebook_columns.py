"""What each column of the published tables means: the codebook's entries, one per column name.

A column name means the same in every table, so one entry serves them all; where a name truly
means something else in one table (the ``low`` of an estimate is the lowest bound across
claimant groups, not one figure's bound), an override there changes its title and description,
never its type or constraints. :mod:`casualty_report.content.codebook` writes them out as a Data Package.

The controlled vocabularies come from :mod:`casualty_report.ledger.vocabulary`, never copied here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypedDict

from casualty_report.conventions import POPULATION_SEPARATOR
from casualty_report.ledger.schema import CLAIMS, SOURCES
from casualty_report.ledger.statuses import STATUSES
from casualty_report.ledger.vocabulary import CLAIMANT_GROUPS, POPULATIONS, VOCABULARIES

#: How pandas writes booleans.
TRUE_VALUES = ("True",)
FALSE_VALUES = ("False",)

TYPES = ("string", "integer", "number", "boolean", "date")


@dataclass(frozen=True)
class Column:
    """One column of the published tables, as a Frictionless Table Schema field."""

    name: str
    type: str
    title: str
    description: str
    # A controlled vocabulary, read when the schema is written so an added word is in it.
    enum: Mapping[str, Any] | None = None
    joined: Mapping[str, Any] | None = None  # vocabulary words joined by " + "
    minimum: int | float | None = None

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"column {self.name!r}: type {self.type!r} is not one of {', '.join(TYPES)}")
        if not self.title.strip() or not self.description.strip():
            raise ValueError(f"column {self.name!r}: a title and a description are required")

    def field(self) -> dict[str, Any]:
        """The Table Schema field descriptor."""
        descriptor: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "type": self.type,
        }
        if self.type == "date":
            descriptor["format"] = "default"  # ISO 8601, YYYY-MM-DD
        if self.type == "boolean":
            descriptor["trueValues"] = list(TRUE_VALUES)
            descriptor["falseValues"] = list(FALSE_VALUES)
        constraints: dict[str, Any] = {}
        if self.enum is not None:
            constraints["enum"] = list(self.enum)
        if self.joined is not None:
            constraints["pattern"] = _joined_words(self.joined)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if constraints:
            descriptor["constraints"] = constraints
        return descriptor


def _joined_words(vocabulary: Mapping[str, Any]) -> str:
    """A pattern matching one or more vocabulary words separated by ' + ' (Table Schema
    patterns are anchored at both ends)."""
    word = "(?:" + "|".join(re.escape(w) for w in vocabulary) + ")"
    between = POPULATION_SEPARATOR.replace("+", "\\+")  # ' \\+ ': only the plus needs escaping
    return f"{word}(?:{between}{word})*"


#: A ledger column's kind (ledger/schema.py) as a published table's field type.
_TYPE_OF_KIND = {"id": "string", "text": "string", "word": "string", "ref": "string", "url": "string",
                 "date": "date", "count": "integer"}  # fmt: skip


def _from_ledger(name: str, description: str | None = None) -> Column:
    """A ledger column as the published tables carry it: the title, description and vocabulary
    the ledger's schema gives it (one wording for both data packages); ``description`` only
    where the published table means something else."""
    field = next(field for table in (CLAIMS, SOURCES) for field in table.fields if field.name == name)
    return Column(
        name,
        _TYPE_OF_KIND[field.kind],
        field.title,
        description or field.description,
        enum=VOCABULARIES[name] if field.kind == "word" else None,
        minimum=0 if field.kind == "count" else None,
    )


def _side(prefix: str, whose: str, in_words: str) -> list[Column]:
    """The columns of one side of the officials-against-Health-Ministry comparison: ``whose``
    heads a title ("Officials'"), ``in_words`` stands in a sentence ("the officials'")."""
    return [
        Column(f"{prefix}_value", "integer", f"{whose} total",
               f"{in_words[0].upper()}{in_words[1:]} latest total for the place: a figure for everyone, or "
               "figures for civilians, security forces and attackers reported together, added up.",
               minimum=0),
        Column(f"{prefix}_lower_bound", "boolean", f"{whose} total open-ended",
               f"True when a figure in {in_words} total is open-ended ('at least', 'over', a vague word), so "
               "the true total may be higher."),
        Column(f"{prefix}_populations", "string", f"{whose} populations",
               f"The populations {in_words} total covers: 'all', or the populations added, separated by "
               "' + '.", joined=POPULATIONS),
        Column(f"{prefix}_status", "string", f"{whose} status",
               f"The status of {in_words} total: the worst status among the figures it adds (retracted, then "
               "disputed, then superseded).", enum=STATUSES),
        Column(f"{prefix}_reported_on", "date", f"{whose} total reported on",
               f"When {in_words} total was reported."),
        Column(f"{prefix}_claim_ids", "string", f"{whose} claims",
               f"The ids of the claims behind {in_words} total, separated by spaces; where there are "
               "several, their figures were added (the populations column says which)."),
    ]  # fmt: skip


_COLUMNS: list[Column] = [
    # --- claims: casualties, injuries, arrests; corrections ----------------------------------
    # --- the ledger's own columns, as its schema describes them ------------------------------
    *(_from_ledger(name) for name in (
        "claim_id", "reported_on", "measure", "population", "scope", "claimant", "claimant_group",
        "qualifier", "count_kind", "value")),
    Column("low", "integer", "Lower bound",
           "The smallest number the figure's wording allows ('about 5,800' is at least 5,750).", minimum=0),
    Column("high", "integer", "Upper bound",
           "The largest number the figure's wording allows; empty when it is open-ended ('at least', "
           "'over', a vague word).", minimum=0),
    # A published table's statuses are those of its report's date (as_of), not of today.
    _from_ledger("status", "Whether the figure stands, as known on the report's date: a word of the ledger's "
                 "status vocabulary."),
    *(_from_ledger(name) for name in (
        "source_id", "locator", "note", "outlet", "title", "author", "published_on", "url", "accessed_on",
        "title_from", "date_from")),
    # --- death-toll-comparison ----------------------------------------------------------------
    # Officials' side, and the side of whichever group a dataset sets against them (compared_with).
    *(column for word, group in CLAIMANT_GROUPS.items()
      for column in _side(word, group.whose, group.whose[:1].lower() + group.whose[1:])),
    Column("difference", "integer", "Difference",
           "The other counter's total (the Health Ministry's, or the group the dataset sets against "
           "officials) minus the officials'; empty where the two may not be compared "
           "(see basis) or a floor only bounds the gap."),
    Column("ratio", "number", "Ratio",
           "The other counter's total divided by the officials', rounded to two decimals; empty where "
           "the difference is.", minimum=0),
    Column("basis", "string", "Compared as",
           "How the two may be set against each other: 'same day' (both known on one day, at most three "
           "days apart), 'final' (one is the final count); empty when they may not."),
    Column("compared_on", "date", "Compared as known on",
           "The day both figures were known, for a 'same day' comparison; else empty."),
    Column("why_not", "string", "Why not compared",
           "Why the two figures are not compared, in words (different people, a sum of parts, dates "
           "too far apart…); empty when they are."),
    # --- estimates ----------------------------------------------------------------------------
    Column("date", "date", "As of",
           "The day at whose end the estimate stands, counting only figures reported by then."),
    Column("best", "integer", "Best estimate",
           "The undisputed figure with an upper bound reported last, kept within its own bounds, the lowest "
           "on a tie (ACLED's conservative choice), never below a floor ('at least'); empty when no figure "
           "counts.", minimum=0),
    Column("claim_ids", "string", "Claims",
           "The ids of the claims the row was computed from, separated by spaces (in a total, the "
           "figures added together)."),
    Column("excluded_ids", "string", "Withdrawn claims left out",
           "The ids of withdrawn (retracted) claims reported by then and left out of the estimate, "
           "separated by spaces."),
    # --- death-toll-timeline ------------------------------------------------------------------
    Column("lower_bound", "boolean", "Open-ended",
           "True when a figure added into the total is open-ended ('at least', 'over', a vague word), so "
           "the true total may be higher."),
    Column("populations", "string", "Populations",
           "The populations the total covers: 'all', or the populations added, separated by ' + '.",
           joined=POPULATIONS),
    Column("parts", "integer", "Figures added",
           "How many of the report's figures the total adds up (1 for a figure for everyone).", minimum=1),
    # --- corrections --------------------------------------------------------------------------
    Column("said", "string", "What was said",
           "The claim in words: the figure, what it counts, whom and where, and who said it."),
    Column("what_other_reporting_shows", "string", "What other reporting shows",
           "Whether the figure was withdrawn, and the later claims that show it counted another place, "
           "measure, population or counter, each with its claim id; empty when none does."),
    Column("latest_estimate", "string", "Latest estimate",
           "The latest best estimate for the same measure, population and place, with its date and the "
           "claims behind it; 'no later figure' when there is none."),
]  # fmt: skip

#: Every documented column, by name.
CODEBOOK: Mapping[str, Column] = MappingProxyType({column.name: column for column in _COLUMNS})
if len(CODEBOOK) != len(_COLUMNS):
    raise RuntimeError("a column is documented twice in the codebook")


class Words(TypedDict, total=False):
    """What an override may change: a column's words."""

    title: str
    description: str


#: Where a name means something else in one table: (table, column) -> new title and description.
#: Only the words change; type and constraints stay the column's.
OVERRIDES: Mapping[tuple[str, str], Words] = MappingProxyType({
    ("estimates", "low"): {
        "title": "Low estimate",
        "description": "The lowest lower bound of the figures counted (each claimant group's latest); "
                       "empty when no figure counts.",
    },
    ("estimates", "high"): {
        "title": "High estimate",
        "description": "The highest upper bound of the figures counted; empty when any of them is "
                       "open-ended or none counts.",
    },
    ("death-toll-timeline", "value"): {
        "title": "Total",
        "description": "The report's total: its figure for everyone, or its figures for civilians, "
                       "security forces and attackers added up.",
    },
    ("death-toll-timeline", "low"): {
        "title": "Lower bound",
        "description": "The sum of the lower bounds of the figures added into the total.",
    },
    ("death-toll-timeline", "high"): {
        "title": "Upper bound",
        "description": "The sum of the upper bounds of the figures added; empty when any of them is "
                       "open-ended.",
    },
    ("death-toll-timeline", "status"): {
        "title": "Status",
        "description": "The worst status among the figures added into the total (retracted, then "
                       "disputed, then superseded), as known on the report's date.",
    },
})  # fmt: skip
for (_table, _name), _change in OVERRIDES.items():
    if _name not in CODEBOOK or not set(_change) <= {"title", "description"}:
        raise RuntimeError(f"override of {_table}.{_name}: an undocumented column, or more than its words")
