"""The candidate lookup's faster code (ADR 0534) chooses exactly what the code it replaced
chose: same listed names, same order, for any searched name, width and cut-offs. The earlier
code is kept here as the reference."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process
from rigour.names import Name

from vigie.screening import engine, names, ranking
from vigie.screening.tests.test_bounds import LISTED, WORDS, _record


def reference(index: engine.ScreeningIndex, query: Name, limit: int) -> list[int]:
    """``ScreeningIndex.candidates`` as it was before ADR 0534 (with ADR 0528's rule for keys
    spanning two searched parts and ADR 0545's for typing-error keys that add no name)."""
    import heapq

    n = max(len(index.names), 1)
    cap = max(engine.MAX_DF * n, engine.MIN_CAP)
    postings = index.postings
    by_part: dict[int, list[tuple[int, str]]] = defaultdict(list)
    spanning: set[str] = set()  # keys of several searched parts (ADR 0528)
    for key, parts in names.blocking_keys(query).items():
        posting = postings.get(key)
        if posting is not None:
            if len(parts) > 1:
                spanning.add(key)
            for p in parts:
                by_part[p].append((len(posting), key))
    if not by_part:
        return []
    own = {p: [k for k in keys if k[1] not in spanning] for p, keys in by_part.items()}
    selected: dict[int, list[tuple[int, str]]] = {}
    joined: set[tuple[int, str]] = set()
    for p, keys in by_part.items():
        useful = ranking.finding_more(keys, cap, engine.MAX_KEYS_PER_PART, postings)
        rare = names.rarest(useful, cap, engine.MAX_KEYS_PER_PART)
        if rare and (not own[p] or any(key not in spanning for _df, key in rare)):
            selected[p] = rare
        else:
            joined.update(rare)
    if not selected:
        selected = {part: [min(own[part] or keys)] for part, keys in by_part.items()}
    part_hits: list[dict[int, float]] = []
    for keys in [*selected.values(), *([sorted(joined)] if joined else [])]:
        hits: dict[int, float] = {}
        for df, key in sorted(keys, reverse=True):
            hits.update(dict.fromkeys(postings[key], math.log(1 + n / df)))
        part_hits.append(hits)
    weights = dict(part_hits[0])
    for hits in part_hits[1:]:
        get = weights.get
        weights.update({k: get(k, 0.0) + v for k, v in hits.items()})
    if len(weights) > limit:
        for p, keys in by_part.items():
            if p in selected:
                continue
            df, key = min(own[p] or keys)
            bonus = math.log(1 + n / df)
            for name_id in postings[key]:
                if name_id in weights:
                    weights[name_id] += bonus
    if len(weights) <= limit:
        return sorted(weights, key=weights.__getitem__, reverse=True)
    pool: list[int] = []
    taken: dict[int, int] = {}
    for name_id in heapq.nlargest(engine.POOL * 4, weights, key=weights.__getitem__):
        entry = index.names[name_id].entry
        seen = taken.get(entry, 0)
        if seen < engine.PER_ENTRY:
            taken[entry] = seen + 1
            pool.append(name_id)
            if len(pool) == engine.POOL:
                break
    if len(pool) <= limit:
        return pool
    likeness = process.extract(
        query.comparable,
        [index.names[i].plain for i in pool],
        scorer=fuzz.token_sort_ratio,
        limit=None,
    )
    top = weights[pool[0]] or 1.0
    rank = {pool[i]: weights[pool[i]] / top + like / 100 for _text, like, i in likeness}
    return heapq.nlargest(limit, pool, key=rank.__getitem__)


@pytest.fixture(scope="module")
def crowded_index() -> engine.ScreeningIndex:
    """The test lists and 150 entries made of their words and spellings: many listed names
    share each part, so every cut-off of the lookup is reached."""
    rng = random.Random(17)
    made = [
        (f"G{i}", rng.choice(["Person", "Organization"]), [
            " ".join(rng.sample(WORDS, rng.randint(2, 4))) for _ in range(rng.randint(1, 3))
        ])
        for i in range(150)
    ]  # fmt: skip
    records = [
        _record(i, ref, schema, listed) for i, (ref, schema, listed) in enumerate(LISTED + made, 1)
    ]
    return engine.build(records)


@pytest.fixture
def small_cuts(request: pytest.FixtureRequest) -> Iterator[None]:
    """Cut-offs scaled to the small index (a common part, a pool, names per entry)."""
    saved = engine.MIN_CAP, engine.POOL, engine.PER_ENTRY
    engine.MIN_CAP, engine.POOL, engine.PER_ENTRY = request.param
    yield
    engine.MIN_CAP, engine.POOL, engine.PER_ENTRY = saved


query_names = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join)


@pytest.mark.parametrize(
    "small_cuts", [(200, 80, 3), (8, 12, 2), (3, 6, 1), (30, 40, 3)], indirect=True
)
@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    query_names,
    st.sampled_from(["Person", "Organization", None]),
    st.sampled_from([1, 3, 5, 20, 80]),
)
def test_the_candidates_are_those_the_earlier_code_chose(
    crowded_index: engine.ScreeningIndex,
    small_cuts: None,
    text: str,
    schema: str | None,
    limit: int,
) -> None:
    for form in names.analyse(text, schema, crowded_index.lexicon):
        assert crowded_index.candidates(form, limit) == reference(crowded_index, form, limit)
        # a crowded name's wider pass cuts again what the first pass found
        found = crowded_index._found(form)
        for width in (limit, ranking.WIDE, limit):
            assert crowded_index._cut(form, found, width) == reference(crowded_index, form, width)
