"""Averaged differencing that evades a guard comparing queries by their wording (issue 15).

An analyst asks, for each small group (country X, age group Y), many different pairs of
queries whose record sets differ by exactly that group, reads the two totals and averages
the differences; the bounded cell-key noise of two different record sets averages away. The
pairs are worded so that no two queries look alike: every query groups by dimensions no
earlier query used (single- and multi-valued: forms, means), or adds an age code that matches
no record, or a period that covers every record but is not nested with the other query's.
The guard compares the *records* the cells count, whatever the wording, so the pairs are
refused; the same attack against tables with perturbation only recovers most groups, which
shows that the attack is real.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable
from itertools import permutations
from pathlib import Path
from typing import Any

import pytest

from vigie.analytics import disclosure, selectors
from vigie.analytics.engine import Engine
from vigie.analytics.store import Store
from vigie.devtools import analytics_rows as generator
from vigie.testing import World

K = 11
PAIRS = 21  # different query pairs per small group
GROUPS = 10
DIMS = ["sex", "form", "means", "displacement", "source", "citizenship", "area", "situation"]
Ask = Callable[[dict[str, Any], tuple[str, ...]], int | None]


@pytest.fixture
def analyst_engine(world: World, tmp_path: Path) -> tuple[Engine, list[dict[str, Any]]]:
    """Synthetic victims of the analyst's own organisation, with many small groups."""
    rows = generator.victim_rows(2500, seed=15)
    for row in rows:
        row["organisation"] = world.own.code
    store = Store(tmp_path / "snapshot")
    store.replace_all(
        {
            "victims": generator.victims_table(rows),
            "perpetrators": generator.perpetrators_table(generator.perpetrator_rows(50, seed=15)),
        },
        "2026-01-01T00:00:00Z",
    )
    return Engine(store), rows


def _small_groups(rows: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    sizes: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (str(r["country"]), str(r["age_group"]))
        sizes[key] = sizes.get(key, 0) + int(r["weight"])
    return sorted((c, a, n) for (c, a), n in sizes.items() if 0 < n < K)


def _bys() -> list[tuple[str, ...]]:
    """Groupings, each used by one query of a group only: one or two dimensions."""
    return [(d,) for d in DIMS] + list(permutations(DIMS, 2))


def _attack(rows: list[dict[str, Any]], ask: Ask) -> tuple[int, int, int]:
    """(groups attacked, recovered exactly, recovered within ±1) by averaging the usable
    differences of ``PAIRS`` pairs per group (at least 3 usable to count)."""
    ages = sorted({str(r["age_group"]) for r in rows})
    groups = _small_groups(rows)
    assert len(groups) >= GROUPS, "the synthetic sample should hold many small groups"
    groups = groups[:GROUPS]
    rng = random.Random(2331)
    exact = near = 0
    for g, (country, age, size) in enumerate(groups):
        bys = iter(_bys())
        others = [a for a in ages if a != age]
        diffs: list[int] = []
        for i in range(PAIRS):
            subset = rng.sample(others, rng.randint(3, len(others)))
            with_group: dict[str, Any] = {"country": country, "age_group": [*subset, age]}
            without: dict[str, Any] = {"country": country, "age_group": list(subset)}
            way = i % 3
            if way == 1:  # an age code that matches nothing: the filters are not nested
                without["age_group"] = [*subset, f"zz{g}x{i}"]
            elif way == 2:  # periods holding every record, neither inside the other
                with_group["period"] = f"{1990 + i}-{2040 + i}"
                without["period"] = f"{1989 + i}-{2039 + i}"
            # fresh groupings for the first way; the other ways vary the filters only
            a = ask(with_group, next(bys) if way == 0 else ("sex",))
            b = ask(without, next(bys) if way == 0 else ("sex",))
            if a is not None and b is not None:
                diffs.append(a - b)
        if len(diffs) >= 3:
            guess = statistics.fmean(diffs)
            exact += round(guess) == size
            near += abs(round(guess) - size) <= 1
    return len(groups), exact, near


@pytest.mark.slow
@pytest.mark.django_db
def test_averaged_differencing_worded_apart_recovers_small_groups_only_without_the_guard(
    world: World, analyst_engine: tuple[Engine, list[dict[str, Any]]]
) -> None:
    engine, rows = analyst_engine
    analyst = world.users["analyst"]

    def unprotected(filters: dict[str, Any], by: tuple[str, ...]) -> int | None:
        req = selectors.parse_request(by, filters)
        table = engine.typology(selectors._query(analyst, req))
        return disclosure.protect(table).value(*(None for _ in by))

    def guarded(filters: dict[str, Any], by: tuple[str, ...]) -> int | None:
        req = selectors.parse_request(by, filters)
        return selectors.typology(analyst, req, engine).value(*(None for _ in by))

    attacked, exact, near = _attack(rows, unprotected)
    assert exact >= attacked // 2, f"perturbation alone: {exact} of {attacked} recovered"

    attacked, exact, near = _attack(rows, guarded)
    assert exact < attacked * 0.1, f"with the guard: {exact} of {attacked} recovered exactly"
    assert near < attacked * 0.2, f"with the guard: {near} of {attacked} recovered within ±1"
