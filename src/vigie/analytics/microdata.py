"""Microdata export for researchers: k-anonymous generalisation of the victim rows.

Method (docs/disclosure-control.md): the quasi-identifiers (year, situation, country of
exploitation, origin, sex, age group, displacement, main form of exploitation) are generalised
along fixed hierarchies (a country to its UN M49 subregion, then region, then "*"; an age group
to child/adult, then "*"; a year to a five-year band, then "*"; other attributes to "*"), one
step at a time, always the step that leaves the fewest persons in classes smaller than k,
until at most ``max_suppressed`` of the persons remain in such classes; those records are then
dropped. Every published row therefore shares its quasi-identifiers with at least k-1 other
source records; rows are shuffled and carry no key. Only individually recorded victims are
exported (incident counts are already aggregates).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from vigie.analytics import regions
from vigie.analytics.schema import UNKNOWN

STAR = "*"
QUASI = (
    "year",
    "situation",
    "country",
    "origin",
    "sex",
    "age_group",
    "displacement",
    "form",
)


def _country(level: int, v: str) -> str:
    if level == 0 or v == UNKNOWN:
        return v
    r = regions.region_of(v)
    if level == 1:
        return r[1] if r else UNKNOWN
    if level == 2:
        return r[0] if r else UNKNOWN
    return STAR


def _age(level: int, v: str) -> str:
    if level == 0 or v == UNKNOWN:
        return v if level < 2 else STAR
    if level == 1:
        return "child" if v in ("0-8", "9-17") else "adult"
    return STAR


def _year(level: int, v: str) -> str:
    if level == 0:
        return v
    if level == 1:
        start = int(v) - int(v) % 5
        return f"{start}-{start + 4}"
    return STAR


def _flat(level: int, v: str) -> str:
    return v if level == 0 else STAR


HIERARCHIES: dict[str, tuple[int, Callable[[int, str], str]]] = {
    "year": (2, _year),
    "situation": (1, _flat),
    "country": (3, _country),
    "origin": (3, _country),
    "sex": (1, _flat),
    "age_group": (2, _age),
    "displacement": (1, _flat),
    "form": (1, _flat),
}


@dataclass
class Export:
    columns: tuple[str, ...]
    rows: list[dict[str, str]]
    levels: dict[str, int]
    suppressed: int
    k: int


def quasi_values(row: dict[str, Any]) -> dict[str, str]:
    forms = row.get("forms") or []
    return {
        "year": str(row["year"]),
        "situation": row["situation"],
        "country": row["country"],
        "origin": row["origin"],
        "sex": row["sex"],
        "age_group": row["age_group"],
        "displacement": row["displacement"],
        "form": sorted(forms)[0] if forms else UNKNOWN,
    }


def generalise(values: dict[str, str], levels: dict[str, int]) -> tuple[str, ...]:
    return tuple(HIERARCHIES[q][1](levels[q], values[q]) for q in QUASI)


def _small(records: Sequence[dict[str, str]], levels: dict[str, int], k: int) -> int:
    classes = Counter(generalise(r, levels) for r in records)
    return sum(c for c in classes.values() if c < k)


def k_anonymise(
    rows: Sequence[dict[str, Any]],
    k: int = 11,
    max_suppressed: float = 0.05,
    seed: int | None = None,
) -> Export:
    """The k-anonymous export of victim rows (``victims.parquet`` dicts)."""
    records = [quasi_values(r) for r in rows if r.get("kind", "victim") == "victim"]
    levels = dict.fromkeys(QUASI, 0)
    limit = int(max_suppressed * len(records))
    small = _small(records, levels, k)
    while small > limit:
        best: tuple[int, str] | None = None
        for q in QUASI:
            if levels[q] >= HIERARCHIES[q][0]:
                continue
            trial = dict(levels, **{q: levels[q] + 1})
            score = _small(records, trial, k)
            if best is None or score < best[0]:
                best = (score, q)
        if best is None:
            break
        levels[best[1]] += 1
        small = best[0]
    classes = Counter(generalise(r, levels) for r in records)
    out = [
        dict(zip(QUASI, key, strict=False))
        for r in records
        if classes[key := generalise(r, levels)] >= k
    ]
    random.Random(seed).shuffle(out)  # noqa: S311 (order only)
    return Export(QUASI, out, levels, len(records) - len(out), k)
