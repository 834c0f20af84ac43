"""Name analysis and name-pair scoring, on the field's libraries.

- rigour analyses a name (prefix and honorific removal, organisation legal forms, tokenising,
  transliteration of the admitted scripts, metaphone) and tags its parts with symbols that
  hold across scripts and romanisations (``NAME:Q5837762`` for Mohammed / Muhammad /
  محمد, ``SYMBOL:BIN`` for bin / ibn / بن); its ``pair_symbols`` and ``compare_parts``
  align two names part by part.
- A name in a script rigour does not transliterate inline (Chinese, Arabic, ...) gets a second,
  romanised form from ``rigour.text.ascii_text``.
- Before rigour, a name is normalised the way people write it (``normalise``): Arabic script
  variants (hamza, taa marbuta, alef forms, tashkeel, tatweel, Persian letters) folded,
  honorifics, titles and bracketed notes dropped, "Abd al-Rahman" / "Abdelrahman" written as
  "Abdul Rahman", and
  after it the given-name equivalents of ``data/name_variants.yaml`` (Mohammed / Muhamad,
  Yusuf / Youssef ...) tag parts with a shared symbol, as rigour's own name symbols do.
- rapidfuzz (token-sort ratio) and jellyfish (Jaro-Winkler) give the secondary string
  features reported in every explanation.

Credit: the symbolic matching here — tag parts with symbols, pair the symbols two names
share, compare the parts left over spelling against spelling, weigh each alignment and
combine — follows the person-name matcher of OpenSanctions' nomenklatura (``logic-v2``,
MIT licence, © OpenSanctions Datenbanken GmbH), through the same rigour functions
(``pair_symbols``, ``compare_parts``, ``align_person_name_order``; rigour, MIT). What is
ours: the normalisation before rigour, the equivalents file, the romanisation keys, the
pairing of initials, joined parts and leftovers, the weights. nomenklatura itself is not a
dependency (it needs PyICU built from source and pins versions that clash with ours); the
quality benchmark runs it from its own environment for comparison (docs/screening.md).

Three modules: ``name_text`` (a name as text: normalisation, romanisation and typing-error
keys), ``name_parts`` (analysed names: parts, symbols, lexicon, frozen form, blocking keys)
and this one (two analysed names compared). The public names of the first two are imported
here too: the rest of Vigie imports them from ``vigie.screening.names``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jellyfish
from rapidfuzz import fuzz
from rigour.names import (
    Alignment,
    Name,
    NamePart,
    NamePartTag,
    NameTypeTag,
    align_person_name_order,
    compare_parts,
    pair_symbols,
)

from vigie.screening.name_parts import (
    ORGANIZATION,
    PERSON,
    FrozenName,
    Lexicon,
    analyse,
    blocking_keys,
    freeze,
    rarest,
    thaw,
    type_tag,
)
from vigie.screening.name_text import (
    EQUIVALENT,
    HONORIFICS,
    PARTICLES,
    TYPO_LENGTH,
    normalise,
    patronymic_of,
    romanised,
    romkeys,
    typo_keys,
)

__all__ = [
    "EQUIVALENT",
    "HONORIFICS",
    "ORGANIZATION",
    "PARTICLES",
    "PERSON",
    "FrozenName",
    "Lexicon",
    "NameMatch",
    "analyse",
    "blocking_keys",
    "compare_names",
    "freeze",
    "normalise",
    "patronymic_of",
    "rarest",
    "romanised",
    "romkeys",
    "similarity",
    "string_features",
    "thaw",
    "type_tag",
    "typo_keys",
]

# How much a part that is explained by a shared symbol counts, by symbol category.
SYMBOL_SCORE = {"NAME": 0.95, "SYMBOL": 0.9, "INITIAL": 0.75, "ORG_CLASS": 1.0, "NUMERIC": 1.0}
SYMBOL_WEIGHT = {"NAME": 1.0, "SYMBOL": 0.4, "INITIAL": 0.5, "ORG_CLASS": 0.3, "NUMERIC": 1.0}
EXTRA_QUERY_WEIGHT = 0.8  # a part of the searched name found nowhere in the listed name
EXTRA_ENTRY_WEIGHT = 0.4  # a part of the listed name the search did not give ...
EXTRA_ENTRY_CAP = 0.45  # ... all of them together: middle names and patronymics are dropped
EXTRA_ENTRY_SHARE = 0.15  # ... or this share of the matched weight (see _combine)
ADDED_QUERY_WEIGHT = 0.4  # a searched part added to the whole of a listed name (_added_parts)
# ... of at least this many parts: "Mahmoud Mohammadi" (two) inside "Mahmoud Mohammadi
# Sanchez" is as likely another person named after the same father
ADDED_MIN_SHARED = 3
STOP_WEIGHT = 0.3  # al-, el-, de, van ...
MAX_PAIRINGS = 8
PARTIAL = 0.85  # a part pair scoring below this (and no known variant) counts squared


_MINOR_TAGS = (NamePartTag.STOP, NamePartTag.LEGAL)


def _weigh(alignment: Alignment, person: bool = True) -> None:
    # (each of the alignment's fields is read once, and the weight set once: they are read
    # from rigour's Rust object at each access; the same arithmetic on the same floats)
    symbol = alignment.symbol
    qps, rps = alignment.qps, alignment.rps
    qstr, rstr = alignment.qstr, alignment.rstr
    weight = alignment.weight
    if symbol is not None:
        cat = str(symbol.category.value)
        alignment.score = 1.0 if qstr == rstr else SYMBOL_SCORE.get(cat, 0.9)
        weight = SYMBOL_WEIGHT.get(cat, 1.0)
    if not rps:
        weight = EXTRA_QUERY_WEIGHT
    elif not qps:
        weight = EXTRA_ENTRY_WEIGHT
    parts = qps or rps
    if parts and all(
        p.tag in _MINOR_TAGS
        or p.comparable in PARTICLES
        # a title inside a person's name ("Mohamed Haji Omar", "Gud Mullah Mohammad"):
        # only a leading one is dropped by ``normalise``
        or (person and p.comparable in HONORIFICS)
        for p in parts
    ):
        weight *= STOP_WEIGHT
    # Longer parts carry more identity than one letter; a searched initial paired with a part
    # (``_pair_initials``) counts as little as rigour's initial symbols (a listed initial
    # keeps the weight of the searched part it is held against).
    length = max(len(qstr), len(rstr), 1)
    weight *= min(1.0, 0.4 + length / 8)
    if symbol is None and rps and len(qstr) == 1:
        weight *= SYMBOL_WEIGHT["INITIAL"]
    alignment.weight = weight


@dataclass
class NameMatch:
    score: float
    query: str
    entry: str
    alignments: list[Alignment]

    def explain(self) -> list[dict[str, Any]]:
        out = []
        for a in self.alignments:
            if a.qps and a.rps:
                how = f"symbol {a.symbol}" if a.symbol is not None else "spelling"
            elif a.qps:
                how = "only in the searched name"
            else:
                how = "only in the listed name"
            out.append(
                {
                    "query": " ".join(p.form for p in a.qps),
                    "entry": " ".join(p.form for p in a.rps),
                    "score": round(a.score, 3),
                    "weight": round(a.weight, 3),
                    "how": how,
                }
            )
        return out


@lru_cache(maxsize=200_000)
def similarity(q: str, r: str) -> float:
    """How alike two name parts are as spellings of one name (0 when not plausibly so): an
    initial for a part (J. / John; ``q`` is the searched part), the same romanisation key or
    sound and close, or one typing error in a long part (Gemain / Germain)."""
    if q == r:
        return 1.0
    if min(len(q), len(r)) == 1:
        # a searched initial for a listed part; a listed initial says less about the
        # searched part it would stand for ("Daniel Y." is not evidence of "Daniel Yilmaz")
        return (0.8 if len(q) == 1 else 0.7) if q[0] == r[0] else 0.0
    if not q.isascii() or not r.isascii():
        return 0.0
    jw = jellyfish.jaro_winkler_similarity(q, r)
    if (jw >= 0.6 and romkeys(q) & romkeys(r)) or (
        jw >= 0.8 and jellyfish.metaphone(q) == jellyfish.metaphone(r)
    ):
        return 0.85 + jw * 0.1
    if jw >= 0.9 and min(len(q), len(r)) >= 5:
        return jw * 0.95
    if min(len(q), len(r)) >= TYPO_LENGTH and jellyfish.damerau_levenshtein_distance(q, r) == 1:
        # one typing error early in the word, which Jaro-Winkler's prefix weighting punishes
        # (Rqhat / Rahat 0.87)
        return PARTIAL
    return 0.0


def _rescue(alignment: Alignment) -> None:
    """Spelling variants rigour's edit-distance budget refuses (``similarity``)."""
    if alignment.symbol is not None:
        return
    qps = alignment.qps
    if len(qps) != 1:
        return
    rps = alignment.rps
    if len(rps) != 1:
        return
    # (the fields read once from rigour's object, the score set once)
    score = alignment.score
    if score < 0.95:
        score = max(score, similarity(qps[0].comparable, rps[0].comparable))
    if score < PARTIAL:
        # a part only partly alike (Johnson / John) is weak evidence of the same name
        score **= 2
    alignment.score = score


