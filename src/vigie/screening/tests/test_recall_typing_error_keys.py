"""Which typing-error keys of a searched part choose its candidates (ADR 0545), with synthetic
names: a key that finds only the listed names the part's other keys already find takes no
place, so the one that finds the listed name a letter away is looked up. Through the one
matcher (``ScreeningIndex.screen``) and the batch path."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from vigie.screening import batch, engine, ranking


def _record(ref: str, names: list[str]) -> dict[str, Any]:
    return {
        "id": None,
        "watchlist": "t",
        "reference": ref,
        "schema": "Person",
        "caption": names[0],
        "data": {"names": [{"name": n, "kind": "primary", "quality": "good"} for n in names]},
    }


# "Kelvhar" is listed as spelled; its spelling, sound and romanisation keys and all its
# deletions but one are on that name only. "Kelvar" (one letter left out) shares only
# ``d:kelvar`` with it, the key the rarest-first choice used to leave out.
LISTED = [
    _record("A", ["Kelvhar"]),
    _record("B", ["Kelvar"]),
    _record("C", ["Dorun Kelvani"]),
    _record("D", ["Marek Tolvhan"]),
]


@pytest.fixture(scope="module")
def index() -> engine.ScreeningIndex:
    return engine.build(LISTED)


def _found(index: engine.ScreeningIndex, query: str) -> list[str]:
    return [r.entry.reference for r in index.screen(engine.Query(query, "Person"))]


def test_the_name_a_letter_away_is_found_beside_the_exact_one(
    index: engine.ScreeningIndex,
) -> None:
    assert _found(index, "Kelvhar") == ["A", "B"]


def test_two_typing_errors_are_still_another_name(index: engine.ScreeningIndex) -> None:
    assert _found(index, "Kolvhan") == []


def test_typing_error_keys_that_add_no_name_take_no_place() -> None:
    postings = {
        "t:kelvhar": [0],
        "m:KLFHR": [0],
        "d:elvhar": [0],
        "d:kelhar": [0],
        "d:kelvar": [0, 1],
        "d:kelvan": [2],
    }
    keys = [(len(v), k) for k, v in postings.items()]
    assert ranking.finding_more(keys, cap=200, limit=6, postings=postings) == [
        (1, "t:kelvhar"),
        (1, "m:KLFHR"),
        (2, "d:kelvar"),
        (1, "d:kelvan"),
    ]
    # no place left for a typing-error key: nothing changes
    assert ranking.finding_more(keys, cap=200, limit=2, postings=postings) == keys
    # a part with only typing-error keys keeps them all
    typos = [k for k in keys if k[1].startswith("d:")]
    assert ranking.finding_more(typos, cap=200, limit=6, postings=postings) == typos


def test_other_keys_too_common_to_be_chosen_make_no_key_redundant() -> None:
    """Redundant means: found by the keys the part is looked up by, not by a key on too many
    names to be looked up (over ``cap``)."""
    postings = {"m:KLFR": list(range(300)), "d:kelvar": [0, 1]}
    keys = [(300, "m:KLFR"), (2, "d:kelvar")]
    assert ranking.finding_more(keys, cap=200, limit=6, postings=postings) == keys


def test_batch_finds_it_as_search_does(index: engine.ScreeningIndex, tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.json"
    with source.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "schema"])
        writer.writerow([1, "Kelvhar", "Person"])
    with target.open("w", encoding="utf-8") as out:
        batch.run(index, source, out, fmt="json", workers=1)
    (row,) = json.loads(target.read_text(encoding="utf-8"))
    assert [m["reference"] for m in row["matches"]] == _found(index, "Kelvhar") == ["A", "B"]
