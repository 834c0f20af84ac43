"""The misses reported in issue 17, against the real UN list (../shared/data): each must now
be found at the default threshold (a batch row goes through the same matcher)."""

from __future__ import annotations

import pytest

from vigie.devtools.screening_eval_v2 import LISTS
from vigie.devtools.shared_data import SHARED_DATA
from vigie.screening import engine
from vigie.screening.parsers import parse

pytestmark = pytest.mark.shared_data

EXAMPLES = [
    ("Mohamad Tufail", "QDi.056"),
    ("Gemain Katanga", "CDi.006"),
    ("Qusay Al-Tikriti", "IQi.002"),
    ("Huda Ammash", "IQi.039"),
    ("Baudoin Myamuro", "CDi.019"),
    ("GHERMAY Ermias", "LYi.021"),
    ("Ermyas Germay", "LYi.021"),
    ("Mohamed Kashlaf", "LYi.025"),  # the spelling of the list's own narrative
    ("Abdulrahman al Milad", "LYi.026"),
    ("محمد كشلاف", "LYi.025"),
]


@pytest.fixture(scope="module")
def index() -> engine.ScreeningIndex:
    parsed = parse(SHARED_DATA / LISTS[0])
    return engine.build(
        {
            "id": None,
            "watchlist": parsed.code,
            "reference": e.reference,
            "schema": e.schema,
            "caption": e.caption,
            "data": e.data(),
        }
        for e in parsed.entries
    )


@pytest.mark.parametrize(("query", "ref"), EXAMPLES)
def test_issue_17_misses_are_found(index: engine.ScreeningIndex, query: str, ref: str) -> None:
    found = [r.entry.reference for r in index.screen(engine.Query(query))]
    assert ref in found
