"""Issue 16: the search page shows each hit's listing (designation, listed on, measures, date
of birth, nationality, narrative) in the page's language, the best-quality listed name, and
no algorithm names or raw codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vigie.screening import presentation, services
from vigie.screening.tests.factories import un_individual, un_xml, write

LISTED = un_individual(
    "LYi.960",
    "Ermias",
    "Testfay",
    aliases=(("ERMIAS TESTFAY", "Low"), ("Ermi Testfay", "Low")),
    dob="1980-04-15",
    nationality="Eritrea",
    comments="Synthetic narrative about an invented network.",
    designation="Leader of an invented smuggling network",
)


@pytest.fixture
def loaded(tmp_path: Path) -> None:
    services.load_list(write(tmp_path, "un.xml", un_xml([LISTED])))


@pytest.mark.parametrize(
    ("lang", "expected", "absent"),
    [
        ("en", ["Person", "primary name", "Eritrea", "Measures and programmes"], []),
        (
            "fr",
            ["Personne", "nom principal", "Érythrée", "Mesures et programmes", "Inscrit le"],
            ["(primary", ">Person<"],
        ),
        (
            "ar",
            ["شخص", "الاسم الرئيسي", "إريتريا", "التدابير والبرامج"],
            ["(primary", ">Person<"],
        ),
    ],
)
def test_search_shows_the_listing_in_the_pages_language(
    world: Any, web: Any, loaded: None, lang: str, expected: list[str], absent: list[str]
) -> None:
    client = web(world.users["screening_officer"])
    page = client.get("/screening/search/", {"name": "Ermias Testfay"}, HTTP_ACCEPT_LANGUAGE=lang)
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="result"' in text
    assert "Leader of an invented smuggling network" in text  # designation
    assert "2018-06-07" in text and "Libya" in text  # listed on, measures
    assert "1980-04-15" in text and "Synthetic narrative" in text
    for word in expected:
        assert word in text, word
    for word in [*absent, "token_sort_ratio", "jaro_winkler", "<td>birth_date"]:
        assert word not in text, word


def test_a_good_name_is_shown_rather_than_a_low_quality_alias_holding_it() -> None:
    names = [
        {"name": "Ermias Testfay", "kind": "primary", "quality": "good"},
        {"name": "ERMIAS TESTFAY", "kind": "alias", "quality": "low"},
    ]
    shown = presentation.best_name(names, "ERMIAS TESTFAY", "alias", "low")
    assert shown == {"name": "Ermias Testfay", "kind": "primary", "quality": "good"}
    other = presentation.best_name(names, "Ermi Testfay", "alias", "low")
    assert other["name"] == "Ermi Testfay" and other["quality"] == "low"


def test_feature_labels_are_words_not_algorithm_names() -> None:
    rows = presentation.feature_rows(
        {"name": 0.91, "token_sort_ratio": 0.8, "jaro_winkler": 0.95, "birth_date": 0.03}
    )
    assert [value for _label, value in rows] == ["91 %", "80 %", "95 %", "+3"]
    assert not any("_" in label for label, _value in rows)


def test_api_search_and_alerts_give_the_listing(world: Any, api: Any, loaded: None) -> None:
    res = api(world.users["screening_officer"]).post(
        "/api/screening/search/", {"name": "Ermias Testfay"}, format="json"
    )
    listing = res.json()["results"][0]["listing"]
    assert listing["designation"] == "Leader of an invented smuggling network"
    assert listing["measures"] == ["Libya", "UN List"] and listing["nationalities"] == ["Eritrea"]
