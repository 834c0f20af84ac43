"""Averaged differencing (issue 15): an attacker who asks many different pairs of nested
queries about the same small group, (X, ages S + Y) and (X, ages S), and averages the
differences, recovered the group's exact size for about half of the small groups (bounded
noise averages away). Cells that differ from a cell of an earlier nested query of the same
user or organisation by 1..k-1 records are suppressed, so the pairs teach nothing."""

from __future__ import annotations

import random
from typing import Any

import pytest

from vigie.analytics import selectors
from vigie.analytics.engine import Engine
from vigie.testing import SYSTEM

K = 11
PAIRS = 20  # different query pairs per small group


def _groups(rows: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    sizes: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (str(r["country"]), str(r["age_group"]))
        sizes[key] = sizes.get(key, 0) + int(r["weight"])
    return sorted((c, a, n) for (c, a), n in sizes.items() if 0 < n < K)


@pytest.mark.slow
@pytest.mark.django_db
def test_averaging_many_differencing_pairs_recovers_no_more_than_chance(
    sample_rows: list[dict[str, Any]], sample_engine: Engine
) -> None:
    ages = sorted({str(r["age_group"]) for r in sample_rows})
    rng = random.Random(2331)
    groups = _groups(sample_rows)[:10]
    assert len(groups) >= 10, "the sample should hold many small groups"
    attacked = exact = 0
    for country, age, size in groups:
        others = [a for a in ages if a != age]
        seen: set[tuple[str, ...]] = set()
        diffs: list[int] = []
        while len(seen) < PAIRS:
            subset = tuple(sorted(rng.sample(others, rng.randint(4, len(others)))))
            if subset in seen:
                continue
            seen.add(subset)
            with_group = selectors.parse_request(
                "sex", {"country": country, "age_group": [*subset, age]}
            )
            without = selectors.parse_request(
                "sex", {"country": country, "age_group": list(subset)}
            )
            a = selectors.typology(SYSTEM, with_group, sample_engine).value(None)
            b = selectors.typology(SYSTEM, without, sample_engine).value(None)
            if a is not None and b is not None:
                diffs.append(a - b)
        attacked += 1
        # the attacker's guess: the mean difference; with nothing usable, a guess in 1..k-1
        guess = round(sum(diffs) / len(diffs)) if diffs else rng.randint(1, K - 1)
        exact += guess == size
    chance = 1 / (K - 1)
    assert exact <= max(2, round(attacked * chance * 2)), (
        f"averaging {PAIRS} pairs recovered {exact} of {attacked} small groups exactly"
    )
