"""Analysed names: a name's parts and the symbols that hold across scripts and
romanisations (rigour's tagger, or the ``Lexicon`` of the listed names for a searched
name), the given-name equivalents of ``data/name_variants.yaml`` as symbols, a name
frozen to plain data and rebuilt (``freeze`` / ``thaw``, for the index cache), and the
candidate index's blocking keys. Part of the name matcher described in ``names``.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise

from rigour.names import Name, NamePartTag, NameTypeTag, analyze_names
from rigour.names.symbol import Symbol, SymbolCategory

from vigie.screening.name_text import (
    EQUIVALENT,
    JOINABLE,
    TYPO_LENGTH,
    normalise,
    patronymic_of,
    romanised,
    romkeys,
    typo_keys,
)

PERSON, ORGANIZATION = "Person", "Organization"
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


# the lexicon's keys by type (``Lexicon``): "\x00PER\x00abdul rahman" (no word begins with NUL)
_PER, _ORG = "\x00PER\x00", "\x00ORG\x00"
_BY_TYPE = {NameTypeTag.PER: _PER, NameTypeTag.ORG: _ORG}


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
            # by phrase (for a name of unknown type) and by phrase and type: rigour's tagger
            # gives a person's words person-name symbols and an organisation's words
            # organisation symbols; a legal entity's are an organisation's here
            for key in (phrase, f"{_BY_TYPE.get(name.tag, _ORG)}{phrase}"):
                known = self.get(key)
                if known is None:
                    self[key] = frozenset((entry,))
                elif entry not in known:
                    self[key] = known | {entry}

    def knows(self, name: Name) -> bool:
        """Whether every word of ``name`` is a word of the lists: only then can the lexicon
        stand in for the tagger (a spelling no list uses, "Gaddafi" for a listed "Qadhafi",
        needs the tagger's knowledge of names)."""
        return all(part.form in self for part in name.parts)

    def tag(self, name: Name) -> None:
        """The symbols the lists' names of ``name``'s type have for its words, as rigour's
        tagger would give them (ADR 0527): an organisation searched as one gets no
        person-name symbols from a person listed with one of its words ("Jui", a Chinese given
        name, in "Jui Cheng Shipping"), which the listed organisation does not have either
        and which, each on one listed name, took the places of its part's rarest keys
        (``rarest``). A name of unknown type gets every symbol, as before."""
        parts = name.parts
        prefix = _BY_TYPE.get(name.tag, "")
        for size in (3, 2, 1):
            for start in range(len(parts) - size + 1):
                phrase = " ".join(p.form for p in parts[start : start + size])
                for category, id in self.get(prefix + phrase, ()):
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
    person = type_tag(schema) != NameTypeTag.ORG
    clean = normalise(text, person) or text
    forms = [clean]
    if not clean.isascii():
        # the Latin form is folded as a name typed in Latin is ("an-Nasr" is "al-Nasr"), so
        # that analysing it again gives it back (test_normalising_twice_changes_nothing)
        latin = normalise(romanised(clean), person)
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
            elif (father := patronymic_of(part.comparable)) is not None:
                name.apply_part(part, _symbol("NAME", f"P{father}"))
    return tuple(sorted(names, key=lambda n: n.original != clean))


def blocking_keys(name: Name) -> dict[str, set[int]]:
    """Keys that put a name in the candidate index, each with the parts (by index) it stands
    for: part spellings, metaphone codes, romanisation keys (``romkeys``), joined forms and
    cross-script symbols. Stop words and legal forms give none.

    A part written twice ("Muhammed Muhammed Ewaz") stands for one part: the candidate index
    counts each searched part once per listed name, and a repeated one counted twice made
    every listed Muhammed outrank the one listed Ewaz (ADR 0524)."""
    keys: dict[str, set[int]] = {}
    first: dict[str, int] = {}
    at = {p.index: first.setdefault(p.comparable, p.index) for p in name.parts}
    for part in name.parts:
        if part.tag in (NamePartTag.STOP, NamePartTag.LEGAL):
            continue
        index = at[part.index]
        # A known spelling of a given name (``EQUIVALENT``) is filed under its name's symbol
        # only: its own spelling would make "Aly" a rare part, found only on the listed Alys,
        # when the name is as common as Ali in every spelling (ADR 0544).
        if len(part.comparable) > 1 and part.comparable not in EQUIVALENT:
            keys.setdefault(f"t:{part.comparable}", set()).add(index)
        if part.metaphone and len(part.metaphone) > 1:
            keys.setdefault(f"m:{part.metaphone}", set()).add(index)
        if part.comparable.isascii() and len(part.comparable) > 3:
            for key in romkeys(part.comparable):
                keys.setdefault(f"r:{key}", set()).add(index)
        if part.comparable.isalpha() and len(part.comparable) >= TYPO_LENGTH:
            for key in typo_keys(part.comparable):
                keys.setdefault(key, set()).add(index)
    parts = name.parts
    for a, b in pairwise(parts):
        # Al Haramain is also filed as Alharamain, a searched "Wen-ji" or "Myong-guk" (the
        # syllables of a Chinese or Korean given name) as the listed "Wenji", "Myongguk"
        if a.comparable in JOINABLE or (len(a.comparable) <= 4 and 1 < len(b.comparable) <= 3):
            keys.setdefault(f"t:{a.comparable}{b.comparable}", set()).update(
                (at[a.index], at[b.index])
            )
    for span in name.spans:
        if all(len(p.comparable) == 1 for p in span.parts):
            continue  # an initial ("M.") carries a symbol but finds every M.
        if span.symbol.category in (SymbolCategory.NAME, SymbolCategory.NUMERIC):
            keys.setdefault(f"s:{span.symbol}", set()).update(at[p.index] for p in span.parts)
    return keys


def rarest(keys: list[tuple[int, str]], cap: float, limit: int) -> list[tuple[int, str]]:
    """Of one searched part's (frequency, key) pairs found in the index, the ``limit`` rarest
    under ``cap``, its typing-error keys (``typo_keys``) last. When a listed name has the
    part's spelling or romanisation key, they only fill the places left, and each counts as
    if it were on as many names as the most frequent of those keys: rarer by nature, they
    would otherwise take the places of the names a romanisation variant or a sound is found
    by (Halaf would find Kalaf and Qalaf by ``d:alaf`` before Khalaf by ``r:halaf``). Left
    out altogether, as they were (ADR 0523), a typing error in a part whose romanisation key
    happens to be another name's ("Berayex", ``r:baraks``, for the listed "Beratex") found
    nothing (ADR 0524)."""
    usable = sorted(k for k in keys if k[0] <= cap)
    exact = [k for k in usable if not k[1].startswith("d:")]
    typos = [k for k in usable if k[1].startswith("d:")]
    floor = max((df for df, key in exact if key.startswith(("t:", "r:"))), default=0)
    return exact[:limit] + [(max(df, floor), key) for df, key in typos[: limit - len(exact)]]
