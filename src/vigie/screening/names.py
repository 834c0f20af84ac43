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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import jellyfish
import yaml
from rapidfuzz import fuzz
from rigour.names import (
    Alignment,
    Name,
    NamePart,
    NamePartTag,
    NameTypeTag,
    align_person_name_order,
    analyze_names,
    compare_parts,
    pair_symbols,
)
from rigour.names.symbol import Symbol, SymbolCategory
from rigour.text import ascii_text

PERSON, ORGANIZATION = "Person", "Organization"
# How much a part that is explained by a shared symbol counts, by symbol category.
SYMBOL_SCORE = {"NAME": 0.95, "SYMBOL": 0.9, "INITIAL": 0.75, "ORG_CLASS": 1.0, "NUMERIC": 1.0}
SYMBOL_WEIGHT = {"NAME": 1.0, "SYMBOL": 0.4, "INITIAL": 0.5, "ORG_CLASS": 0.3, "NUMERIC": 1.0}
EXTRA_QUERY_WEIGHT = 0.8  # a part of the searched name found nowhere in the listed name
EXTRA_ENTRY_WEIGHT = 0.4  # a part of the listed name the search did not give ...
EXTRA_ENTRY_CAP = 0.45  # ... all of them together: middle names and patronymics are dropped
EXTRA_ENTRY_SHARE = 0.15  # ... or this share of the matched weight (see _combine)
STOP_WEIGHT = 0.3  # al-, el-, de, van ...
MAX_PAIRINGS = 8
PARTIAL = 0.85  # a part pair scoring below this (and no known variant) counts squared


VARIANTS_FILE = Path(__file__).parent / "data" / "name_variants.yaml"


def _variants() -> tuple[dict[str, str], frozenset[str], frozenset[str]]:
    with VARIANTS_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    equivalent = {}
    for group in data["equivalents"]:
        for word in group:
            equivalent[str(word)] = str(group[0])
    return equivalent, frozenset(data["honorifics"]), frozenset(data["particles"])


EQUIVALENT, HONORIFICS, PARTICLES = _variants()
JOINABLE = frozenset({"al", "el", "abu", "abou", "bin", "ben", "ibn", "ould", "abd", "abdul", "ul"})
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans(
    {
        "\u0623": "\u0627",  # alef with hamza above -> alef
        "\u0625": "\u0627",  # alef with hamza below
        "\u0622": "\u0627",  # alef with madda
        "\u0671": "\u0627",  # alef wasla
        "\u0629": "\u0647",  # taa marbuta -> haa
        "\u0649": "\u064a",  # alef maqsura -> yaa
        "\u06cc": "\u064a",  # Persian yeh
        "\u06a9": "\u0643",  # Persian kaf (keheh)
        "\u0624": "\u0648",  # waw with hamza
        "\u0626": "\u064a",  # yaa with hamza
    }
)
# "Abd al-Rahman", "Abdul Rahman", "Abdelrahman", "Abd-ur-Rahman" -> "Abdul Rahman": the
# compound is matched part by part, so "Abdul Mansur" still meets "Abdul Latif Mansur".
_ABD_APART = re.compile(
    r"\b(?:abd|abdul|abdel|abdal|abdol|abdoul|abdu|abdur|abdus|abder|abdes|abdi)"
    r"(?:[\s\-'\u2019]+(?:al|el|ul|ur|ar|as|ad|an|at|az|ush|es|er)(?=[\s\-'\u2019]))?"
    r"[\s\-'\u2019]+(?=[^\W\d_]{3,})",
    re.IGNORECASE,
)
_ABD_JOINED = re.compile(
    r"\b(?:abdul|abdel|abdal|abdol|abdoul|abdur|abdus|abder|abdes|abdi|abd)"
    r"(?!(?:lah|la|lahi|allah|ullah|ulla|ullahi|ou|u|o)\b)(?=[^\W\d_]{3,}\b)",
    re.IGNORECASE,
)
_ABD_ALONE = re.compile(r"(?<![^\W\d_])['\u2018\u2019]?abd\b(?![\-'\u2019])", re.IGNORECASE)
_NOTE = re.compile(r"\([^)]*\)")  # "(previously listed as)", "(JuA)"
_ULLAH = re.compile(r"([^\W\d_]{2,})[\s\-]+(?:ullah|ollah|ulla)\b", re.IGNORECASE)


