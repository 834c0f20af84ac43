"""Independent plain-Python computations of the engine's tables, for exact comparison."""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations, product
from typing import Any

from vigie.analytics.schema import DIMENSIONS, UNKNOWN


def _values(row: dict[str, Any], dim: str) -> list[str]:
    d = DIMENSIONS[dim]
    v = row[d.column]
    if d.multi:
        return list(v) if v else [UNKNOWN]
    return [str(v)]


def matches(row: dict[str, Any], filters: dict[str, tuple[str, ...]]) -> bool:
    for name, values in filters.items():
        if name == "period":
            ok = False
            for v in values:
                a, _, b = v.partition("-")
                ok = ok or int(a) <= row["year"] <= int(b or a)
            if not ok:
                return False
        elif DIMENSIONS[name].multi:
            if not set(row[DIMENSIONS[name].column]) & set(values):
                return False
        elif str(row[DIMENSIONS[name].column]) not in values:
            return False
    return True


def typology(
    rows: list[dict[str, Any]], by: tuple[str, ...], filters: dict[str, tuple[str, ...]]
) -> dict[tuple[str | None, ...], int]:
    """{coords: persons} for every grouping set (None = margin), zero cells omitted."""
    out: dict[tuple[str | None, ...], int] = defaultdict(int)
    for row in rows:
        if not matches(row, filters):
            continue
        for size in range(len(by) + 1):
            for grouped in combinations(range(len(by)), size):
                choices = [_values(row, by[i]) if i in grouped else [None] for i in range(len(by))]
                for coords in product(*choices):
                    out[coords] += row["weight"]
    return dict(out)
