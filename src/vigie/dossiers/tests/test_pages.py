"""The pages: open a dossier, name, link, add a fact, review, export; Arabic right to left."""

from __future__ import annotations

import re
from typing import Any

import pytest

from vigie.cases.models import Case
from vigie.dossiers.models import Dossier
from vigie.testing import World

pytestmark = pytest.mark.django_db


def test_build_review_and_export_through_the_pages(
    web: Any, world: World, cases: list[Case], marker: str
) -> None:
    client = web(world.users["panel_expert"])
    r = client.post(
        "/dossiers/", {"kind": "individual", "regime": "2206", "primary_name": "Ilse Varn Oduya"}
    )
    assert r.status_code == 302
    dossier = Dossier.objects.get()
    base = f"/dossiers/{dossier.uuid}/"
    client.post(base + "aliases/", {"name": "Varn", "kind": "alias", "quality": "low"})
    client.post(base + "cases/", {"case": cases[0].reference})
    client.post(
        base + "facts/",
        {
            "criterion": "children_recruitment",
            "statement": "Abducted synthetic children for recruitment.",
            "cases": [str(cases[0].uuid)],
            "documents": "S/2017/939",
        },
    )
    client.post(base + "particulars/", {"primary_name": "Ilse Varn Oduya", "narrative": "Why."})
    page = client.get(base)
    html = page.content.decode()
    assert "Abducted synthetic children" in html
    assert "S/RES/2206 (2015)" in html
    assert marker not in html
    r = client.post(base + "transition/", {"action": "send_to_review", "reason": "complete"})
    dossier.refresh_from_db()
    assert dossier.status == "under_review"
    reviewer = web(world.users["sanctions_analyst"])
    reviewer.post(base + "transition/", {"action": "submit", "reason": "criteria met"})
    dossier.refresh_from_db()
    assert dossier.status == "submitted"
    pdf = reviewer.get(base + "export/?output=pdf&lang=fr")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_arabic_page_is_right_to_left(web: Any, world: World) -> None:
    client = web(world.users["panel_expert"])
    client.post(
        "/dossiers/", {"kind": "entity", "regime": "1970", "primary_name": "Synthetic Shipping"}
    )
    dossier = Dossier.objects.get()
    page = client.get(f"/dossiers/{dossier.uuid}/", HTTP_ACCEPT_LANGUAGE="ar")
    html = page.content.decode()
    assert 'dir="rtl"' in html
    assert "موجز سردي لأسباب الإدراج" in html
    listing = client.get("/dossiers/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ouvrir un dossier" in listing
    # required controls carry `required` (announced; the stylesheet adds the asterisk)
    assert re.search(r'<input[^>]*name="primary_name"[^>]*required', listing)


def test_victim_identities_on_the_page_only_with_permission_and_recorded(
    web: Any, world: World, cases: list[Case], marker: str, cleared: Any
) -> None:
    from vigie.core.models import AccessLogEntry

    client = web(world.users["panel_expert"])
    client.post("/dossiers/", {"kind": "individual", "regime": "1970", "primary_name": "A B"})
    dossier = Dossier.objects.get()
    client.post(f"/dossiers/{dossier.uuid}/cases/", {"case": cases[0].reference})
    assert marker not in client.get(f"/dossiers/{dossier.uuid}/?identities=1").content.decode()
    cleared_client = web(cleared)
    assert marker not in cleared_client.get(f"/dossiers/{dossier.uuid}/").content.decode()
    before = AccessLogEntry.objects.filter(object_type="cases.victim").count()
    html = cleared_client.get(f"/dossiers/{dossier.uuid}/?identities=1").content.decode()
    assert marker in html
    assert AccessLogEntry.objects.filter(object_type="cases.victim").count() == before + 1
