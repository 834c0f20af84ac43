"""A key that stands for two searched parts at once (a joined form, a compound name's
symbol) must not stand in for each part's own keys when choosing candidates (ADR 0528).
Synthetic names, through the one matcher (``ScreeningIndex.screen``)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from vigie.screening import engine, names

# enough listed Omars and Alis for both parts to be common (engine.MIN_CAP names or more)
COMMON = engine.MIN_CAP + 10


def _record(ref: str, name: str) -> dict[str, Any]:
    return {
        "id": None,
        "watchlist": "t",
        "reference": ref,
        "schema": "Person",
        "caption": name,
        "data": {"names": [{"name": name, "kind": "primary", "quality": "good"}]},
    }


def _words(n: int) -> list[str]:
    """``n`` distinct made-up surnames (three syllables, none a real given name)."""
    syllables = ["bek", "dor", "vun", "tal", "mip", "gez", "roq", "sif"]
    return ["".join(s).capitalize() for s in itertools.product(syllables, repeat=3)][:n]


SURNAMES = _words(2 * COMMON + 3)
LISTED = [_record(f"O{i:03d}", f"Omar {w}") for i, w in enumerate(SURNAMES[:COMMON])]
LISTED += [_record(f"A{i:03d}", f"{w} Ali") for i, w in enumerate(SURNAMES[COMMON : 2 * COMMON])]
# the two searched parts joined into one, on three listed names: a rare key of both
LISTED += [_record(f"J{i}", f"Omarali {w}") for i, w in enumerate(SURNAMES[2 * COMMON :])]
LISTED += [_record("TARGET", "Omar Khalid Ali")]


@pytest.fixture(scope="module")
def index() -> engine.ScreeningIndex:
    return engine.build(LISTED)


def test_the_query_has_a_joined_key_rarer_than_its_parts(index: engine.ScreeningIndex) -> None:
    # (what the test below relies on: both parts common, only their joined form rare)
    (query,) = names.analyse("Omar Ali", "Person", index.lexicon)
    keys = names.blocking_keys(query)
    assert keys["t:omarali"] == {0, 1}
    cap = max(engine.MAX_DF * len(index.names), engine.MIN_CAP)
    for key in keys:
        if key != "t:omarali" and key in index.postings:
            assert len(index.postings[key]) > cap, key


def test_a_joined_key_does_not_hide_the_names_holding_both_parts(
    index: engine.ScreeningIndex,
) -> None:
    # Before ADR 0528 each part was "rare" by the joined key alone: only the three Omaralis
    # were candidates, and the listed Omar Khalid Ali (middle name dropped) was not found.
    results = index.screen(engine.Query("Omar Ali", "Person"), limit=10)
    refs = [r.entry.reference for r in results]
    assert "TARGET" in refs
    assert results[0].entry.reference == "TARGET"
