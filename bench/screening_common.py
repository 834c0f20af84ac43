"""Shared by the screening benchmarks: the lists of ../shared/data as an in-memory index,
the evaluation set, and the naive baseline (rapidfuzz over every normalised name)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from vigie.devtools.screening_eval_v2 import LISTS, OUT, SHARED
from vigie.screening import engine, names
from vigie.screening.parsers import parse


def records(shared: Path = SHARED) -> list[dict[str, Any]]:
    out = []
    for rel in LISTS:
        parsed = parse(shared / rel)
        for e in parsed.entries:
            out.append(
                {
                    "id": None,
                    "watchlist": parsed.code,
                    "reference": e.reference,
                    "schema": e.schema,
                    "caption": e.caption,
                    "fingerprint": e.fingerprint(),
                    "data": e.data(),
                }
            )
    return out


def eval_rows(path: Path = OUT) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


class NaiveBaseline:
    """rapidfuzz ``process.extractOne`` over every normalised listed name, no blocking."""

    def __init__(self, recs: list[dict[str, Any]]) -> None:
        self.choices: list[str] = []
        self.keys: list[str] = []
        for r in recs:
            for n in r["data"]["names"]:
                self.choices.append(self.normalise(n["name"]))
                self.keys.append(f"{r['watchlist']}:{r['reference']}")

    @staticmethod
    def normalise(text: str) -> str:
        return names.romanised(text).lower()

    def best(self, query: str, cutoff: float) -> tuple[str, float] | None:
        found = process.extractOne(
            self.normalise(query),
            self.choices,
            scorer=fuzz.token_sort_ratio,
            score_cutoff=cutoff * 100,
        )
        if found is None:
            return None
        return self.keys[found[2]], found[1] / 100


def build_index(recs: list[dict[str, Any]]) -> engine.ScreeningIndex:
    return engine.build(recs)
