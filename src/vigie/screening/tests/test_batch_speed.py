"""The batch's shortcuts (ADR 0533) change no result: a batch with names and name parts
repeated many times, screened by forked processes (one of them started before rigour's
tagger), gives each row what a single search gives; the bound's per-name look-up of which
parts may pair is the pairwise test it replaces."""

from __future__ import annotations

import io
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.screening import batch, bounds, engine
from vigie.screening.tests.factories import write
from vigie.screening.tests.test_bounds import LISTED, WORDS, _record


@pytest.fixture(scope="module")
def index() -> engine.ScreeningIndex:
    return engine.build(
        [_record(i, ref, schema, listed) for i, (ref, schema, listed) in enumerate(LISTED, 1)]
    )


def _batch(tmp_path: Path, index: engine.ScreeningIndex, rows: list[tuple[str, str]]) -> Any:
    lines = ["id,name,schema"] + [f"R{i},{n},{s}" for i, (n, s) in enumerate(rows, 1)]
    path = write(tmp_path, "names.csv", "\n".join(lines) + "\n")
    out = io.StringIO()
    counts = batch.run(index, path, out, fmt="json", workers=2, threshold=0.6)
    assert counts["rows"] == len(rows)
    return json.loads(out.getvalue())


def _searched(index: engine.ScreeningIndex, name: str, schema: str) -> list[dict[str, Any]]:
    query = engine.Query(name, schema or None)
    return [
        {
            "reference": r.entry.reference,
            "watchlist": r.entry.watchlist,
            "caption": r.entry.caption,
            "score": round(r.score, 4),
            "explanation": r.explanation,
        }
        for r in index.screen(query, threshold=0.6, limit=batch.LIMIT)
    ]


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    # several chunks and an early process on a few hundred rows
    monkeypatch.setattr(batch, "CHUNK", 40)
    monkeypatch.setattr(batch, "EARLY", 400)


@pytest.mark.usefixtures("small_chunks")
def test_a_batch_of_repeated_names_and_parts_gives_what_single_searches_give(
    tmp_path: Path, index: engine.ScreeningIndex
) -> None:
    rng = random.Random(17)
    # words of the lists and words no list uses (those need rigour's tagger), recombined:
    # parts repeat thousands of times, whole names a few times each
    words = [w for w in WORDS if w.isalpha()] + ["Zorglub", "Wobbleton", "Qirtaas"]
    rows = [
        (" ".join(rng.choice(words) for _ in range(rng.randint(1, 4))), rng.choice(SCHEMAS))
        for _ in range(300)
    ]
    rows += rng.choices(rows, k=300)
    found = _batch(tmp_path, index, rows)
    assert [r["id"] for r in found] == [f"R{i}" for i in range(1, len(rows) + 1)]
    expected = [_searched(index, n, s) for n, s in rows]
    assert [r["matches"] for r in found] == expected
    assert sum(bool(m) for m in expected) > 50  # (names that do match are among them)


SCHEMAS = ["Person", "Organization", ""]


def _dies(*args: Any, parent: int = os.getpid()) -> None:
    if os.getpid() != parent:
        os._exit(1)  # as the early process killed, or crashed in native code, would


@pytest.mark.usefixtures("small_chunks")
def test_a_dead_early_process_loses_no_row(
    tmp_path: Path, index: engine.ScreeningIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "_screen_early", _dies)
    rows = [("Germain Katanga", "Person"), ("Nobody Special", "")] * 150
    found = _batch(tmp_path, index, rows)
    assert [r["id"] for r in found] == [f"R{i}" for i in range(1, 301)]
    assert [bool(r["matches"]) for r in found] == [True, False] * 150


spellings = st.text(alphabet="abdehiklmnorsuyz", min_size=1, max_size=9)


@settings(max_examples=300, deadline=None)
@given(spellings, st.lists(spellings, min_size=1, max_size=6).map(tuple))
def test_the_parts_a_searched_part_may_pair_with_are_those_may_pair_admits(
    q: str, parts: tuple[str, ...]
) -> None:
    bits = bounds.links(q, parts)
    assert [bool(bits >> j & 1) for j in range(len(parts))] == [
        bounds.may_pair(q, r) for r in parts
    ]
    assert bits >> len(parts) == 0
    assert bounds.links(q, parts) == bits  # (the second time from the cache)
