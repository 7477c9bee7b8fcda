"""A claim's status (active, retracted, superseded, disputed) and what each means for the rules.

Every rule that treats statuses differently reads the flags here, never a list of status words:
a new status is one entry, and the tables, sentences, estimates and charts follow.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Status:
    """What a figure's status means for every rule that reads it: the flags below are the only
    place the statuses are told apart (``IN_FORCE``, ``SOUND`` and the others are derived)."""

    meaning: str
    label: str  # the report's word: "withdrawn", not the ledger's "retracted"
    rank: int  # a total's status is the worst of its parts': higher is worse
    was: str  # what a figure was, in a sentence about what it is now: "(it was withdrawn before)"
    withdrawn: bool = False  # taken back by whoever gave it
    replaced: bool = False  # replaced by a later figure from the same claimant
    contested: bool = False  # it stands, but other reporting contests what it counts
    bar_key: str = ""  # how a bar chart draws it, for its key ("" when drawn plainly)
    timeline_key: str = ""  # how a timeline draws it, for its key ("" when drawn plainly)
    page_key: str = ""  # its part of a page's "How to read" line ("" when drawn plainly)
    # How a summary says what became of n figures with it, one and several: of every figure in
    # the tables (nothing for the standing ones), and of the focus source's figures.
    fate: tuple[str, str] = ("", "")
    focus_fate: tuple[str, str] = ("", "")

    @property
    def in_force(self) -> bool:
        """The claimant's word now: neither withdrawn nor replaced (a contested figure stands)."""
        return not (self.withdrawn or self.replaced)

    @property
    def sound(self) -> bool:
        """Neither withdrawn nor contested: the figure stood as given when it was given (a
        replaced figure did), so a line may join it and a sentence needs no word for it."""
        return not (self.withdrawn or self.contested)


# In the order a bar chart's key lists them.
STATUSES: dict[str, Status] = {
    "active": Status(
        "in force: not withdrawn, not contradicted",
        "stands",
        rank=0,
        was="stood",
        focus_fate=("stands as published", "stand as published"),
    ),
    "retracted": Status(
        "withdrawn by the claimant",
        "withdrawn",
        rank=3,
        was="was withdrawn",
        withdrawn=True,
        bar_key="hollow dashed bars were withdrawn",
        timeline_key="hollow rings were withdrawn",
        page_key="a figure drawn hollow with a dashed edge was withdrawn by whoever gave it",
        fate=("was withdrawn by whoever gave it", "were withdrawn by whoever gave them"),
        focus_fate=("had been withdrawn", "had been withdrawn"),
    ),
    "superseded": Status(
        "replaced by a later figure from the same claimant",
        "superseded",
        rank=1,
        was="was superseded",
        replaced=True,
        bar_key="hollow dotted bars were replaced by a later figure",
        page_key="hollow and dotted, replaced by a later figure of theirs",
        fate=(
            "was replaced by a later figure from the same authorities",
            "were replaced by later figures from the same authorities",
        ),
        focus_fate=(
            "was later revised by the same authorities",
            "were later revised by the same authorities",
        ),
    ),
    "disputed": Status(
        "the figure stands but its scope, measure, population or attribution is contested",
        "disputed",
        rank=2,
        was="was disputed",
        contested=True,
        bar_key="hatched bars are disputed",
        timeline_key="half-filled markers are disputed",
        page_key=(
            "hatched or half-filled, disputed (it stands, but what it counts or who gave it is contested)"
        ),
        fate=("is disputed", "are disputed"),
        focus_fate=(
            "is framed in a way other reporting contradicts",
            "are framed in a way other reporting contradicts",
        ),
    ),
}

#: The statuses by what they mean, for frames (``claims["status"].isin(IN_FORCE)``).
IN_FORCE = tuple(word for word, status in STATUSES.items() if status.in_force)
SOUND = tuple(word for word, status in STATUSES.items() if status.sound)
WITHDRAWN = tuple(word for word, status in STATUSES.items() if status.withdrawn)
REPLACED = tuple(word for word, status in STATUSES.items() if status.replaced)
CONTESTED = tuple(word for word, status in STATUSES.items() if status.contested)
#: The status of a figure nothing has happened to (and, before its status took effect, every figure's).
STANDING = next(word for word, status in STATUSES.items() if status.in_force and status.sound)