def _pair_joined(
    matches: list[Alignment], lone_q: list[NamePart], lone_r: list[NamePart]
) -> tuple[list[Alignment], list[NamePart], list[NamePart]]:
    """A part written as two on the other side (Alharamain / Al Haramain, Aburusdan / Abu
    Rusdan): paired with both."""
    if not _joinable(lone_q, lone_r) and not _joinable(lone_r, lone_q):
        return matches, lone_q, lone_r  # what the loops below give when nothing is joined
    found: list[Alignment] = []
    for one, two, swap in ((lone_q, lone_r, False), (lone_r, lone_q, True)):
        by_index = {p.index: p for p in two}
        for part in list(one):
            for p in list(by_index.values()):
                nxt = by_index.get(p.index + 1)
                if nxt is not None and p.comparable + nxt.comparable == part.comparable:
                    pair = ([part], [p, nxt]) if not swap else ([p, nxt], [part])
                    found.append(Alignment(pair[0], pair[1], score=0.95))
                    one.remove(part)
                    two.remove(p)
                    two.remove(nxt)
                    del by_index[p.index], by_index[nxt.index]
                    break
    if not found:
        return matches, lone_q, lone_r
    taken = {id(p) for a in found for p in (*a.qps, *a.rps)}
    kept: list[Alignment] = []
    for m in matches:
        if any(id(p) in taken for p in (*m.qps, *m.rps)):
            kept += [Alignment([p], [], score=0.0) for p in m.qps if id(p) not in taken]
            kept += [Alignment([], [p], score=0.0) for p in m.rps if id(p) not in taken]
        else:
            kept.append(m)
    return kept + found, lone_q, lone_r


