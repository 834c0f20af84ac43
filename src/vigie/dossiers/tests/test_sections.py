"""The sections other apps contribute: evidence with custody proofs, screening hits, and a
provider registered from outside (as the network app will)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from vigie.cases.models import Case
from vigie.core import access
from vigie.core.actor import Actor
from vigie.dossiers import sections
from vigie.dossiers.tests.test_api import build
from vigie.testing import World

pytestmark = pytest.mark.django_db


def _sections(api: Any, user: Any, base: str) -> dict[str, Any]:
    r = api(user).get(base, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200, r.content
    return {s["code"]: s for s in r.json()["sections"]}


def test_evidence_items_come_with_an_inclusion_proof(
    api: Any, world: World, cases: list[Case]
) -> None:
    from vigie.evidence import services as evidence
    from vigie.evidence.models import Item

    d = build(api, world, cases[:1])
    reference = api(world.users["panel_expert"]).get(d["base"]).json()["dossier"]["reference"]
    investigator = Actor(user=world.users["investigator"], organisation_id=world.own.pk)
    item = evidence.ingest(
        investigator,
        world.own,
        io.BytesIO(b"synthetic witness statement"),
        name="statement.txt",
        collection=evidence.Collection(
            case_ref="EXT-9", external_case=True, links=[("dossier", reference)]
        ),
    ).item
    found = _sections(api, world.users["panel_expert"], d["base"])["evidence"]["data"]["items"]
    assert [i["uuid"] for i in found] == [str(item.uuid)]
    assert found[0]["sha256"] == Item.objects.get(pk=item.pk).blob.sha256
    assert [e["event"] for e in found[0]["custody"]][:2] == ["collected", "received"]
    assert found[0]["inclusion"]["verified"] is True
    # someone without evidence.view in the organisation sees no evidence section
    assert "evidence" not in _sections(api, world.users["sanctions_analyst"], d["base"])


def test_screening_hits_of_the_linked_perpetrator(
    api: Any, world: World, cases: list[Case], tmp_path: Path
) -> None:
    """The dossier's own XML loaded as a watchlist, the linked perpetrator screened: the hit
    appears in the dossier (the whole path through the list parser, loader and matcher)."""
    from vigie.screening import services as screening

    d = build(api, world, cases[:1])
    xml = api(world.users["panel_expert"]).get(d["base"] + "export/?output=xml&lang=en")
    path = tmp_path / "draft.xml"
    path.write_bytes(xml.content)
    screening.load_list(path, "un", code="draft-entries")
    perpetrator = cases[0].perpetrators.get()
    screening.create_subject(
        world.users["panel_expert"], world.own, name="Orlan Vesk Tamarind",
        external_id=str(perpetrator.uuid), purpose="perpetrator",
    )  # fmt: skip
    hits = _sections(api, world.users["panel_expert"], d["base"])["screening"]["data"]["hits"]
    assert hits and hits[0]["entry"].startswith("LYi.DOS-")


@pytest.fixture
def extra_provider() -> Iterator[None]:
    def network(request: sections.SectionRequest) -> sections.Section:
        return sections.Section(
            code="network",
            title="Network links",
            lines=[f"{request.dossier.reference} is linked to 2 synthetic entities."],
            headers=["From", "To", "Link"],
            rows=[["Subject", "Synthetic Transport Cooperative", "owner"]],
        )

    before = sections._REGISTRY.get("network")
    sections.register("network", network, order=50)
    yield
    if before is None:
        sections._REGISTRY.pop("network")
    else:
        sections._REGISTRY["network"] = before


def test_a_registered_provider_reaches_the_page_api_and_pdf(
    api: Any, world: World, cases: list[Case], extra_provider: None, web: Any
) -> None:
    d = build(api, world, cases[:1])
    assert sections.registered().index("network") > sections.registered().index("cases")
    assert (
        _sections(api, world.users["panel_expert"], d["base"])["network"]["rows"][0][2] == "owner"
    )
    pdf = api(world.users["panel_expert"]).get(d["base"] + "export/?output=pdf&lang=en")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Synthetic Transport Cooperative" in text
    page = web(world.users["panel_expert"]).get(f"/dossiers/{d['uuid']}/")
    assert b"Synthetic Transport Cooperative" in page.content


def test_financial_alerts_on_accounts_held_under_the_subjects_names(
    api: Any, world: World, cases: list[Case]
) -> None:
    from vigie.finance.models import Account, Alert

    d = build(api, world, cases[:1])
    held = Account.objects.create(
        organisation=world.own, number="IT00X1", number_key="k1", holder="ABU VESK"
    )
    other = Account.objects.create(
        organisation=world.own, number="IT00X2", number_key="k2", holder="Somebody Else"
    )
    for account in (held, other):
        Alert.objects.create(
            organisation=world.own, account=account, rule="structuring", rule_version=1,
            typology="trafficking",
        )  # fmt: skip
    denied = api(world.users["financial_analyst"]).get(d["base"])
    assert denied.status_code == 403  # no dossier.view: the financial analyst cannot open it
    from vigie.core.models import Membership

    Membership.objects.get_or_create(
        user=world.users["financial_analyst"], organisation=world.own, role="sanctions_analyst"
    )
    access.forget(world.users["financial_analyst"])
    rows = _sections(api, world.users["financial_analyst"], d["base"])["finance"]["data"]
    assert len(rows["alerts"]) == 1  # the alias, matched whatever its case and accents
    assert "finance" not in _sections(api, world.users["panel_expert"], d["base"])
