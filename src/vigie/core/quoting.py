"""How an import problem names a value it found wrong (ADR 0054).

Problems of imported files end up in job results, API errors and CLI output read by people
without the identity permission. A problem still says file, row, column and why; it quotes
the value only when the column is not identity *and* the value has a shape no name has: at
most one letter (an amount ``12x``, a date ``2024-13-45``), or an identifier of hex digits
and dashes (``uuid:4f0c…``). A shifted row or a wrong mapping can put a holder's name in an
ordinary column, and that name has the shape of a word: such a value is described (its
length and the kinds of its characters), never quoted.
"""

from __future__ import annotations

import re

MAX_QUOTED = 64
_HEX_ID = re.compile(r"(?:uuid:)?(?=[0-9a-f-]*\d)[0-9a-f-]{8,}", re.IGNORECASE)


def quotable(value: str) -> bool:
    """A value whose shape no name has: short, and at most one letter or a hex identifier."""
    if len(value) > MAX_QUOTED:
        return False
    return sum(ch.isalpha() for ch in value) <= 1 or _HEX_ID.fullmatch(value) is not None


def shape(value: str) -> str:
    """The value described without its text: ``5 characters: letters, digits``."""
    kinds = [
        name
        for name, test in (
            ("letters", str.isalpha),
            ("digits", str.isdigit),
            ("spaces", str.isspace),
        )
        if any(test(ch) for ch in value)
    ]
    if any(not (ch.isalnum() or ch.isspace()) for ch in value):
        kinds.append("other characters")
    return f"{len(value)} characters: {', '.join(kinds)}" if value else "empty"


def shown(value: str | None, *, ordinary: bool) -> tuple[str | None, str | None]:
    """(the value quoted, or None; its shape when it is not quoted, or None)."""
    if value is None:
        return None, None
    if ordinary and quotable(value):
        return value, None
    return None, shape(value)