def _joinable(one: list[NamePart], two: list[NamePart]) -> bool:
    """Whether a part of ``one`` is two parts of ``two`` in a row written together: what
    ``_pair_joined``'s first pass looks for, told with each spelling read once (most pairs of
    names have none, and the pass read them once per pair of parts)."""
    if len(two) < 2:
        return False
    forms = {p.index: p.comparable for p in two}
    wholes = {p.comparable for p in one}
    return any(i + 1 in forms and form + forms[i + 1] in wholes for i, form in forms.items())


def _pair_leftovers(matches: list[Alignment]) -> list[Alignment]:
    """Parts left alone (or paired at score 0) that ``similarity`` can pair: an initial and
    the part it stands for, two romanisations of one part, in any order."""
    # a zero-score alignment of several parts (rigour's "sallim" against "salim salim") is
    # broken up too: its parts may pair one by one
    lone_q = [p for m in matches if not m.rps or m.score == 0 for p in m.qps]
    lone_r = [p for m in matches if not m.qps or m.score == 0 for p in m.rps]
    if not lone_q or not lone_r:
        return matches
    matches, lone_q, lone_r = _pair_joined(matches, lone_q, lone_r)
    scored = sorted(
        (
            (similarity(q.comparable, r.comparable), i, j)
            for i, q in enumerate(lone_q)
            for j, r in enumerate(lone_r)
        ),
        reverse=True,
    )
    pairs: list[Alignment] = []
    used_q: set[int] = set()
    used_r: set[int] = set()
    for sim, i, j in scored:
        if sim <= 0:
            break
        if i in used_q or j in used_r:
            continue
        used_q.add(i)
        used_r.add(j)
        pairs.append(Alignment([lone_q[i]], [lone_r[j]], score=sim))
    if not pairs:
        return matches
    paired = {id(lone_q[i]) for i in used_q} | {id(lone_r[j]) for j in used_r}
    kept = []
    for m in matches:
        if any(id(p) in paired for p in (*m.qps, *m.rps)):
            # the other side of a broken zero-score pair is alone again
            kept += [Alignment([p], [], score=0.0) for p in m.qps if id(p) not in paired]
            kept += [Alignment([], [p], score=0.0) for p in m.rps if id(p) not in paired]
        else:
            kept.append(m)
    return kept + pairs


