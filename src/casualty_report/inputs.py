"""Reading what a user hands us, within bounds, and quoting it back in messages.

Every input file (a ledger file, ``dataset.yml``, a parameter set) is read by
:func:`read_input`: a regular file within a size limit, never through a link. YAML is parsed by
:func:`load_yaml`, which refuses what could flood memory or silently lose a key. A bad value is
quoted by :func:`shown` in about 80 characters, so a hostile file cannot flood a log.
"""

from __future__ import annotations

import errno
import os
import reprlib
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

#: A ledger file is a few hundred rows; past this it is refused unread (a typo'd path, a dump).
MAX_LEDGER_BYTES = 32 * 1024 * 1024


class UnreadableInput(ValueError):
    """An input file refused before it is read: the message says why, without the path."""


def read_input(path: Path, limit: int) -> bytes:
    """The bytes of an input file (a ledger file, dataset.yml, a parameter set), read only if it
    is a regular file of at most ``limit`` bytes and not a symbolic link: a link could point
    anywhere (``/etc/passwd``, ``/dev/zero``), a device or a pipe reads for ever, and a huge file
    would be read whole before any size check. ``FileNotFoundError`` passes through."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnreadableInput(
                "a symbolic link (the file itself must be here, not a link to it)"
            ) from None
        raise
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise UnreadableInput("not a regular file (a device, a pipe or a folder)")
        if status.st_size > limit:
            raise UnreadableInput(f"larger than the {limit:,} bytes allowed ({status.st_size:,} bytes)")
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew while we read
        raise UnreadableInput(f"larger than the {limit:,} bytes allowed")
    return data


def a_few(words: Sequence[str], most: int = 8) -> str:
    """Up to ``most`` words for a message, each quoted (so no control character reaches a log),
    then how many more: 3,000 places cost a line, not 57 KB."""
    listed = ", ".join(shown(word, 40) for word in words[:most])
    return listed + (f" … and {len(words) - most:,} more" if len(words) > most else "")


def shown(value: Any, limit: int = 80) -> str:
    """A value quoted for a message in at most about ``limit`` characters, with its length when
    cut: a 100,000-character cell or a deeply nested structure costs one short line. (reprlib
    never builds the whole repr, so even a huge nested value is cheap to quote.)"""
    quoter = reprlib.Repr()
    quoter.maxlevel, quoter.maxlist, quoter.maxdict, quoter.maxstring, quoter.maxother = 3, 4, 4, limit, limit
    text = quoter.repr(value)
    cut = len(text) > limit
    if cut:
        text = text[: limit - 1] + "…"
    if isinstance(value, str) and (cut or len(value) > limit - 2):
        text += f" ({len(value):,} characters)"
    elif isinstance(value, list | dict | tuple) and (cut or len(value) > 4):
        text += f" ({len(value):,} items)"
    return text


#: YAML input (parameter files, dataset.yml) is small; past these it is refused unread.
MAX_YAML_BYTES = 64 * 1024
MAX_YAML_ALIASES = 20
MAX_YAML_DEPTH = 20  # a finding's claims list is 3 deep; 10,000 nested "[" overflow the stack
MAX_NUMBER_DIGITS = 30  # Python refuses to read an int of over 4,300 digits, with no line named


def load_yaml(text: str) -> Any:
    """Parse a small YAML document safely: refuse one over :data:`MAX_YAML_BYTES`, with more
    than :data:`MAX_YAML_ALIASES` aliases (nested aliases expand exponentially: a 300-byte file
    can stand for gigabytes), nested deeper than :data:`MAX_YAML_DEPTH`, with a number of more
    than :data:`MAX_NUMBER_DIGITS` digits, or setting a key twice (the second would win
    silently). Raises ``yaml.YAMLError`` with a short message naming the line."""
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise yaml.YAMLError(f"larger than {MAX_YAML_BYTES // 1024} KB")

    def refused(node, what: str) -> yaml.YAMLError:
        return yaml.YAMLError(f"line {node.start_mark.line + 1}: {what}")

    class BoundedLoader(yaml.SafeLoader):
        aliases, depth = 0, 0

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_YAML_ALIASES:
                    raise yaml.YAMLError(f"more than {MAX_YAML_ALIASES} aliases (*name): refused")
            self.depth += 1
            try:
                if self.depth > MAX_YAML_DEPTH:
                    raise yaml.YAMLError(
                        f"line {self.peek_event().start_mark.line + 1}: "
                        f"nested deeper than {MAX_YAML_DEPTH} levels"
                    )
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

        def construct_mapping(self, node, deep=False):
            seen: list[Any] = []
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    raise refused(key_node, f"key {shown(key)} is set twice")
                seen.append(key)
            return super().construct_mapping(node, deep)

        def construct_yaml_int(self, node):
            if sum(character.isdigit() for character in node.value) > MAX_NUMBER_DIGITS:
                raise refused(node, f"a number of more than {MAX_NUMBER_DIGITS} digits")
            return super().construct_yaml_int(node)

    BoundedLoader.add_constructor("tag:yaml.org,2002:int", BoundedLoader.construct_yaml_int)
    try:
        return yaml.load(text, Loader=BoundedLoader)
    except (ValueError, RecursionError) as error:  # a float overflow, a stack overflow
        raise yaml.YAMLError(f"unreadable value ({type(error).__name__})") from None
