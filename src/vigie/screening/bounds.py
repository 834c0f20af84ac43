"""An upper bound of ``names.compare_names(query, listed).score``, cheap enough to skip the
alignment of listed names that cannot reach the reporting threshold (ADR 0531).

Why it holds (rigour 2.6, ``names.compare_names``): the score is ``scored / total``, a
weighted mean over the alignments holding searched parts (``_combine``; the listed parts
left over only add to ``total``). Every searched part is in exactly one alignment, every
score is at most 1 and every weight at most ``MAX_WEIGHT``. A searched part can only be in
an alignment scoring above 0 if

- it shares a symbol with the listed name (``pair_symbols`` pairs equal symbols only), or
- ``names.similarity`` pairs it with a listed part (``_rescue``, ``_pair_leftovers``); it
  gives 0 to two different parts of two letters or more whose Jaro-Winkler similarity is
  under 0.6, so those pairs are not given to it (checked with a margin; tested), or
- rigour's ``compare_parts`` puts it in a cluster with a listed part: that needs more than
  ``cluster_overlap_min`` (0.51) of the shorter part's characters matched between the two,
  and matched characters form a common subsequence, so the longest common subsequence of the
  two spellings must exceed that share (a part joined or split, Al Haramain / Alharamain,
  has a whole part as common subsequence), or
- it is one letter (initials are paired apart, ``_pair_initials``), or
- the two names have the same comparable form (scored 1.0 at once; the caller checks it).

A part that meets none of these is alone in its alignment with score 0, weighed as
``names._weigh`` weighs a searched part found nowhere in the listed name, or, for a person
whose listed name has at least ``names.ADDED_MIN_SHARED`` parts, possibly as a part added to
the whole of that name (``names._added_parts``: ``ADDED_QUERY_WEIGHT / EXTRA_QUERY_WEIGHT``
of that weight); the bound takes the smaller weight whenever the discount may apply.
With ``p`` parts that may match and ``z`` the weight of those that cannot, the score is at most
``p * MAX_WEIGHT / (p * MAX_WEIGHT + z)`` (the mean grows with the matched weight).

When a searched part is alone, not every searched part is matched, so ``_combine`` adds the
weight of the listed parts left alone to the total, up to ``names.EXTRA_ENTRY_CAP``. By the
same reasoning, a listed part that shares no symbol with the searched name and that no
searched part may pair with is alone in its alignment (rigour's ``compare_parts`` gives each
part no cluster takes a solo alignment of its own), weighed as ``names._weigh`` weighs a
listed part alone; the bound adds ``min(their weights' sum, EXTRA_ENTRY_CAP)`` to its
denominator (ADR 0532). Such a part that is not minor (``names._minor``) also rules out the
discount of parts added to a whole listed name, since that needs every listed part paired.
tests/test_bounds.py checks the bound against ``compare_names`` and that screening with and
without it gives the same results.
"""

from __future__ import annotations

from rapidfuzz.distance import JaroWinkler, LCSseq
from rigour.names import Alignment, Name, NamePart, NameTypeTag
from rigour.names.compare import CompareConfig

from vigie.screening import names

# the largest weight ``names._weigh`` gives an alignment (rigour's default weight is 1.0)
MAX_WEIGHT = max(1.0, names.EXTRA_QUERY_WEIGHT, *names.SYMBOL_WEIGHT.values())
MARGIN = 1e-9  # rounding: a score within this of the threshold is always aligned
OVERLAP = CompareConfig().cluster_overlap_min  # what compare_parts needs to pair two parts
UNLIKE = 0.55  # Jaro-Winkler under which names.similarity is 0 (it needs 0.6)

# A listed name: its parts' comparable spellings, its symbols ("NAME:Q123") and, per part,
# the symbols it carries, its weight alone in an alignment and whether it is minor.
Listed = tuple[tuple[str, ...], frozenset[str], tuple[tuple[frozenset[str], float, bool], ...]]
# A searched name: per part, its comparable spelling, its symbols, its weight when found
# nowhere in the listed name (None: a part that may always match, one letter) and the
# smallest weight it gets there when added to the whole of a long listed name; then the
# symbols of the whole name.
Searched = tuple[tuple[tuple[str, frozenset[str], float | None, float], ...], frozenset[str]]
# the share of its weight a searched part keeps when added to a whole listed name (ADR 0523)
ADDED_SHARE = names.ADDED_QUERY_WEIGHT / names.EXTRA_QUERY_WEIGHT

