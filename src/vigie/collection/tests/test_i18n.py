from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from vigie.collection import services
from vigie.core.errors import Invalid
from vigie.testing import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lang", "title", "publish"),
    [("fr", "Formulaires de terrain", "Publier un XLSForm"), ("ar", "نماذج ميدانية", "نشر نموذج")],
)
def test_forms_page_in_french_and_arabic(
    world: World, web: Any, lang: str, title: str, publish: str
) -> None:
    client = web(world.users["case_manager"])
    page = client.get("/collection/forms/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert title in page and publish in page
    if lang == "ar":
        assert 'dir="rtl"' in page


def test_service_errors_are_translated(world: World) -> None:
    with translation.override("fr"), pytest.raises(Invalid) as err:
        services.publish_form(
            services.Actor.system("test"), b"not a workbook", "x.xlsx", [world.own]
        )
    assert err.value.message == "Ce fichier n'est pas un classeur XLSForm (.xlsx)."
