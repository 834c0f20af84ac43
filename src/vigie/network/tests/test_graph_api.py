"""The graph read from the records, through the API: what each role sees, provenance,
analysis, identities and the access log."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.core import crypto
from vigie.core.models import AccessLogEntry
from vigie.network import keys
from vigie.network.models import Edge, Node
from vigie.testing import World

pytestmark = pytest.mark.django_db


def _node(kind: str, value: str) -> Node:
    return Node.objects.get(key=keys.value_key(kind, value))


def test_records_become_nodes_and_links_with_provenance(graph: World) -> None:
    phone = _node("phone", "+234 803 555 0101")
    # the same number written two ways in two organisations is one node
    linked = Edge.objects.filter(target=phone)
    assert {e.organisation_id for e in linked} == {graph.own.pk, graph.other.pk}
    edge = linked.get(organisation=graph.own)
    assert edge.record_type == "cases.case" and edge.record_id == str(graph.objects["c1"].pk)
    assert edge.kind == "has_phone" and edge.recorded_at is not None
    # stored encrypted: the number is nowhere in clear in the table
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT caption, key FROM network_node WHERE id = %s", [phone.pk])
        caption, key = cur.fetchone()
    # the caption is a sealed value and the key a keyed hash; the number is in neither (the
    # whole number: three digits turn up in a random hex key or base64 text by chance)
    assert caption.startswith(f"{crypto.PREFIX}:")
    for clear in ("8035550101", "803 555 0101", "555 0101"):
        assert clear not in caption and clear not in key


def test_investigator_sees_own_records_only(graph: World, api: Any) -> None:
    client = api(graph.users["investigator"])
    phone = _node("phone", "+234 803 555 0101")
    r = client.get("/api/network/graph/", {"node": phone.pk, "depth": 3})
    assert r.status_code == 200, r.content
    body = r.json()
    labels = {n["label"] for n in body["nodes"]}
    assert "Amina" in labels
    # the other organisation's case, victim and driver are not reached through the phone
    assert not any("Secretvictim" in x or "Hidden Boss" in x or "NET-3" in x for x in labels)
    assert {e["organisation"] for e in body["edges"]} == {"own-org"}
    assert b"Secretvictim" not in r.content and b"NET-3" not in r.content
    # a node only the other organisation's record gives does not exist for this user
    hidden = Node.objects.get(key=keys.record_key("case", str(graph.objects["c3"].uuid)))
    assert client.get(f"/api/network/nodes/{hidden.pk}/").status_code == 404
    assert client.get("/api/network/graph/", {"node": hidden.pk}).status_code == 404


def test_identity_needs_the_identity_permission(graph: World, api: Any) -> None:
    phone = _node("phone", "+234 803 555 0101")
    r = api(graph.users["financial_analyst"]).get("/api/network/graph/", {"node": phone.pk})
    # network.view but not case.view: cases are records this role may not see
    assert r.status_code == 404
    before = AccessLogEntry.objects.filter(object_type="network.node").count()
    r = api(graph.users["investigator"]).get(f"/api/network/nodes/{phone.pk}/")
    assert r.status_code == 200
    body = r.json()
    assert body["node"]["label"] == "+2348035550101" and body["node"]["identity"]
    link = body["links"][0]
    assert link["record_url"].startswith("/cases/") and link["recorded_at"]
    entries = AccessLogEntry.objects.filter(object_type="network.node")
    assert entries.count() == before + 1
    assert entries.last().organisation_code == "own-org"


def test_roles_without_network_view_are_refused(graph: World, api: Any) -> None:
    phone = _node("phone", "+234 803 555 0101")
    for role in ("case_manager", "analyst", "field_officer"):
        r = api(graph.users[role]).get("/api/network/graph/", {"node": phone.pk})
        assert r.status_code == 403, role


def test_shared_driver_path_stats_timeline(graph: World, api: Any) -> None:
    client = api(graph.users["investigator"])
    c1 = Node.objects.get(key=keys.record_key("case", str(graph.objects["c1"].uuid)))
    c2 = Node.objects.get(key=keys.record_key("case", str(graph.objects["c2"].uuid)))
    r = client.get("/api/network/path/", {"source": c1.pk, "target": c2.pk})
    assert r.status_code == 200, r.content
    path = r.json()
    assert len(path["edges"]) == 2  # through the group both cases name
    stats = client.get("/api/network/stats/").json()
    assert stats["components"] == 1 and stats["brokers"]
    timeline = client.get("/api/network/timeline/", {"node": c1.pk}).json()
    assert timeline and timeline[0]["date"] == "2016-03-01"
    c3 = Node.objects.get(key=keys.record_key("case", str(graph.objects["c3"].uuid)))
    assert client.get("/api/network/path/", {"source": c1.pk, "target": c3.pk}).status_code == 404


def test_change_events_update_the_graph_in_a_job(
    graph: World, django_capture_on_commit_callbacks: Any
) -> None:
    """A writer's change event notes the case; the job started at commit reads it; a
    deletion removes its links and the nodes only it gave."""
    from vigie.cases import services as cases
    from vigie.core.actor import Actor
    from vigie.core.models import Job
    from vigie.network.models import Pending

    from .conftest import record

    actor = Actor.system("tests", graph.other.pk)
    with django_capture_on_commit_callbacks(execute=True):
        case = cases.save_record(
            actor, graph.other, record("NET-4", "Zainab", "+2348035550101", "X")
        )
    assert not Pending.objects.exists()
    assert Job.objects.filter(kind="network.extract", status="succeeded").exists()
    assert Edge.objects.filter(record_type="cases.case", record_id=str(case.pk)).count() >= 4
    assert Edge.objects.filter(target=_node("phone", "+234 803 555 0101")).count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        cases.delete_case(actor, case)
    assert not Edge.objects.filter(record_type="cases.case", record_id=str(case.pk)).exists()
    assert not Node.objects.filter(key=keys.record_key("case", str(case.uuid))).exists()
    # the shared phone stays: the other cases still name it
    assert Edge.objects.filter(target=_node("phone", "+234 803 555 0101")).count() == 2


def test_search_by_exact_value(graph: World, api: Any) -> None:
    r = api(graph.users["investigator"]).get("/api/network/search/", {"q": "+234-803-555-0101"})
    assert r.status_code == 200
    assert [n["kind"] for n in r.json()] == ["phone"]
