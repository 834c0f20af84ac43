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
from rigour.env import MAX_NAME_LENGTH
from rigour.names import Alignment, Name, NamePart, NameTypeTag
from rigour.names.compare import CompareConfig

from vigie.screening import names

# the largest weight ``names._weigh`` gives an alignment (rigour's default weight is 1.0)
MAX_WEIGHT = max(1.0, names.EXTRA_QUERY_WEIGHT, *names.SYMBOL_WEIGHT.values())
MARGIN = 1e-9  # rounding: a score within this of the threshold is always aligned
OVERLAP = CompareConfig().cluster_overlap_min  # what compare_parts needs to pair two parts
UNLIKE = 0.55  # Jaro-Winkler under which names.similarity is 0 (it needs 0.6)
# the least an edit of a searched character costs in compare_parts: a confusable substitute
# (0.7), a digit (1.5) or any other edit (1.0); only a separator costs less
_RIGOUR = CompareConfig()
COST = min(_RIGOUR.cost_confusable, _RIGOUR.cost_digit, 1.0)

# A listed name: its parts' comparable spellings, its symbols ("NAME:Q123") and, per part,
# the symbols it carries, its weight alone in an alignment and whether it is minor.
Listed = tuple[tuple[str, ...], frozenset[str], tuple[tuple[frozenset[str], float, bool], ...]]
# A searched name: per part, its comparable spelling, its symbols, its weight when found
# nowhere in the listed name (None: one letter, which may match whenever it shares rigour's
# INITIAL symbol), the smallest weight it gets there when added to the whole of a long
# listed name, and its weight found nowhere even if one letter; then the symbols of the
# whole name.
Searched = tuple[tuple[tuple[str, frozenset[str], float | None, float, float], ...], frozenset[str]]
# the share of its weight a searched part keeps when added to a whole listed name (ADR 0523)
ADDED_SHARE = names.ADDED_QUERY_WEIGHT / names.EXTRA_QUERY_WEIGHT

# searched spelling -> listed spelling -> whether they may pair (``may_pair``)
_LINKS: dict[str, dict[str, bool]] = {}
_MAX_LINKS = 500_000
_links = 0
# searched spelling -> a listed name's spellings -> the parts it may pair with (``links``)
_MASKS: dict[str, dict[tuple[str, ...], int]] = {}
_masks = 0
# (searched spelling, listed spellings left to pair) -> the best score (``best``)
_BEST: dict[tuple[str, tuple[str, ...]], float] = {}


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
        alone = Alignment([part], [], score=0.0)
        names._weigh(alone, person)
        solo = alone.weight
        weight = solo if len(part.comparable) > 1 else None
        added = solo * ADDED_SHARE if person else solo
        out.append((part.comparable, _symbols(name, part), weight, added, solo))
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


def best(q: str, rest: tuple[str, ...]) -> float:
    """The highest score an alignment holding the searched part ``q`` (two letters or more)
    can get from rigour's ``compare_parts`` and our pairings (``names._rescue``,
    ``_pair_leftovers``, ``_pair_joined``) when the listed parts left to pair are ``rest``
    (ADR 0536; cached, a batch meets the same parts again and again):

    - a joined or split part (Al Haramain / Alharamain, 0.95): one is inside the other: 1;
    - ``names.similarity`` with a part ``q`` may pair with (rescued, or paired as leftovers);
    - a cluster of ``compare_parts``: its score is the product of each side's similarity,
      ``1 - cost / length`` over the side's characters (the separator after each part
      included) or 0; each character of ``q`` not aligned with an equal one costs at least
      ``COST`` (only separators cost less), and a character that no part of ``rest`` holds
      is never aligned with an equal one; over a side of several parts the similarity is at
      most the best part's (a mediant).
    ``names._rescue`` keeps the higher of the last two, squared under ``PARTIAL``: never
    more. 0 when ``q`` may pair with none of ``rest``."""
    key = (q, rest)
    found = _BEST.get(key)
    if found is None:
        close = [r for r in rest if may_pair(q, r)]
        if not close:
            found = 0.0
        elif any(q in r or r in q for r in close):
            found = 1.0
        else:
            found = max(names.similarity(q, r) for r in close)
            if any(LCSseq.similarity(q, r) / min(len(q), len(r)) > OVERLAP for r in close):
                letters = set("".join(rest))
                missed = sum(1 for c in q if c not in letters)
                found = max(found, 1.0 - COST * missed / (len(q) + 1))
        if len(_BEST) >= _MAX_LINKS:
            _BEST.clear()
        _BEST[key] = found
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


