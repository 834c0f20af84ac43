# ruff: noqa: RUF001  (French apostrophes and Arabic letters are the point here)
"""Issue 16: each match explained in plain words, in the reader's language; the codes kept
with a hit hold no name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from vigie.screening import engine, plain, services
from vigie.screening.tests.factories import SAMPLE, un_xml, write

LISTED = {
    "id": None,
    "watchlist": "t",
    "reference": "P1",
    "schema": "Person",
    "caption": "Ermias Tesfamikael Ghermazion",
    "data": {
        "names": [{"name": "Ermias Tesfamikael Ghermazion", "kind": "primary", "quality": "good"}],
        "birth_dates": ["1980-04-15"],
    },
}


@pytest.fixture(scope="module")
def index() -> engine.ScreeningIndex:
    return engine.build([LISTED])


def test_codes_say_what_matched(index: engine.ScreeningIndex) -> None:
    (result,) = index.screen(engine.Query("Ermyas Ghermazion", "Person", birth_date="1981"))
    codes = result.explanation["plain"]
    assert "same:1" in codes  # Ghermazion
    assert "spelled:1" in codes  # Ermyas / Ermias
    assert "extra_listed:1" in codes  # Tesfamikael not given
    assert "dob_one_year" in codes
    (initial,) = index.screen(engine.Query("Ermias T. Ghermazion", "Person"))
    assert "initial:1" in initial.explanation["plain"]


def test_codes_hold_no_name(index: engine.ScreeningIndex) -> None:
    (result,) = index.screen(engine.Query("Ermyas Ghermazion", "Person"))
    stored = services.stored_explanation(result.explanation)
    assert "Ermyas" not in repr(stored["plain"]) and "ermyas" not in repr(stored["plain"])


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "the listed name has 1 more part (a middle name or patronymic not given)"),
        ("fr", "l’année de naissance diffère d’un an"),
        ("ar", "سنة الميلاد تختلف بسنة واحدة"),
    ],
)
def test_described_in_the_readers_language(
    index: engine.ScreeningIndex, lang: str, expected: str
) -> None:
    (result,) = index.screen(engine.Query("Ermyas Ghermazion", "Person", birth_date="1981"))
    with translation.override(lang):
        sentences = plain.describe(result.explanation["plain"])
    assert expected in sentences


def test_review_queue_explains_in_arabic_beside_the_listing(
    world: Any, web: Any, tmp_path: Path
) -> None:
    services.load_list(write(tmp_path, "v1.xml", un_xml(SAMPLE)))
    client = web(world.users["screening_officer"])
    client.post(
        "/screening/subjects/",
        {"name": "Ermias Gebray", "schema": "Person", "purpose": "supplier", "external_id": "S"},
    )
    page = client.get("/screening/review/", HTTP_ACCEPT_LANGUAGE="ar")
    text = page.content.decode()
    assert 'data-testid="listing"' in text and "LYi.901" in text
    assert "1980-04-15" in text and "إريتريا" in text  # date of birth, nationality (M49)
    assert "تمت المطابقة باسم مستعار" in text  # "matched on an alias", in Arabic
