"""Export (FollowTheMoney, GraphML, GEXF) and import, through the API and the command line:
identities leave only for those who may see them (checked on the bytes), every export is in
the access log, imported values meet the graph's."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner

from vigie.core.models import AccessLogEntry, Membership, User
from vigie.network import keys
from vigie.network.cli import graph as graph_cli
from vigie.network.models import Edge, Node
from vigie.testing import World

pytestmark = pytest.mark.django_db
SECRETS = (b"Secretvictim", b"Hidden Boss", b"NET-3")


def _no_identity_user(world: World) -> User:
    """May see the own organisation's cases and investigate networks, not identities."""
    user = User.objects.create(username="u-no-identity")
    Membership.objects.create(user=user, organisation=world.own, role="analyst")
    Membership.objects.create(user=user, organisation=world.own, role="financial_analyst")
    return user


def _exporter(world: World) -> User:
    """An investigator who may also export identities (victim.identity.export)."""
    user = world.users["investigator"]
    Membership.objects.get_or_create(user=user, organisation=world.own, role="case_manager")
    return User.objects.get(pk=user.pk)  # a fresh instance: permissions are cached on it


@pytest.mark.parametrize("fmt", ["ftm", "graphml", "gexf"])
def test_export_shows_identities_only_to_those_who_may_see_them(
    graph: World, api: Any, fmt: str
) -> None:
    before = AccessLogEntry.objects.filter(action="export", object_type="network.graph").count()
    full = api(_exporter(graph)).get("/api/network/export/", {"fmt": fmt})
    assert full.status_code == 200, full.content
    assert b"Amina" in full.content and b"Musa Driver" in full.content
    assert b"2348035550101" in full.content
    assert not any(s in full.content for s in SECRETS)  # the other organisation's records
    redacted = api(_no_identity_user(graph)).get("/api/network/export/", {"fmt": fmt})
    assert redacted.status_code == 200
    for value in (b"Amina", b"Hauwa", b"Musa Driver", b"2348035550101", *SECRETS):
        assert value not in redacted.content, value
    assert b"NET-1" in redacted.content  # case references are not identities
    entries = AccessLogEntry.objects.filter(action="export", object_type="network.graph")
    assert entries.count() == before + 2
    assert entries.order_by("seq").last().fields == []  # no identity in the second one
    if fmt != "ftm":
        read = nx.read_graphml if fmt == "graphml" else nx.read_gexf
        g = read(io.BytesIO(full.content))
        assert g.number_of_edges() == Edge.objects.filter(organisation=graph.own).count()


@pytest.mark.parametrize("fmt", ["ftm", "graphml"])
def test_identities_seen_on_screen_leave_only_with_the_export_permission(
    graph: World, api: Any, fmt: str
) -> None:
    """An investigator sees victims' identities on the chart (victim.identity.view) but may
    not export them (no victim.identity.export): the export withholds them."""
    investigator = graph.users["investigator"]
    phone = Node.objects.get(key=keys.value_key("phone", "+2348035550101"))
    chart = api(investigator).get("/api/network/graph/", {"node": phone.pk, "depth": 3})
    assert chart.status_code == 200 and b"Amina" in chart.content
    out = api(investigator).get("/api/network/export/", {"fmt": fmt})
    assert out.status_code == 200
    for value in (b"Amina", b"Hauwa", b"Musa Driver", b"2348035550101"):
        assert value not in out.content, value
    entry = AccessLogEntry.objects.filter(action="export", object_type="network.graph")
    assert entry.order_by("seq").last().detail["identities"] == 0
    full = api(_exporter(graph)).get("/api/network/export/", {"fmt": fmt})
    assert b"Amina" in full.content


def test_ftm_export_is_valid_and_imports_back(graph: World, api: Any) -> None:
    from followthemoney import model

    body = api(_exporter(graph)).get("/api/network/export/", {"fmt": "ftm"})
    entities = [model.get_proxy(json.loads(line)) for line in body.content.splitlines()]
    schemas = {e.schema.name for e in entities}
    assert {"Person", "Organization", "LegalEntity", "Event", "UnknownLink"} <= schemas
    upload = io.BytesIO(body.content)
    upload.name = "roundtrip.ftm.json"
    r = api(graph.users["investigator"]).post(
        "/api/network/import/", {"file": upload}, format="multipart"
    )
    assert r.status_code == 201, r.content
    assert r.json()["edges"] == sum(1 for e in entities if e.schema.name == "UnknownLink")
    # the phone imported is the phone already in the graph: one node, more links
    phone = Node.objects.get(key=keys.value_key("phone", "+2348035550101"))
    assert Edge.objects.filter(target=phone, record_type="network.graphimport").exists()


def test_import_rejects_garbage_and_needs_the_permission(graph: World, api: Any) -> None:
    bad = io.BytesIO(b'{"schema": "NoSuchSchema", "id": "x"}\n')
    bad.name = "bad.json"
    r = api(graph.users["investigator"]).post("/api/network/import/", {"file": bad})
    assert r.status_code == 400 and r.json()["code"] == "invalid_ftm"
    r = api(graph.users["financial_analyst"]).post("/api/network/import/", {"file": bad})
    assert r.status_code == 403


def test_cli_export_import_stats_path(graph: World, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "g.gexf"
    _exporter(graph)
    user = ["--user", "u-investigator"]
    r = runner.invoke(graph_cli, ["export", "--format", "gexf", "-o", str(out), *user])
    assert r.exit_code == 0, r.output
    assert b"Amina" in out.read_bytes() and b"Secretvictim" not in out.read_bytes()
    ftm = tmp_path / "in.ftm.json"
    person = {"id": "p", "schema": "Person", "properties": {"name": ["Imported Person"]}}
    vehicle = {"id": "v", "schema": "Vehicle", "properties": {"registrationNumber": ["KAN 1"]}}
    link = {"id": "l", "schema": "UnknownLink", "properties": {"subject": ["p"], "object": ["v"]}}
    ftm.write_text("".join(json.dumps(e) + "\n" for e in (person, vehicle, link)))
    r = runner.invoke(graph_cli, ["import", str(ftm), "--json", *user])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["links"] == 1
    r = runner.invoke(graph_cli, ["stats", "--json", *user])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["components"] == 2
    c1 = Node.objects.get(key=keys.record_key("case", str(graph.objects["c1"].uuid)))
    c2 = Node.objects.get(key=keys.record_key("case", str(graph.objects["c2"].uuid)))
    r = runner.invoke(graph_cli, ["path", str(c1.pk), str(c2.pk), *user])
    assert r.exit_code == 0 and len(r.output.splitlines()) == 2 and "NET-2" in r.output
    r = runner.invoke(graph_cli, ["stats", "--user", "u-case_manager"])
    assert r.exit_code != 0 and "network.view" in r.output
