"""Errors and pages in French and Arabic."""

from __future__ import annotations

from typing import Any

from vigie.evidence.tests.factories import add
from vigie.testing import World


def test_errors_in_french_and_arabic(world: World, api: Any) -> None:
    item = add(world, b"x").item
    client = api(world.users["investigator"])
    r = client.post(
        f"/api/evidence/items/{item.uuid}/release/", {"reason": "x"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert r.json()["title"] == "cet élément n'est pas sous scellés"
    r = client.post(
        f"/api/evidence/items/{item.uuid}/release/", {"reason": "x"}, HTTP_ACCEPT_LANGUAGE="ar"
    )
    assert r.json()["title"] == "هذا العنصر غير مختوم"


def test_pages_in_french_and_arabic(world: World, web: Any) -> None:
    item = add(world, b"x").item
    client = web(world.users["investigator"])
    page = client.get(f"/evidence/{item.uuid}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Chaîne de possession" in page and "Les octets tels que reçus" in page
    page = client.get("/evidence/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "خزينة الأدلة" in page and 'dir="rtl"' in page
