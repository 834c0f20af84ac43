"""The researchers' microdata export is k-anonymous: no row reproduces a rare combination."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.analytics import microdata
from vigie.devtools import analytics_rows

K = 11


def _check(rows: list[dict[str, Any]], export: microdata.Export) -> None:
    source = [microdata.quasi_values(r) for r in rows if r["kind"] == "victim"]
    classes = Counter(microdata.generalise(r, export.levels) for r in source)
    exact = Counter(tuple(r[q] for q in microdata.QUASI) for r in source)
    for row in export.rows:
        key = tuple(row[q] for q in microdata.QUASI)
        assert classes[key] >= K, f"row {row} stands for {classes[key]} source records"
        if key in exact:  # an ungeneralised row: its exact combination is common
            assert exact[key] >= K
    assert len(export.rows) + export.suppressed == len(source)


def test_export_of_generated_victims() -> None:
    rows = analytics_rows.victim_rows(4000, seed=3)
    export = microdata.k_anonymise(rows, k=K, seed=1)
    _check(rows, export)
    assert export.suppressed <= 0.05 * len(rows)
    assert set(export.rows[0]) == set(microdata.QUASI)  # no key, no weight, nothing else


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 400), st.integers(0, 10_000))
def test_no_synthetic_row_reproduces_a_rare_source_combination(n: int, seed: int) -> None:
    rows = analytics_rows.victim_rows(n, seed=seed)
    _check(rows, microdata.k_anonymise(rows, k=K, seed=seed))
