# ruff: noqa: RUF001  (names in Arabic and Cyrillic on purpose; a seeded generator)
"""Name and place pools with realistic frequencies, for the synthetic evaluation set (ADR 1002).

A real population does not draw its names uniformly from a few dozen: a few given names are
very common (Mohammed alone is borne by about one man in ten in some of the countries
concerned) and a long tail is rare, roughly a Zipf law (the share of the name of rank r is
proportional to 1/r^s). Family names are far more dispersed (s below 1, tens of thousands of
them). With the previous round's forty family names, every blocking rule on a name gave
blocks of tens of thousands of records at a million records, and the pairs to compare grew
with the square of the records, which no real register does.

The pools here start with the hand-written common names of vigie.devtools.linkage_eval (with
their real spelling variants in Latin, Arabic and Cyrillic script) as the head, followed by
a synthetic tail built the way Arabic names are: a root of three consonants poured into a
pattern (k-r-m: Karim, Karram, Makrum). Each tail name gets two or three Latin spellings
(vowels and consonants that transliterations write differently), an Arabic spelling
(consonants and long vowels, as Arabic writes them) and a Cyrillic one. Deterministic: the
pools do not depend on the seed of the records drawn from them. Nothing here imports the
matcher.
"""

from __future__ import annotations

import itertools
import random
from bisect import bisect
from dataclasses import dataclass
from functools import lru_cache

Name = tuple[tuple[str, ...], str, str]  # (Latin spellings, Arabic script, Cyrillic script)

# consonant: (Latin spellings, Arabic letter, Cyrillic)
_CONSONANTS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "b": (("b",), "ب", "б"),
    "t": (("t",), "ت", "т"),
    "th": (("th", "s"), "ث", "с"),
    "j": (("j", "dj", "g"), "ج", "дж"),
    "h": (("h",), "ح", "х"),
    "kh": (("kh", "h"), "خ", "х"),
    "d": (("d",), "د", "д"),
    "r": (("r",), "ر", "р"),
    "z": (("z",), "ز", "з"),
    "s": (("s",), "س", "с"),
    "sh": (("sh", "ch"), "ش", "ш"),
    "f": (("f",), "ف", "ф"),
    "q": (("q", "k"), "ق", "к"),
    "k": (("k",), "ك", "к"),
    "l": (("l",), "ل", "л"),
    "m": (("m",), "م", "м"),
    "n": (("n",), "ن", "н"),
    "gh": (("gh",), "غ", "г"),
}
# vowel: (Latin spellings, Arabic (short vowels are not written), Cyrillic)
_VOWELS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "a": (("a", "e"), "", "а"),
    "i": (("i", "e"), "", "и"),
    "u": (("u", "ou", "o"), "", "у"),
    "aa": (("a", "aa"), "ا", "а"),
    "ii": (("i", "ee"), "ي", "и"),
    "uu": (("ou", "u", "oo"), "و", "у"),
}
# patterns: 1 2 3 are the root's consonants, "=2" doubles the second; "A" is a final taa
# marbuta (-a, written ة), "I" a final nisba -i (written ي), "an" the -an ending
_FAMILY_PATTERNS = (
    "1 a 2 ii 3", "1 a =2 aa 3", "1 aa 2 i 3", "1 a 2 3 aa n", "1 a 2 ii 3 I",
    "m a 1 2 uu 3", "1 u 2 a 3", "1 a 2 aa 3", "1 a 2 a 3 I", "1 i 2 aa 3",
)  # fmt: skip
_GIVEN_PATTERNS = ("1 a 2 ii 3", "1 aa 2 i 3", "1 a 2 aa 3", "1 u 2 a 3", "1 a =2 aa 3")
_FEMALE_PATTERNS = ("1 a 2 ii 3 A", "1 aa 2 i 3 A", "1 a 2 3 A", "1 a 2 aa 3 A", "1 u 2 a 3 A")
_PLACE_PATTERNS = ("1 a 2 3 A", "1 i 2 aa 3", "1 a 2 a 3", "1 u 2 uu 3", "1 a 2 aa 3 I")


