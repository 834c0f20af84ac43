"""The network section of a designation dossier (issue 22 item 6: "network links when they
exist"): links read from records the expert may see, identities only on the page and only
where allowed (access-logged), never in an export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from vigie.cases.models import Case
from vigie.core.models import AccessLogEntry, Membership, User
from vigie.testing import World

pytestmark = pytest.mark.django_db


def _dossier(api: Any, user: Any, cases: list[Case]) -> str:
    client = api(user)
    r = client.post(
        "/api/dossiers/",
        {"kind": "individual", "regime": "2374", "primary_name": "Musa Driver"},
        format="json",
    )
    assert r.status_code == 201, r.content
    base = f"/api/dossiers/{r.json()['uuid']}/"
    for case in cases:
        perp = case.perpetrators.get(kind="person")
        r = client.post(
            base + "cases/", {"case": str(case.uuid), "perpetrator": str(perp.uuid)}, format="json"
        )
        assert r.status_code == 201, r.content
    return base


def _network(api: Any, user: Any, base: str) -> dict[str, Any] | None:
    r = api(user).get(base, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200, r.content
    return {s["code"]: s for s in r.json()["sections"]}.get("network")


@pytest.fixture
def cleared(world: World) -> User:
    user, _ = User.objects.get_or_create(username="cleared-panel-expert")
    for role in ("panel_expert", "case_manager"):
        Membership.objects.get_or_create(user=user, organisation=world.own, role=role)
    return user


def test_links_of_the_subjects_records_without_identities_for_an_expert(
    api: Any, graph: World
) -> None:
    expert = graph.users["panel_expert"]
    base = _dossier(api, expert, [graph.objects["c1"]])
    section = _network(api, expert, base)
    assert section is not None
    kinds = {link["kind"] for link in section["data"]["links"]}
    assert section["data"]["entities"] >= 2 and kinds
    # only links read from the own organisation's records (the other's case shares the phone)
    assert {link["organisation"] for link in section["data"]["links"]} == {graph.own.code}
    text = str(section["rows"])
    assert "Amina" not in text and "555" not in text  # no case.view on identities
    assert section["rows"][0][0] == "Subject" or section["rows"][0][1] == "Subject"


def test_identities_on_the_page_only_where_allowed_logged_and_never_exported(
    api: Any, graph: World, cleared: User
) -> None:
    base = _dossier(api, cleared, [graph.objects["c1"]])
    section = _network(api, cleared, base)
    assert section is not None and "Amina" in str(section["rows"])
    assert AccessLogEntry.objects.filter(
        actor=cleared, object_type="network.node", object_id="dossier"
    ).exists()
    pdf = api(cleared).get(base + "export/?output=pdf&lang=en")
    assert pdf.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Network links" in text
    assert "Amina" not in text and "803" not in text
    xml = api(cleared).get(base + "export/?output=xml&lang=en")
    assert b"Amina" not in xml.content


def test_no_section_without_the_network_permission(api: Any, graph: World) -> None:
    expert = graph.users["panel_expert"]
    base = _dossier(api, expert, [graph.objects["c1"]])
    analyst = graph.users["sanctions_analyst"]  # reviews dossiers, may not investigate networks
    assert _network(api, analyst, base) is None