def normalise(text: str, person: bool = True) -> str:
    """A name as people write it, folded to one form: Arabic letter variants and marks,
    honorifics, titles and notes in brackets dropped (if two other words remain), "Abd al-"
    compounds written as "Abdul" and a part, "-ullah" compounds joined."""
    if any("\u0600" <= c <= "\u06ff" for c in text):
        text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)
    if person:
        text = _NOTE.sub(" ", text)  # an organisation's "(PAKISTAN)" tells branches apart
        if text.count(",") == 1:  # "SURNAME, Given Names"
            surname, given = text.split(",")
            if surname.strip() and given.strip():
                text = f"{given} {surname}"
    words = text.replace(",", " ").split()
    while len(words) > 2 and words[0].lower().strip(".") in HONORIFICS:
        words.pop(0)
    if not person:
        words = [_legal_word(w) for w in words]
    text = " ".join(words)
    text = _ABD_APART.sub("Abdul ", text)
    text = _ABD_JOINED.sub("Abdul ", text)
    text = _ABD_ALONE.sub("Abdul", text)  # "Abd A. Salim", "'Abd 'Ali", "Abd el Sayed"
    return _ULLAH.sub(lambda m: m.group(1) + "ullah", text)


# Legal-form words as organisations are registered; a word one typing error away from one
# (Limmited, Linited, Compani, Grup) is read as it, so rigour recognises the legal form.
LEGAL_WORDS = ("limited", "company", "corporation", "incorporated", "group", "liability")


@lru_cache(maxsize=20_000)
def _legal_word(word: str) -> str:
    low = word.lower()
    if len(low) < 4 or not low.isalpha() or low in LEGAL_WORDS:
        return word
    for legal in LEGAL_WORDS:
        if jellyfish.damerau_levenshtein_distance(low, legal) == 1 and low[0] == legal[0]:
            return legal
    return word


# A name as plain data, to store an analysed name and rebuild it without rigour's tagger:
# (original, form, type tag, part tags, spans as (part indexes, symbol category, symbol id)).
FrozenName = tuple[str, str, str, tuple[str, ...], tuple[tuple[tuple[int, ...], str, str], ...]]
_TYPE_TAGS = {
    t.value: t
    for t in (NameTypeTag.UNK, NameTypeTag.ENT, NameTypeTag.PER, NameTypeTag.ORG, NameTypeTag.OBJ)
}
_PART_TAGS = {
    getattr(NamePartTag, k).value: getattr(NamePartTag, k) for k in dir(NamePartTag) if k.isupper()
}
_CATEGORIES = {
    getattr(SymbolCategory, k).value: getattr(SymbolCategory, k)
    for k in dir(SymbolCategory)
    if k.isupper()
}


def freeze(name: Name) -> FrozenName:
    return (
        name.original,
        name.form,
        name.tag.value,
        tuple(p.tag.value for p in name.parts),
        tuple(
            (tuple(p.index for p in s.parts), s.symbol.category.value, s.symbol.id)
            for s in name.spans
        ),
    )


@lru_cache(maxsize=100_000)
def _symbol(category: str, id: str) -> Symbol:
    cat = _CATEGORIES[category]
    return Symbol(cat, int(id) if cat == SymbolCategory.NUMERIC and id.isdigit() else id)


