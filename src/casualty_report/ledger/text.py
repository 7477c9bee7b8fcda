"""Text at the door: what a ledger cell may hold besides its meaning.

Every cell is NFC-normalised when read, so an accent typed as one character or as a letter and a
combining mark is the same text, and a line break is ``\\n`` however the file was saved. What
cannot be seen is refused, with the row named: control characters, zero-width and other format
characters, and right-to-left overrides (U+202E turns ``txt.exe`` into ``exe.txt`` on screen).
And a place is spelt one way: a name mixing Latin and Cyrillic letters in one word, or one that
differs from another place only by look-alike letters or accents, would split one place's
figures in two without anyone seeing why.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

import pandas as pd
import pandera.pandas as pa

#: Unicode categories that do not show: control, format (zero-width, bidi), private use, surrogate.
INVISIBLE = frozenset({"Cc", "Cf", "Co", "Cs"})

# Cyrillic and Greek letters drawn like Latin ones (after casefolding), as Unicode's confusables
# list pairs them; enough to catch a place name typed with the wrong keyboard.
LOOK_ALIKES = str.maketrans(
    {
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "і": "i",
        "ј": "j",
        "ѕ": "s",
        "ԁ": "d",
        "һ": "h",
        "ӏ": "l",
        "α": "a",
        "β": "b",
        "ε": "e",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
    }
)


def normalised(cell: str) -> str:
    """NFC, with Windows and old-Mac line breaks made ``\\n``."""
    return unicodedata.normalize("NFC", cell.replace("\r\n", "\n").replace("\r", "\n"))


def _shows(cell: str) -> bool:
    return not any(char != "\n" and unicodedata.category(char) in INVISIBLE for char in cell)


def visible_only() -> pa.Check:
    """A text cell holds only characters that show (and line breaks). Most cells are printable
    as Python sees it, checked in C; only the others (a non-breaking space is one) are looked at
    character by character."""

    def check(cells: pd.Series) -> pd.Series:
        return pd.Series(
            [cell.replace("\n", "").isprintable() or _shows(cell) for cell in cells], index=cells.index
        )

    return pa.Check(
        check, error="text without control or invisible characters (zero-width spaces, direction overrides)"
    )


def _scripts(word: str) -> set[str]:
    """The scripts of a word's letters; modifier letters (the ʻ of Uzbek 'Qoʻngʻirot') have none."""
    return {
        unicodedata.name(char, "?").split()[0]
        for char in word
        if char.isalpha() and unicodedata.category(char) != "Lm"
    }


def _skeleton(name: str) -> str:
    """What a name looks like: accents dropped, case folded, look-alike letters made Latin."""
    stripped = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return " ".join(stripped.casefold().translate(LOOK_ALIKES).split())


def places_look_distinct(frame: pd.DataFrame) -> pd.Series:
    """No word of a place name mixes scripts, and no two places differ only in how they look:
    of two look-alike spellings, the rarer is refused (both, when they are as common)."""
    counts = Counter(frame["scope"])
    groups: dict[str, list[str]] = {}
    for name in counts:
        groups.setdefault(_skeleton(name), []).append(name)
    refused = {name for name in counts if any(len(_scripts(word)) > 1 for word in name.split())}
    for names in groups.values():
        if len(names) > 1:
            most = max(counts[name] for name in names)
            common = [name for name in names if counts[name] == most]
            refused |= {name for name in names if len(common) > 1 or name not in common}
    return ~frame["scope"].isin(refused)
