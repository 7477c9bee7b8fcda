"""The small conventions both sides of the package share: what the ledger, the report's content
and the publishing steps must agree on without importing each other."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

#: The licence of the ledger and of every table derived from it (data/<dataset>/README.md,
#: "Licence"; the top-level README, "Licensing"). The code's MIT licence does not cover data.
DATA_LICENCE: Mapping[str, str] = MappingProxyType(
    {
        "name": "CC-BY-4.0",
        "path": "https://creativecommons.org/licenses/by/4.0/",
        "title": "Creative Commons Attribution 4.0 International",
    }
)

#: Output metadata key under which a displayed chart leaves its words for the front page (here, not
#: beside the charts, so the site reads a chart's words without importing matplotlib).
CHART_METADATA = "casualty_report/chart"


def slug(text: str) -> str:
    """A Data Package name: lower case, ASCII letters and digits, runs of anything else as '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


#: How a published table writes a cell that holds several values (a tuple in the frames): the
#: claim ids behind a total separated by spaces, as the ledger's link columns write them, and
#: the populations a total adds by ' + '. The codebook describes both; nothing else joins them.
POPULATION_SEPARATOR = " + "
ID_SEPARATOR = " "


def as_ids(cell: object) -> tuple[str, ...]:
    """A frame's cell of several values (claim ids, populations) as the tuple it must be: a bare
    string is refused, since it would read as one value per character."""
    if not isinstance(cell, tuple):
        raise TypeError(f"expected a tuple of ids or words, got {cell!r}")
    return cell


def ids_given(ids: object) -> tuple[str, ...]:
    """Claim ids a function was given (any sequence of them), as a tuple; one id passed as a bare
    string is refused rather than read as one id per character."""
    if isinstance(ids, str) or not isinstance(ids, tuple | list | set | frozenset):
        raise TypeError(f"expected claim ids (a tuple or a list), got {ids!r}")
    return tuple(ids)


def joined(column: str, cell: object) -> object:
    """A frame's cell as a CSV writes it: a tuple of ids or populations joined by its column's
    separator, anything else as it is. A tuple in any other column is an error: the codebook
    would not say how it was joined."""
    if not isinstance(cell, tuple):
        return cell
    if column.endswith("populations"):
        return POPULATION_SEPARATOR.join(cell)
    if column.endswith("_ids"):
        return ID_SEPARATOR.join(cell)
    raise ValueError(
        f"column {column!r} holds several values, and the codebook says of no such column how they are joined"
    )
