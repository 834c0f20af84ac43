"""The alignment's faster code (ADR 0535) scores and explains exactly as the code it replaced:
the weighing, rescue and combination read rigour's fields once, and a screening aligns a
listed analysis once. The earlier code is kept here as the reference."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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

from vigie.screening import engine, names
from vigie.screening.tests.test_bounds import LISTED, WORDS, _record


def _ref_weigh(alignment: Alignment, person: bool = True) -> None:
    if alignment.symbol is not None:
        sym = alignment.symbol
        cat = str(sym.category.value) if sym is not None else ""
        alignment.score = names.SYMBOL_SCORE.get(cat, 0.9)
        alignment.weight = names.SYMBOL_WEIGHT.get(cat, 1.0)
        if alignment.qstr == alignment.rstr:
            alignment.score = 1.0
    if not alignment.rps:
        alignment.weight = names.EXTRA_QUERY_WEIGHT
    elif not alignment.qps:
        alignment.weight = names.EXTRA_ENTRY_WEIGHT
    parts = alignment.qps or alignment.rps
    if parts and all(
        p.tag in (NamePartTag.STOP, NamePartTag.LEGAL)
        or p.comparable in names.PARTICLES
        or (person and p.comparable in names.HONORIFICS)
        for p in parts
    ):
        alignment.weight *= names.STOP_WEIGHT
    length = max(len(alignment.qstr), len(alignment.rstr), 1)
    alignment.weight *= min(1.0, 0.4 + length / 8)
    if alignment.symbol is None and alignment.rps and len(alignment.qstr) == 1:
        alignment.weight *= names.SYMBOL_WEIGHT["INITIAL"]


def _ref_rescue(alignment: Alignment) -> None:
    if alignment.symbol is not None or len(alignment.qps) != 1 or len(alignment.rps) != 1:
        return
    if alignment.score < 0.95:
        sim = names.similarity(alignment.qps[0].comparable, alignment.rps[0].comparable)
        alignment.score = max(alignment.score, sim)
    if alignment.score < names.PARTIAL:
        alignment.score **= 2


def _ref_combine(matches: list[Alignment], person: bool) -> float:
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
        total += min(extra, names.EXTRA_ENTRY_SHARE * total)
    elif person and (added := names._added_parts(matches)):
        total -= sum(m.weight for m in added) * (
            1 - names.ADDED_QUERY_WEIGHT / names.EXTRA_QUERY_WEIGHT
        )
        total += min(extra, names.EXTRA_ENTRY_CAP)
    else:
        total += min(extra, names.EXTRA_ENTRY_CAP)
    return scored / total if total else 0.0


def reference(query: Name, entry: Name) -> names.NameMatch:
    """``names.compare_names`` as it was before ADR 0535."""
    if query.comparable == entry.comparable:
        whole = Alignment(list(query.parts), list(entry.parts), score=1.0)
        return names.NameMatch(1.0, query.original, entry.original, [whole])
    best = names.NameMatch(0.0, query.original, entry.original, [])
    pairings = pair_symbols(query, entry)[: names.MAX_PAIRINGS] or [()]
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
            _ref_rescue(m)
        if initials:
            matches = names._pair_initials(matches, initials)
        matches = names._pair_leftovers(matches)
        for m in matches:
            _ref_weigh(m, query.tag == NameTypeTag.PER)
        score = _ref_combine(matches, query.tag == NameTypeTag.PER)
        if score > best.score:
            best = names.NameMatch(score, query.original, entry.original, matches)
            if score >= 1.0:
                break
    return best


@pytest.fixture(scope="module")
def index() -> engine.ScreeningIndex:
    """The test lists and 60 entries made of their words and spellings, each name listed
    twice (as UN and OFAC list one person): the remembered alignments are met again."""
    rng = random.Random(35)
    made = [
        (f"G{i}", rng.choice(["Person", "Organization"]), [
            " ".join(rng.sample(WORDS, rng.randint(1, 4))) for _ in range(rng.randint(1, 3))
        ])
        for i in range(60)
    ]  # fmt: skip
    made += [(f"T{ref}", schema, [n.upper() for n in listed]) for ref, schema, listed in made]
    records = [
        _record(i, ref, schema, listed) for i, (ref, schema, listed) in enumerate(LISTED + made, 1)
    ]
    return engine.build(records)


def _seen(match: names.NameMatch) -> tuple[object, ...]:
    return match.score, match.query, match.entry, match.explain()


query_words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(query_words, st.sampled_from(["Person", "Organization", None]), st.randoms())
def test_alignments_are_those_the_earlier_code_made(
    index: engine.ScreeningIndex, words: list[str], schema: str | None, rnd: random.Random
) -> None:
    text = " ".join(words)
    # the same name in other letter cases: another original with the same analysis
    cased = [text, text.upper(), " ".join(w.capitalize() for w in words)]
    listed_names = rnd.sample(index.names, 40)
    for variant in cased:
        aligned: engine.Aligned = {}
        for f, form in enumerate(names.analyse(variant, schema, index.lexicon)):
            for listed in listed_names:
                expected = _seen(reference(form, listed.name))
                assert _seen(names.compare_names(form, listed.name)) == expected
                # made once per listed analysis (the same name listed in capitals may have
                # made it): the same score and alignment, with this listed name's original
                assert _seen(engine._align(aligned, f, form, listed)) == expected


def _ref_pair_joined(
    matches: list[Alignment], lone_q: list[NamePart], lone_r: list[NamePart]
) -> tuple[list[Alignment], list[NamePart], list[NamePart]]:
    """``names._pair_joined`` as it was before ADR 0538 (no ``_joinable`` check first)."""
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


# parts written as one or as two ("Al Haramain" / "Alharamain"), and others
JOINABLE_WORDS = [
    "Al", "Haramain", "Alharamain", "Abu", "Rusdan", "Aburusdan", "Abdul", "Rahman",
    "Abdulrahman", "Wen", "ji", "Wenji", "Ali", "Hassan", "Alihassan", "Hassanali", "Rusdanabu",
]  # fmt: skip
joinable_names = st.lists(st.sampled_from(JOINABLE_WORDS), min_size=1, max_size=5)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(joinable_names, joinable_names, st.sampled_from(["Person", "Organization"]))
def test_joined_parts_are_paired_as_the_earlier_code_paired_them(
    searched: list[str], listed: list[str], schema: str
) -> None:
    """``_joinable`` only spares ``_pair_joined`` the pairs of names with no joined part: it
    pairs and leaves alone the same parts as before (ADR 0538)."""
    query = names.analyse(" ".join(searched), schema)[0]
    entry = names.analyse(" ".join(listed), schema)[0]
    made = []
    for pair_joined in (_ref_pair_joined, names._pair_joined):
        lone_q, lone_r = list(query.parts), list(entry.parts)
        matches = [Alignment([p], [], score=0.0) for p in lone_q]
        matches += [Alignment([], [p], score=0.0) for p in lone_r]
        kept, left_q, left_r = pair_joined(matches, lone_q, lone_r)
        made.append(
            (
                [([p.form for p in m.qps], [p.form for p in m.rps], m.score) for m in kept],
                [p.form for p in left_q],
                [p.form for p in left_r],
            )
        )
    assert made[0] == made[1]
