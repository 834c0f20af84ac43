"""Names a list's own narrative gives for its entries, kept as aliases.

The UN narratives name listed people the way the Committee writes them elsewhere: "acted on
behalf of ... Mohamed Kashlaf (LYi.025) and Abdulrahman al Milad (LYi.026)" while the entries
read MOHAMMED AL AMIN AL-ARABI KASHLAF and ABD AL-RAHMAN SALIM IBRAHIM AL-MILAD. Those
spellings are what officers will type, so each one becomes an alias of the entry it names
(kind ``narrative``, quality ``low``: second-hand). "(also spelled ...)" is not used: in the
lists it qualifies a relative's name, not the entry's.
"""

from __future__ import annotations

import re

from vigie.screening.parsers.base import ParsedEntry

# A reference in parentheses, after the name it refers to: "Mohamed Kashlaf (LYi.025)".
_REFERENCE = re.compile(r"\(([A-Z]{2,3}[ie]\.\d{3})\)")
_WORD = re.compile("^[A-Z\u00c0-\u024f][\\w'\u2019\\-]*$")
_PARTICLES = {"al", "el", "bin", "ibn", "ben", "wa", "ould", "abu", "abd", "de", "du", "van"}
_NOT_NAMES = {"The", "He", "She", "His", "Her", "Brother", "Father", "Son", "Deputy", "Leader"}
MAX_WORDS = 6


def name_before(text: str) -> str:
    """The run of capitalised words (and name particles) that ends ``text``."""
    out: list[str] = []
    for word in reversed(text.replace("\n", " ").split()):
        w = word.strip(",;:")
        if w != word and out:
            break
        if (_WORD.match(w) and w not in _NOT_NAMES) or (out and w.lower() in _PARTICLES):
            out.append(w)
            if len(out) >= MAX_WORDS:
                break
        else:
            break
    while out and out[-1].lower() in _PARTICLES:  # a particle cannot start a name
        out.pop()
    return " ".join(reversed(out))


def add_narrative_aliases(entries: list[ParsedEntry]) -> None:
    by_ref = {e.reference: e for e in entries}
    for entry in entries:
        text = entry.comments
        if not text:
            continue
        for m in _REFERENCE.finditer(text):
            target = by_ref.get(m.group(1))
            name = name_before(text[: m.start()])
            if target is not None and len(name.split()) >= 2:
                target.add_name(name, "narrative", "low")