def at_most(query: Searched, entry: Listed, paired: tuple[int, int] | None = None) -> float:
    """An upper bound of ``names.compare_names`` for these two names; with ``paired``, of the
    score of one of its symbol pairings (ADR 0536): the searched and listed parts that
    pairing's edges hold, as bits (part ``i``: ``1 << i``). Those parts may score 1; the
    others are left to rigour's ``compare_parts`` and our pairings of leftovers, which only
    pair a searched part with a listed part outside the edges that it ``may_pair``s with
    (shared symbols no longer count for them), at most at ``best`` (one letter: at 1)."""
    searched_parts, searched_symbols = query
    parts, symbols, listed_parts = entry
    fixed_q, fixed_r = paired if paired is not None else (0, 0)
    rest = parts if not fixed_r else tuple(r for j, r in enumerate(parts) if not fixed_r >> j & 1)
    # compare_parts aligns at most MAX_NAME_LENGTH characters of each side: ``best`` holds
    # for names that fit
    fits = (
        sum(len(p[0]) + 1 for p in searched_parts) <= MAX_NAME_LENGTH
        and sum(len(r) + 1 for r in parts) <= MAX_NAME_LENGTH
    )
    tops: list[float] = []  # the best score of each searched part that may pair
    alone = 0.0  # the searched parts that cannot pair, at their weight ...
    light = 0.0  # ... and at their weight as parts added to a whole listed name
    reached = fixed_r  # the listed parts some searched part may pair with, as bits (``links``)
    for i, (q, q_symbols, weight, added, solo) in enumerate(searched_parts):
        if fixed_q >> i & 1:
            tops.append(1.0)
            continue
        mask = links(q, parts) & ~fixed_r
        reached |= mask
        if paired is None and not q_symbols.isdisjoint(symbols):
            tops.append(1.0)
        elif mask:
            # (``best`` only for a pairing: before it, the cheaper bound sorts out most names)
            tops.append(best(q, rest) if paired and fits and weight is not None else 1.0)
        elif weight is None and paired is None:
            tops.append(1.0)  # an initial may share rigour's INITIAL symbol
        else:
            alone += solo
            light += added
    if not tops:
        return 0.0
    extra = 0.0  # the listed parts that cannot pair
    if alone:
        whole = True  # no listed part that is not minor is alone: the discount may apply
        paired_parts = 0  # listed parts that are not minor and may pair
        for j, (r_symbols, weight, minor) in enumerate(listed_parts):
            if reached >> j & 1 or (paired is None and not r_symbols.isdisjoint(searched_symbols)):
                paired_parts += not minor
            else:
                extra += weight
                whole = whole and minor
        if whole and paired_parts >= names.ADDED_MIN_SHARED:
            alone = min(alone, light)  # (light is smaller, or equal for an organisation)
    # The score is a weighted mean of scores at most ``tops`` (an alignment of several parts
    # at most its best part's), weights at most MAX_WEIGHT, over a total that holds at least
    # ``rest`` more: it is largest when the best k parts weigh MAX_WEIGHT and the others 0.
    rest_weight = alone + min(extra, names.EXTRA_ENTRY_CAP)
    tops.sort(reverse=True)
    bound = summed = 0.0
    for k, top in enumerate(tops, 1):
        summed += top * MAX_WEIGHT
        bound = max(bound, summed / (k * MAX_WEIGHT + rest_weight))
    return bound
