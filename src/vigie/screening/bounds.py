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
tests/test_bounds.py checks the bound against ``compare_names`` and that screening with and
without it gives the same results.
"""

from __future__ import annotations

from rapidfuzz.distance import JaroWinkler, LCSseq
from rigour.names import Alignment, Name, NameTypeTag
from rigour.names.compare import CompareConfig

from vigie.screening import names

# the largest weight ``names._weigh`` gives an alignment (rigour's default weight is 1.0)
MAX_WEIGHT = max(1.0, names.EXTRA_QUERY_WEIGHT, *names.SYMBOL_WEIGHT.values())
MARGIN = 1e-9  # rounding: a score within this of the threshold is always aligned
OVERLAP = CompareConfig().cluster_overlap_min  # what compare_parts needs to pair two parts
UNLIKE = 0.55  # Jaro-Winkler under which names.similarity is 0 (it needs 0.6)

# A listed name: its parts' comparable spellings and its symbols ("NAME:Q123").
Listed = tuple[tuple[str, ...], frozenset[str]]
# A searched name: per part, its comparable spelling, its symbols, its weight when found
# nowhere in the listed name (None: a part that may always match, one letter) and the
# smallest weight it gets there when added to the whole of a long listed name.
Searched = tuple[tuple[str, frozenset[str], float | None, float], ...]
# the share of its weight a searched part keeps when added to a whole listed name (ADR 0523)
ADDED_SHARE = names.ADDED_QUERY_WEIGHT / names.EXTRA_QUERY_WEIGHT

_LINKS: dict[tuple[str, str], bool] = {}
_MAX_LINKS = 500_000


def listed(name: Name) -> Listed:
    return (
        tuple(p.comparable for p in name.parts),
        frozenset(f"{s.symbol.category.value}:{s.symbol.id}" for s in name.spans),
    )


def searched(name: Name) -> Searched:
    person = name.tag == NameTypeTag.PER
    out = []
    for part in name.parts:
        symbols = frozenset(
            f"{s.symbol.category.value}:{s.symbol.id}" for s in name.spans if part in s.parts
        )
        weight: float | None = None
        if len(part.comparable) > 1:
            alone = Alignment([part], [], score=0.0)
            names._weigh(alone, person)
            weight = alone.weight
        added = weight * ADDED_SHARE if person and weight is not None else (weight or 0.0)
        out.append((part.comparable, symbols, weight, added))
    return tuple(out)


def may_pair(q: str, r: str) -> bool:
    """Whether the searched part ``q`` may be aligned with the listed part ``r`` at a score
    above 0 (cached: a batch meets the same pairs of spellings again and again)."""
    key = (q, r)
    found = _LINKS.get(key)
    if found is None:
        shorter = min(len(q), len(r))
        found = (shorter > 0 and LCSseq.similarity(q, r) / shorter > OVERLAP) or (
            (shorter < 2 or JaroWinkler.similarity(q, r) >= UNLIKE) and names.similarity(q, r) > 0
        )
        if len(_LINKS) >= _MAX_LINKS:
            _LINKS.clear()
        _LINKS[key] = found
    return found


def at_most(query: Searched, entry: Listed) -> float:
    """An upper bound of ``names.compare_names`` for these two names."""
    parts, symbols = entry
    long = len(parts) >= names.ADDED_MIN_SHARED  # where names._added_parts may discount
    may = 0
    alone = 0.0
    for q, q_symbols, weight, added in query:
        if (
            weight is None
            or not q_symbols.isdisjoint(symbols)
            or any(may_pair(q, r) for r in parts)
        ):
            may += 1
        else:
            alone += added if long else weight
    if not may:
        return 0.0
    return may * MAX_WEIGHT / (may * MAX_WEIGHT + alone)
