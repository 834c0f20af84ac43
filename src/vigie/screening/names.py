"""Name analysis and name-pair scoring, on the field's libraries.

- rigour analyses a name (prefix and honorific removal, organisation legal forms, tokenising,
  transliteration of the admitted scripts, metaphone) and tags its parts with symbols that
  hold across scripts and romanisations (``NAME:Q5837762`` for Mohammed / Muhammad /
  محمد, ``SYMBOL:BIN`` for bin / ibn / بن); its ``pair_symbols`` and ``compare_parts``
  align two names part by part.
- A name in a script rigour does not transliterate inline (Chinese, Arabic, ...) gets a second,
  romanised form from ``rigour.text.ascii_text``.
- rapidfuzz (token-sort ratio) and jellyfish (Jaro-Winkler) give the secondary string
  features reported in every explanation.
"""

from __future__ import annotations

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
EXTRA_ENTRY_WEIGHT = 0.4  # a part of the listed name the search did not give
STOP_WEIGHT = 0.3  # al-, el-, de, van ...
MAX_PAIRINGS = 8


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


def analyse(text: str, schema: str | None = None) -> list[Name]:
    """The matchable forms of one name: as written and, if needed, romanised."""
    return list(_analyse(text, schema))


@lru_cache(maxsize=20_000)
def _analyse(text: str, schema: str | None) -> tuple[Name, ...]:
    # Names are not modified by the comparison: a repeated name (batches, re-screening) is
    # analysed once.
    forms = [text]
    if not text.isascii():
        latin = romanised(text)
        if latin and latin.lower() != text.lower():
            forms.append(latin)
    names = analyze_names(type_tag(schema), forms, consolidate=False)
    return tuple(sorted(names, key=lambda n: n.original != text))


def _category(alignment: Alignment) -> str:
    sym = alignment.symbol
    return str(sym.category.value) if sym is not None else ""


def _weigh(alignment: Alignment) -> None:
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
    if parts and all(p.tag in (NamePartTag.STOP, NamePartTag.LEGAL) for p in parts):
        alignment.weight *= STOP_WEIGHT
    # Longer parts carry more identity than one letter.
    length = max(len(alignment.qstr), len(alignment.rstr), 1)
    alignment.weight *= min(1.0, 0.4 + length / 8)


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


def _rescue(alignment: Alignment) -> None:
    """Spelling variants the edit-distance budget refuses: an initial standing for a part
    (J. / John), or a part that sounds the same (jellyfish metaphone) and is close (Jaro-
    Winkler), as John / Jon or Ghirmay / Ghermay."""
    if alignment.symbol is not None or len(alignment.qps) != 1 or len(alignment.rps) != 1:
        return
    q, r = alignment.qps[0].comparable, alignment.rps[0].comparable
    if min(len(q), len(r)) == 1 and q[0] == r[0]:
        alignment.score = max(alignment.score, 0.8)
        return
    if alignment.score >= 0.9 or not q.isascii() or not r.isascii():
        return
    similarity = jellyfish.jaro_winkler_similarity(q, r)
    if similarity >= 0.85 and jellyfish.metaphone(q) == jellyfish.metaphone(r):
        alignment.score = max(alignment.score, similarity * 0.95)


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
        if q_rest or r_rest:
            if query.tag == NameTypeTag.PER:
                q_rest, r_rest = align_person_name_order(q_rest, r_rest)
            else:
                q_rest, r_rest = NamePart.tag_sort(q_rest), NamePart.tag_sort(r_rest)
            matches.extend(compare_parts(q_rest, r_rest))
        for m in matches:
            _rescue(m)
            _weigh(m)
        total = sum(m.weight for m in matches)
        score = sum(m.score * m.weight for m in matches) / total if total else 0.0
        if score > best.score:
            best = NameMatch(score, query.original, entry.original, matches)
            if score >= 1.0:
                break
    return best


def string_features(query: str, entry: str) -> dict[str, float]:
    """Plain string similarities of the romanised forms, for the explanation."""
    q, e = romanised(query).lower(), romanised(entry).lower()
    return {
        "token_sort_ratio": round(fuzz.token_sort_ratio(q, e) / 100, 3),
        "jaro_winkler": round(jellyfish.jaro_winkler_similarity(q, e), 3),
    }


def blocking_keys(name: Name) -> dict[str, set[int]]:
    """Keys that put a name in the candidate index, each with the parts (by index) it stands
    for: part spellings, metaphone codes and cross-script symbols. Stop words and legal forms
    give none."""
    keys: dict[str, set[int]] = {}
    for part in name.parts:
        if part.tag in (NamePartTag.STOP, NamePartTag.LEGAL):
            continue
        if len(part.comparable) > 1:
            keys.setdefault(f"t:{part.comparable}", set()).add(part.index)
        if part.metaphone and len(part.metaphone) > 1:
            keys.setdefault(f"m:{part.metaphone}", set()).add(part.index)
    for span in name.spans:
        if span.symbol.category in (SymbolCategory.NAME, SymbolCategory.NUMERIC):
            keys.setdefault(f"s:{span.symbol}", set()).update(p.index for p in span.parts)
    return keys