INITIAL_SCORE = 0.9  # "M." for Mohammed: the same letter, in its place among the parts


def _pair_initials(matches: list[Alignment], initials: list[NamePart]) -> list[Alignment]:
    """The searched person's initials, kept out of rigour's alignment (it reads "A." as a stop
    word and merges neighbouring initials into one part), each paired in order with a listed
    part left over that starts with its letter: "Taha I. A. B. al-Khuwayt" and "Taha
    Ibrahim Abdallah Bakr al-Khuwayt". A listed initial is not paired with a searched part:
    "Luis C." says too little to stand for "Luis Cordones"."""
    lone = [m.rps[0] for m in matches if not m.qps and len(m.rps) == 1]
    lone.sort(key=lambda p: p.index)
    used: set[int] = set()
    out = [m for m in matches if m.qps or len(m.rps) != 1]
    for initial in sorted(initials, key=lambda p: p.index):
        for k, part in enumerate(lone):
            text = part.comparable
            if k not in used and len(text) > 1 and text[0] == initial.comparable:
                used.add(k)
                out.append(Alignment([initial], [part], score=INITIAL_SCORE))
                break
        else:
            out.append(Alignment([initial], [], score=0.0))
    out += [Alignment([], [p], score=0.0) for k, p in enumerate(lone) if k not in used]
    return out


def compare_names(query: Name, entry: Name) -> NameMatch:
    """Best alignment of two analysed names; 1.0 when they are the same name."""
    if query.comparable == entry.comparable:
        whole = Alignment(list(query.parts), list(entry.parts), score=1.0)
        return NameMatch(1.0, query.original, entry.original, [whole])
    best = NameMatch(0.0, query.original, entry.original, [])
    pairings = pair_symbols(query, entry)[:MAX_PAIRINGS] or [()]
    for edges in pairings:
        matches: list[Alignment] = list(edges)
        used_q = {p for e in edges for p in e.qps}
        used_r = {p for e in edges for p in e.rps}
        q_rest = [p for p in query.parts if p not in used_q]
        r_rest = [p for p in entry.parts if p not in used_r]
        initials: list[NamePart] = []
        if query.tag == NameTypeTag.PER:
            initials = [p for p in q_rest if len(p.comparable) == 1 and p.comparable.isalpha()]
            q_rest = [p for p in q_rest if p not in initials]
        if q_rest or r_rest:
            if query.tag == NameTypeTag.PER:
                q_rest, r_rest = align_person_name_order(q_rest, r_rest)
            else:
                q_rest, r_rest = NamePart.tag_sort(q_rest), NamePart.tag_sort(r_rest)
            matches.extend(compare_parts(q_rest, r_rest))
        for m in matches:
            _rescue(m)
        if initials:
            matches = _pair_initials(matches, initials)
        matches = _pair_leftovers(matches)
        for m in matches:
            _weigh(m, query.tag == NameTypeTag.PER)
        score = _combine(matches, query.tag == NameTypeTag.PER)
        if score > best.score:
            best = NameMatch(score, query.original, entry.original, matches)
            if score >= 1.0:
                break
    return best


