"""A form's choices are in the language of the page (the case form's code-list choices were
built once, at import, in the default language: Arabic pages listed French labels)."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.testing import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lang", "shown", "not_shown"),
    [
        ("ar", ">نشط<", ">Actif<"),
        ("en", ">Active<", ">Actif<"),
        ("fr", ">Actif<", ">Active<"),
    ],
)
def test_case_form_choices_follow_the_language(
    world: World, web: Any, lang: str, shown: str, not_shown: str
) -> None:
    response = web(world.users["case_manager"]).get("/cases/new/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'lang="{lang}"' in page
    assert shown in page and not_shown not in page
