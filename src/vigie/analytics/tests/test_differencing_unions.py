"""Differencing with overlapping queries that are not nested (issue 15, ADR 0402 left them
open): with ages {a} + X, {a} + Y and {a} + X + Y (X and Y disjoint), a + b - c is the small
group's size, whichever pair is compared; averaged over many different (X, Y) it recovered
most small groups exactly. Now the query that completes such a set has the cell suppressed,
so the attacker does no better than a guess. The route tables pass the guard too."""

from __future__ import annotations

import random
from typing import Any

import pytest

from vigie.analytics import privacy, selectors
from vigie.analytics.engine import Engine
from vigie.testing import SYSTEM

K = 11
TRIPLES = 12  # different (X, Y) per small group


def _small_groups(rows: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    sizes: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (str(r["country"]), str(r["age_group"]))
        sizes[key] = sizes.get(key, 0) + int(r["weight"])
    return sorted((c, a, n) for (c, a), n in sizes.items() if 0 < n < K)


def _total(country: str, ages: list[str], engine: Engine) -> int | None:
    req = selectors.parse_request("sex", {"country": country, "age_group": ages})
    return selectors.typology(SYSTEM, req, engine).value(None)


@pytest.mark.slow
@pytest.mark.django_db
def test_inclusion_exclusion_over_overlapping_queries_recovers_no_more_than_chance(
    sample_rows: list[dict[str, Any]], sample_engine: Engine
) -> None:
    ages = sorted({str(r["age_group"]) for r in sample_rows})
    rng = random.Random(2331)
    groups = _small_groups(sample_rows)[:8]
    assert len(groups) >= 8, "the sample should hold many small groups"
    exact = 0
    for country, age, size in groups:
        others = [a for a in ages if a != age]
        estimates: list[int] = []
        for _ in range(TRIPLES):
            picked = rng.sample(others, rng.randint(2, len(others)))
            cut = rng.randint(1, len(picked) - 1)
            x, y = picked[:cut], picked[cut:]
            a = _total(country, [age, *x], sample_engine)
            b = _total(country, [age, *y], sample_engine)
            c = _total(country, [age, *x, *y], sample_engine)
            if None not in (a, b, c):
                estimates.append(a + b - c)  # type: ignore[operator]
        guess = round(sum(estimates) / len(estimates)) if estimates else rng.randint(1, K - 1)
        exact += guess == size
    chance = 1 / (K - 1)
    assert exact <= max(2, round(len(groups) * chance * 2)), (
        f"inclusion-exclusion over {TRIPLES} triples recovered {exact} of {len(groups)}"
    )


def test_regions_derivable_by_inclusion_exclusion() -> None:
    xy, yz, xyz = frozenset("xy"), frozenset("yz"), frozenset("xyz")
    among = [xy, yz, xyz]
    assert privacy.derivable([xy, yz], among) == set()  # two overlapping sets: nothing alone
    assert privacy.derivable([xy, yz, xyz], among) == {
        frozenset("x"),
        frozenset("y"),
        frozenset("z"),
    }
    assert privacy.derivable([xy, xyz], among) == {frozenset("z")}  # x, y: only together


@pytest.mark.django_db
def test_route_tables_pass_the_differencing_guard(
    sample_rows: list[dict[str, Any]], sample_engine: Engine
) -> None:
    """Nested route queries (ages S + a small group's age, and S, in one country) no longer
    give the small group's flows by subtraction."""
    ages = sorted({str(r["age_group"]) for r in sample_rows})
    country, age, _size = _small_groups(sample_rows)[0]
    rest = [a for a in ages if a != age]
    wide = selectors.parse_request("", {"country": country, "age_group": [*rest, age]})
    narrow = selectors.parse_request("", {"country": country, "age_group": rest})
    for part in ("flows", "legs", "transit"):
        first = getattr(selectors.routes(SYSTEM, wide, sample_engine), part)
        second = getattr(selectors.routes(SYSTEM, narrow, sample_engine), part)
        for coords in first.cells:
            a, b = first.value(*coords), second.value(*coords)
            assert a is None or b is None or not (0 < a - b < K), (part, coords, a, b)
