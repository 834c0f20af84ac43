"""A known spelling of a given name (``data/name_variants.yaml``) is as common as the name in
every spelling: it is filed under the name's symbol, not under its own spelling (ADR 0544).
Synthetic names, through the one matcher (``ScreeningIndex.screen``)."""

from __future__ import annotations

import itertools

import pytest

from vigie.screening import engine, names
from vigie.screening.tests.listed import one_name

# enough listed Alis for the name to be common (engine.MIN_CAP names or more)
COMMON = engine.MIN_CAP + 10
CROWD = 30  # listed people sharing the searched surname: more than engine.CANDIDATES


def _words(n: int) -> list[str]:
    """``n`` distinct made-up name words (three syllables, none a real name)."""
    syllables = ["bek", "dor", "vun", "tal", "mip", "gez", "roq", "sif"]
    return ["".join(s).capitalize() for s in itertools.product(syllables, repeat=3)][:n]


WORDS = _words(COMMON + 3 + CROWD)
LISTED = [one_name(f"A{i:03d}", f"Ali {w}") for i, w in enumerate(WORDS[:COMMON])]
# the searched spelling, on three listed names only
LISTED += [one_name(f"Y{i}", f"Aly {w}") for i, w in enumerate(WORDS[COMMON : COMMON + 3])]
# other people with the searched surname, and the one also named Ali (with more names)
LISTED += [one_name(f"K{i:02d}", f"{w} Kavruz") for i, w in enumerate(WORDS[COMMON + 3 :])]
LISTED += [one_name("TARGET", "KAVRUZ, Ali Mohammad Jan Tamer")]


@pytest.fixture(scope="module")
def index() -> engine.ScreeningIndex:
    return engine.build(LISTED)


def test_a_known_spelling_is_filed_under_its_name_only() -> None:
    (form, *_rest) = names.analyse("Aly Kavruz", "Person")
    keys = names.blocking_keys(form)
    assert "t:aly" not in keys
    assert keys["s:[NAME:Vali]"] == {0}
    assert keys["t:kavruz"] == {1}  # a name no equivalence knows keeps its spelling


def test_a_rare_spelling_of_a_common_name_does_not_choose_the_candidates(
    index: engine.ScreeningIndex,
) -> None:
    # Before ADR 0544 "Aly" was a rare part by its spelling: the three listed Alys came
    # first, and the listed Ali Kavruz counted only by its surname, as every Kavruz did.
    (query,) = names.analyse("Aly Kavruz", "Person", index.lexicon)
    first = index.names[index.candidates(query)[0]]
    assert first.text == "KAVRUZ, Ali Mohammad Jan Tamer"


def test_the_common_name_in_another_spelling_is_found_among_a_crowd(
    index: engine.ScreeningIndex,
) -> None:
    results = index.screen(engine.Query("Aly Kavruz", "Person"), limit=10)
    assert results
    assert results[0].entry.reference == "TARGET"
    assert all(not r.entry.reference.startswith("Y") for r in results)