# searched spelling -> listed spelling -> whether they may pair (``may_pair``)
_LINKS: dict[str, dict[str, bool]] = {}
_MAX_LINKS = 500_000
_links = 0
# searched spelling -> a listed name's spellings -> the parts it may pair with (``links``)
_MASKS: dict[str, dict[tuple[str, ...], int]] = {}
_masks = 0


def _symbols(name: Name, part: NamePart | None = None) -> frozenset[str]:
    return frozenset(
        f"{s.symbol.category.value}:{s.symbol.id}"
        for s in name.spans
        if part is None or part in s.parts
    )


def _alone(part: NamePart) -> float:
    """The smallest weight ``names._weigh`` gives a listed part alone in its alignment
    (whether the search is a person's only lightens titles)."""
    weights = []
    for person in (True, False):
        alignment = Alignment([], [part], score=0.0)
        names._weigh(alignment, person)
        weights.append(alignment.weight)
    return min(weights)


def listed(name: Name) -> Listed:
    return (
        tuple(p.comparable for p in name.parts),
        _symbols(name),
        tuple((_symbols(name, p), _alone(p), names._minor([p])) for p in name.parts),
    )


def searched(name: Name) -> Searched:
    person = name.tag == NameTypeTag.PER
    out = []
    for part in name.parts:
        weight: float | None = None
        if len(part.comparable) > 1:
            alone = Alignment([part], [], score=0.0)
            names._weigh(alone, person)
            weight = alone.weight
        added = weight * ADDED_SHARE if person and weight is not None else (weight or 0.0)
        out.append((part.comparable, _symbols(name, part), weight, added))
    return tuple(out), _symbols(name)


def may_pair(q: str, r: str) -> bool:
    """Whether the searched part ``q`` may be aligned with the listed part ``r`` at a score
    above 0 (cached: a batch meets the same pairs of spellings again and again)."""
    global _links
    known = _LINKS.get(q)
    if known is None:
        known = _LINKS[q] = {}
    found = known.get(r)
    if found is None:
        shorter = min(len(q), len(r))
        found = (shorter > 0 and LCSseq.similarity(q, r) / shorter > OVERLAP) or (
            (shorter < 2 or JaroWinkler.similarity(q, r) >= UNLIKE) and names.similarity(q, r) > 0
        )
        if _links >= _MAX_LINKS:
            _LINKS.clear()
            _links = 0
            known = _LINKS[q] = {}
        _links += 1
        known[r] = found
    return found


def links(q: str, parts: tuple[str, ...]) -> int:
    """The listed parts (``parts``, a listed name's spellings) the searched part ``q`` may
    pair with, as bits (part ``j``: ``1 << j``): ``may_pair`` over the whole name at once,
    cached by searched spelling and listed name, so that a batch, which meets the same
    searched parts against the same listed names again and again, looks each pair up once
    per name instead of once per pair of parts (ADR 0533)."""
    global _masks
    known = _MASKS.get(q)
    if known is None:
        known = _MASKS[q] = {}
    found = known.get(parts)
    if found is None:
        found = 0
        for j, r in enumerate(parts):
            if may_pair(q, r):
                found |= 1 << j
        if _masks >= _MAX_LINKS:
            _MASKS.clear()
            _masks = 0
            known = _MASKS[q] = {}
        _masks += 1
        known[parts] = found
    return found


def at_most(query: Searched, entry: Listed) -> float:
    """An upper bound of ``names.compare_names`` for these two names."""
    searched_parts, searched_symbols = query
    parts, symbols, listed_parts = entry
    may = 0
    alone = 0.0  # the searched parts that cannot pair, at their weight ...
    light = 0.0  # ... and at their weight as parts added to a whole listed name
    reached = 0  # the listed parts some searched part may pair with, as bits (``links``)
    for q, q_symbols, weight, added in searched_parts:
        mask = links(q, parts)
        reached |= mask
        if weight is None or mask or not q_symbols.isdisjoint(symbols):
            may += 1
        else:
            alone += weight
            light += added
    if not may:
        return 0.0
    if not alone:
        return 1.0
    extra = 0.0  # the listed parts that cannot pair
    whole = True  # no listed part that is not minor is alone: the discount may apply
    paired = 0  # listed parts that are not minor and may pair
    for j, (r_symbols, weight, minor) in enumerate(listed_parts):
        if reached >> j & 1 or not r_symbols.isdisjoint(searched_symbols):
            paired += not minor
        else:
            extra += weight
            whole = whole and minor
    if whole and paired >= names.ADDED_MIN_SHARED:
        alone = min(alone, light)  # (light is smaller, or equal for an organisation)
    top = may * MAX_WEIGHT
    return top / (top + alone + min(extra, names.EXTRA_ENTRY_CAP))