def thaw(frozen: FrozenName) -> Name:
    """The analysed name ``freeze`` stored: the same parts, part tags and symbols, built
    without running the tagger (tests check it gives back an equal name)."""
    original, form, tag, part_tags, spans = frozen
    name = Name(original, form, _TYPE_TAGS[tag])
    parts = name.parts
    for part, part_tag in zip(parts, part_tags, strict=True):
        if part_tag != "UNSET":
            part.tag = _PART_TAGS[part_tag]
    for indexes, category, id in spans:
        symbol = _symbol(category, id)
        if len(indexes) == 1:
            name.apply_part(parts[indexes[0]], symbol)
        else:
            name.apply_phrase(" ".join(parts[i].form for i in indexes), symbol)
    return name


def type_tag(schema: str | None) -> NameTypeTag:
    if schema == PERSON:
        return NameTypeTag.PER
    if schema in (ORGANIZATION, "Company", "LegalEntity"):
        return NameTypeTag.ORG
    return NameTypeTag.ENT


@lru_cache(maxsize=50_000)
def romanised(text: str) -> str:
    return " ".join(ascii_text(text).replace("?", " ").split())


class Lexicon(dict[str, frozenset[tuple[str, str]]]):
    """The words of the listed names and the symbols rigour's tagger gave them, by the words
    they cover ("muhammad", "abdul rahman"): a searched name made only of words the lists use
    is tagged from it instead of by the tagger, whose start takes about 8 s of CPU in each
    new process (ADR 0521). Hashed by identity (it keys a cache)."""

    __hash__ = object.__hash__  # type: ignore[assignment]

    def learn(self, name: Name) -> None:
        for part in name.parts:  # every listed word, so that ``knows`` can tell
            self.setdefault(part.form, frozenset())
        for span in name.spans:
            phrase = " ".join(p.form for p in span.parts)
            entry = (str(span.symbol.category.value), str(span.symbol.id))
            known = self.get(phrase)
            if known is None:
                self[phrase] = frozenset((entry,))
            elif entry not in known:
                self[phrase] = known | {entry}

    def knows(self, name: Name) -> bool:
        """Whether every word of ``name`` is a word of the lists: only then can the lexicon
        stand in for the tagger (a spelling no list uses, "Gaddafi" for a listed "Qadhafi",
        needs the tagger's knowledge of names)."""
        return all(part.form in self for part in name.parts)

    def tag(self, name: Name) -> None:
        parts = name.parts
        for size in (3, 2, 1):
            for start in range(len(parts) - size + 1):
                phrase = " ".join(p.form for p in parts[start : start + size])
                for category, id in self.get(phrase, ()):
                    if size == 1:
                        name.apply_part(parts[start], _symbol(category, id))
                    else:
                        name.apply_phrase(phrase, _symbol(category, id))


def analyse(text: str, schema: str | None = None, lexicon: Lexicon | None = None) -> list[Name]:
    """The matchable forms of one name: as written and, if needed, romanised. With a
    ``lexicon``, the name is tagged from it (a searched name) instead of by rigour's tagger
    (a listed name)."""
    return list(_analyse(text, schema, lexicon))


@lru_cache(maxsize=20_000)
def _analyse(text: str, schema: str | None, lexicon: Lexicon | None = None) -> tuple[Name, ...]:
    # Names are not modified by the comparison: a repeated name (batches, re-screening) is
    # analysed once.
    clean = normalise(text, type_tag(schema) != NameTypeTag.ORG) or text
    forms = [clean]
    if not clean.isascii():
        latin = romanised(clean)
        if latin and latin.lower() != clean.lower():
            forms.append(latin)
    names = analyze_names(type_tag(schema), forms, consolidate=False, symbols=lexicon is None)
    if lexicon is not None and all(lexicon.knows(name) for name in names):
        for name in names:
            lexicon.tag(name)
    elif lexicon is not None:  # a word no list uses: rigour's tagger, as for listed names
        names = analyze_names(type_tag(schema), forms, consolidate=False)
    for name in names:
        for part in name.parts:
            canonical = EQUIVALENT.get(part.comparable)
            if canonical is not None:
                name.apply_part(part, _symbol("NAME", f"V{canonical}"))
    return tuple(sorted(names, key=lambda n: n.original != clean))