def _spellings(pattern: str, root: tuple[str, str, str], rng: random.Random) -> Name:
    """The canonical Latin spelling, up to two variants, the Arabic and Cyrillic ones."""
    pieces = pattern.split()
    arabic, cyrillic = "", ""
    choices: list[tuple[str, ...]] = []
    for piece in pieces:
        if piece in ("1", "2", "3", "=2"):
            latin, ar, ru = _CONSONANTS[root[int(piece[-1]) - 1]]
            if piece == "=2":
                latin = tuple(x + x[-1] for x in latin)
                ru += ru[-1]
            choices.append(latin)
            arabic, cyrillic = arabic + ar, cyrillic + ru
        elif piece in _VOWELS:
            latin, ar, ru = _VOWELS[piece]
            choices.append(latin)
            arabic, cyrillic = arabic + ar, cyrillic + ru
        elif piece == "A":
            choices.append(("a", "ah"))
            arabic, cyrillic = arabic + "ة", cyrillic + "а"
        elif piece == "I":
            choices.append(("i", "y"))
            arabic, cyrillic = arabic + "ي", cyrillic + "и"
        else:  # a letter of the pattern itself (m of maf'ul, n of -an)
            latin, ar, ru = _CONSONANTS[piece]
            choices.append(latin)
            arabic, cyrillic = arabic + ar, cyrillic + ru
    canonical = "".join(c[0] for c in choices)
    variants = {canonical}
    for _ in range(rng.choice((1, 2, 2))):
        variants.add("".join(rng.choice(c) for c in choices))
    latins = tuple(v.capitalize() for v in [canonical, *sorted(variants - {canonical})])
    return latins, arabic, cyrillic.capitalize()


def _tail(patterns: tuple[str, ...], size: int, salt: int, taken: set[str]) -> list[Name]:
    rng = random.Random(1_000_003 * salt + 17)
    roots = [
        (a, b, c)
        for a, b, c in itertools.product(_CONSONANTS, repeat=3)
        if a != b and b != c  # Arabic roots rarely repeat a consonant side by side
    ]
    rng.shuffle(roots)
    out: list[Name] = []
    for root, pattern in zip(roots * len(patterns), itertools.cycle(patterns), strict=False):
        if len(out) >= size:
            break
        name = _spellings(pattern, root, rng)
        if name[0][0].lower() in taken:
            continue
        taken.add(name[0][0].lower())
        out.append(name)
    return out


@dataclass(frozen=True)
class Pool:
    """Names in the order of their frequency, drawn with a Zipf law of exponent s."""

    names: tuple[Name, ...]
    cumulative: tuple[float, ...]

    def draw(self, rng: random.Random) -> Name:
        return self.names[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def _pool(head: tuple[Name, ...], tail: list[Name], s: float) -> Pool:
    names = (*head, *tail)
    total, cumulative = 0.0, []
    for rank in range(1, len(names) + 1):
        total += rank**-s
        cumulative.append(total)
    return Pool(names, tuple(cumulative))


# sizes and exponents (ADR 1002): given names concentrated (the first male name about 12%
# of men), family names dispersed (the first about 3%), places in between
SIZES = {"male": 2000, "female": 2000, "family": 30000, "place": 3000}
EXPONENTS = {"male": 1.0, "female": 1.0, "family": 0.8, "place": 1.0}


@lru_cache(maxsize=4)
def pools(
    male: tuple[Name, ...], female: tuple[Name, ...], family: tuple[Name, ...],
    place: tuple[Name, ...],
) -> dict[str, Pool]:  # fmt: skip
    taken = {n[0][0].lower() for n in (*male, *female, *family, *place)}
    given_taken = set(taken)
    out = {}
    for salt, (kind, head, patterns) in enumerate(
        (
            ("male", male, _GIVEN_PATTERNS),
            ("female", female, _FEMALE_PATTERNS),
            ("family", family, _FAMILY_PATTERNS),
            ("place", place, _PLACE_PATTERNS),
        )
    ):
        size = SIZES[kind] - len(head)
        tail = _tail(patterns, size, salt, given_taken if kind != "family" else set(taken))
        out[kind] = _pool(head, tail, EXPONENTS[kind])
    return out