def _combine(matches: list[Alignment], person: bool) -> float:
    """Weighted mean of the part scores. For a person searched by at least two parts that
    all match, the listed parts the search left out (middle names, patronymics) count
    together at most ``EXTRA_ENTRY_SHARE`` of what was matched: a name given as first and
    last name scores nearly as high as one given in full."""
    total = scored = extra = 0.0
    matched = searched = 0
    for m in matches:
        weight = m.weight  # (each field read once from rigour's object)
        if m.qps:
            searched += 1
            score = m.score
            total += weight
            scored += score * weight
            matched += bool(m.rps) and score >= 0.75
        else:
            extra += weight
    if person and matched >= 2 and matched == searched:
        total += min(extra, EXTRA_ENTRY_SHARE * total)
    elif person and (added := _added_parts(matches)):
        # the whole listed name, and a middle name or patronymic more (ADR 0523)
        total -= sum(m.weight for m in added) * (1 - ADDED_QUERY_WEIGHT / EXTRA_QUERY_WEIGHT)
        total += min(extra, EXTRA_ENTRY_CAP)
    else:
        total += min(extra, EXTRA_ENTRY_CAP)
    return scored / total if total else 0.0


def _minor(parts: Sequence[NamePart]) -> bool:
    """Particles, stop words, legal forms and titles: parts that say little of who it is."""
    return all(
        p.tag in (NamePartTag.STOP, NamePartTag.LEGAL)
        or p.comparable in PARTICLES
        or p.comparable in HONORIFICS
        for p in parts
    )


def _added_parts(matches: list[Alignment]) -> list[Alignment]:
    """The searched parts a listed person's name lacks, when the search holds the whole of
    that name besides (every listed part paired and alike), that name has at least
    ``ADDED_MIN_SHARED`` parts that are not particles or titles, and the search adds fewer
    than that: "Hamada Ould Mohamed Lemine Ould Mohamed el Khairy" for the listed "Hamada Ould
    Mohamed el Khairy", "MORENO BRIONES, Fidel Antonio" (a second surname) for "Fidel Antonio
    MORENO". Empty otherwise."""
    added = [m for m in matches if m.qps and not m.rps]
    if not added:
        return []
    for m in matches:
        if m.rps and not m.qps and not _minor(m.rps):
            return []  # a listed part the search does not give
        if m.rps and m.qps and m.score < 0.75:
            return []  # a part paired with another name
    shared = sum(1 for m in matches if m.qps and m.rps and not _minor(m.rps))
    if shared < ADDED_MIN_SHARED or sum(1 for m in added if not _minor(m.qps)) >= shared:
        return []
    return added


def string_features(query: str, entry: str) -> dict[str, float]:
    """Plain string similarities of the romanised forms, for the explanation."""
    q, e = romanised(query).lower(), romanised(entry).lower()
    return {
        "token_sort_ratio": round(fuzz.token_sort_ratio(q, e) / 100, 3),
        "jaro_winkler": round(jellyfish.jaro_winkler_similarity(q, e), 3),
    }