def _category(alignment: Alignment) -> str:
    sym = alignment.symbol
    return str(sym.category.value) if sym is not None else ""


def _weigh(alignment: Alignment, person: bool = True) -> None:
    if alignment.symbol is not None:
        cat = _category(alignment)
        alignment.score = SYMBOL_SCORE.get(cat, 0.9)
        alignment.weight = SYMBOL_WEIGHT.get(cat, 1.0)
        if alignment.qstr == alignment.rstr:
            alignment.score = 1.0
    if not alignment.rps:
        alignment.weight = EXTRA_QUERY_WEIGHT
    elif not alignment.qps:
        alignment.weight = EXTRA_ENTRY_WEIGHT
    parts = alignment.qps or alignment.rps
    if parts and all(
        p.tag in (NamePartTag.STOP, NamePartTag.LEGAL)
        or p.comparable in PARTICLES
        # a title inside a person's name ("Mohamed Haji Omar", "Gud Mullah Mohammad"):
        # only a leading one is dropped by ``normalise``
        or (person and p.comparable in HONORIFICS)
        for p in parts
    ):
        alignment.weight *= STOP_WEIGHT
    # Longer parts carry more identity than one letter; a searched initial paired with a part
    # (``_pair_initials``) counts as little as rigour's initial symbols (a listed initial
    # keeps the weight of the searched part it is held against).
    length = max(len(alignment.qstr), len(alignment.rstr), 1)
    alignment.weight *= min(1.0, 0.4 + length / 8)
    if alignment.symbol is None and alignment.rps and len(alignment.qstr) == 1:
        alignment.weight *= SYMBOL_WEIGHT["INITIAL"]


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


_ROMANISATIONS = (
    ("kh", "h"), ("gh", "g"), ("sh", "s"), ("dj", "j"), ("zh", "j"),
    ("ph", "f"), ("ts", "s"), ("tz", "s"), ("q", "k"), ("ck", "k"), ("x", "ks"), ("w", "v"),
    ("y", "i"), ("'", ""), ("\u2019", ""), ("-", ""),
)  # fmt: skip


@lru_cache(maxsize=100_000)
def romkeys(word: str) -> frozenset[str]:
    """A romanised word as romanisation systems agree on it: digraphs folded (kh / h,
    sh / s, dj / j, q / k ...), each run of vowels as one vowel, doubled letters once, "h"
    after a vowel dropped; "ch" read both as in French (sh) and as in English or Korean (j),
    "c" as k and as s, "z" as z and as s, "dh" as d and z, "th" as t and s (Arabic dhal and
    thaa). Qassem / Kasim, Youssef / Yusuf, Barich / Barij, Chol / Jol, Qadhafi / Qazafi."""
    w = word.lower()
    for a, b in _ROMANISATIONS:
        w = w.replace(a, b)
    forms = {w.replace("ch", "s"), w.replace("ch", "j")}
    forms = {f.replace("dh", "d") for f in forms} | {f.replace("dh", "z") for f in forms}
    forms = {f.replace("th", "t") for f in forms} | {f.replace("th", "s") for f in forms}
    forms = {f.replace("c", "k") for f in forms} | {f.replace("c", "s") for f in forms}
    forms |= {f.replace("z", "s") for f in forms}
    out = set()
    for f in forms:
        f = re.sub("(?<=[aeiou])h", "", f)
        f = re.sub("[aeiou]+", "a", f)
        out.add(re.sub(r"(.)\1+", r"\1", f))
    return frozenset(out)


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
    return 0.0


