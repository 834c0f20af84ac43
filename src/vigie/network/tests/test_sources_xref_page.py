"""Evidence items and finance accounts in the graph (each visible with its own record's
permission), cross-referencing with the watchlists, and the link chart page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vigie.network import keys, tasks
from vigie.network.models import Edge, Node, XrefMatch
from vigie.testing import World

pytestmark = pytest.mark.django_db


def test_evidence_item_links_to_its_case_and_place(graph: World, api: Any) -> None:
    from vigie.evidence.models import Blob, Item, ItemLink, TechnicalMetadata

    items = []
    for n, case in enumerate((graph.objects["c1"], graph.objects["c2"])):
        blob = Blob.objects.create(sha256=f"{n}" * 64, sha512="b" * 128, size=3, key_id="k")
        # the same camera took both pictures (its serial number in the EXIF metadata)
        TechnicalMetadata.objects.create(
            blob=blob, extractor="pillow", data={"exif": {"BodySerialNumber": "CAM-0042"}}
        )
        item = Item.objects.create(
            organisation=graph.own, case_ref=case.reference, blob=blob,
            original_name=f"photo{n}.jpg", place="Maiduguri bus station",
        )  # fmt: skip
        ItemLink.objects.create(item=item, kind="case", reference=case.reference, case=case)
        items.append(item)
    tasks.read("evidence.item", [i.pk for i in items])
    node = Node.objects.get(key=keys.record_key("evidence", str(items[0].uuid)))
    assert Edge.objects.filter(source=node, record_type="evidence.item").count() == 3
    camera = Node.objects.get(key=keys.value_key("device", "cam 0042"))
    assert Edge.objects.filter(target=camera).count() == 2
    place = Node.objects.get(key=keys.value_key("address", "Maiduguri  bus station"))
    seen = api(graph.users["investigator"]).get(f"/api/network/nodes/{place.pk}/").json()
    assert seen["node"]["label"] == "maiduguri bus station"
    # an analyst who may see cases but not evidence does not reach the item through the case
    from vigie.core.models import Membership, User

    user = User.objects.create(username="u-case-net")
    Membership.objects.create(user=user, organisation=graph.own, role="analyst")
    Membership.objects.create(user=user, organisation=graph.own, role="financial_analyst")
    assert api(user).get(f"/api/network/nodes/{place.pk}/").status_code == 404


def test_finance_account_and_holder(graph: World, api: Any) -> None:
    from vigie.finance.models import Account

    acc = Account.objects.create(
        organisation=graph.own, number="NG00 1234 5678", number_key="x", holder="Musa Driver"
    )
    tasks.read("finance.account", [acc.pk])
    node = Node.objects.get(key=keys.value_key("account", "NG0012345678"))
    fin = api(graph.users["financial_analyst"]).get(f"/api/network/nodes/{node.pk}/")
    assert fin.status_code == 200
    assert fin.json()["node"]["label"] == "NG0012345678"
    assert fin.json()["links"][0]["other"]["label"] == "Musa Driver"
    # the investigator may not see finance records: the account does not exist for them
    assert api(graph.users["investigator"]).get(f"/api/network/nodes/{node.pk}/").status_code == 404


def test_xref_against_the_loaded_lists(graph: World, api: Any, tmp_path: Path) -> None:
    from vigie.core import jobs
    from vigie.screening import services as screening
    from vigie.screening.tests import factories

    path = tmp_path / "un.xml"
    path.write_text(factories.un_xml([factories.un_individual("QDi.999", "Musa", "Driver")]))
    screening.load_list(path, "un", code="un-test")
    r = api(graph.users["investigator"]).post("/api/network/xref/")
    assert r.status_code == 202
    from vigie.core.models import Job

    job = jobs.run_now(Job.objects.get(pk=r.json()["job"]))
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert XrefMatch.objects.count() >= 2  # the driver recorded in each own case
    listed = api(graph.users["investigator"]).get("/api/network/xref/").json()
    assert {m["reference"] for m in listed} == {"QDi.999"}
    assert {m["node"]["label"] for m in listed} == {"Musa Driver"}
    # the other organisation's "Hidden Boss" never shows, matched or not
    assert all(m["node"]["label"] != "Hidden Boss" for m in listed)

    # screening's own review queue: the driver's hit becomes a link to the listed entry
    from vigie.screening.perpetrators import screen_perpetrator

    driver = graph.objects["c1"].perpetrators.get(kind="person")
    screen_perpetrator(driver)
    tasks.read("cases.case", [graph.objects["c1"].pk])
    hit_links = Edge.objects.filter(record_type="screening.hit")
    assert hit_links.count() == 1
    assert hit_links.get().target.kind == "listed"


def test_link_chart_page(graph: World, web: Any) -> None:
    client = web(graph.users["investigator"])
    page = client.get("/network/")
    assert page.status_code == 200
    assert b'data-testid="hubs"' in page.content
    assert b"Secretvictim" not in page.content
    phone = Node.objects.get(key=keys.value_key("phone", "+2348035550101"))
    page = client.get(f"/network/?node={phone.pk}")
    assert b"cytoscape.min.js" in page.content and b"<script>" not in page.content
    found = client.get("/network/", {"q": "NET-1"})
    assert b"NET-1" in found.content
    assert web(graph.users["case_manager"]).get("/network/").status_code == 403