def _rescue(alignment: Alignment) -> None:
    """Spelling variants rigour's edit-distance budget refuses (``similarity``)."""
    if alignment.symbol is not None or len(alignment.qps) != 1 or len(alignment.rps) != 1:
        return
    if alignment.score < 0.95:
        sim = similarity(alignment.qps[0].comparable, alignment.rps[0].comparable)
        alignment.score = max(alignment.score, sim)
    if alignment.score < PARTIAL:
        # a part only partly alike (Johnson / John) is weak evidence of the same name
        alignment.score **= 2


def _pair_joined(
    matches: list[Alignment], lone_q: list[NamePart], lone_r: list[NamePart]
) -> tuple[list[Alignment], list[NamePart], list[NamePart]]:
    """A part written as two on the other side (Alharamain / Al Haramain, Aburusdan / Abu
    Rusdan): paired with both."""
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


def _pair_leftovers(matches: list[Alignment]) -> list[Alignment]:
    """Parts left alone (or paired at score 0) that ``similarity`` can pair: an initial and
    the part it stands for, two romanisations of one part, in any order."""
    lone_q = [m.qps[0] for m in matches if len(m.qps) == 1 and (not m.rps or m.score == 0)]
    lone_r = [m.rps[0] for m in matches if len(m.rps) == 1 and (not m.qps or m.score == 0)]
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
    matched = 0
    for m in matches:
        if m.qps:
            total += m.weight
            scored += m.score * m.weight
            matched += bool(m.rps) and m.score >= 0.75
        else:
            extra += m.weight
    searched = sum(1 for m in matches if m.qps)
    if person and matched >= 2 and matched == searched:
        total += min(extra, EXTRA_ENTRY_SHARE * total)
    else:
        total += min(extra, EXTRA_ENTRY_CAP)
    return scored / total if total else 0.0


def string_features(query: str, entry: str) -> dict[str, float]:
    """Plain string similarities of the romanised forms, for the explanation."""
    q, e = romanised(query).lower(), romanised(entry).lower()
    return {
        "token_sort_ratio": round(fuzz.token_sort_ratio(q, e) / 100, 3),
        "jaro_winkler": round(jellyfish.jaro_winkler_similarity(q, e), 3),
    }


def blocking_keys(name: Name) -> dict[str, set[int]]:
    """Keys that put a name in the candidate index, each with the parts (by index) it stands
    for: part spellings, metaphone codes, romanisation keys (``romkeys``), joined forms and
    cross-script symbols. Stop words and legal forms give none."""
    keys: dict[str, set[int]] = {}
    for part in name.parts:
        if part.tag in (NamePartTag.STOP, NamePartTag.LEGAL):
            continue
        if len(part.comparable) > 1:
            keys.setdefault(f"t:{part.comparable}", set()).add(part.index)
        if part.metaphone and len(part.metaphone) > 1:
            keys.setdefault(f"m:{part.metaphone}", set()).add(part.index)
        if part.comparable.isascii() and len(part.comparable) > 3:
            for key in romkeys(part.comparable):
                keys.setdefault(f"r:{key}", set()).add(part.index)
    parts = name.parts
    for a, b in pairwise(parts):
        # Al Haramain is also filed as Alharamain, a searched "Wen-ji" or "Myong-guk" (the
        # syllables of a Chinese or Korean given name) as the listed "Wenji", "Myongguk"
        if a.comparable in JOINABLE or (len(a.comparable) <= 4 and 1 < len(b.comparable) <= 3):
            keys.setdefault(f"t:{a.comparable}{b.comparable}", set()).update((a.index, b.index))
    for span in name.spans:
        if all(len(p.comparable) == 1 for p in span.parts):
            continue  # an initial ("M.") carries a symbol but finds every M.
        if span.symbol.category in (SymbolCategory.NAME, SymbolCategory.NUMERIC):
            keys.setdefault(f"s:{span.symbol}", set()).update(p.index for p in span.parts)
    return keys
