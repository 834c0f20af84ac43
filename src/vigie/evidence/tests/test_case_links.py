"""Evidence is linked to real case records (issue 6): by reference, refused when unknown."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile

from vigie.cases.models import Case
from vigie.core.actor import Actor
from vigie.evidence import services
from vigie.evidence.bag import verify_bag
from vigie.evidence.cli import evidence
from vigie.evidence.models import Item, ItemLink
from vigie.evidence.tests.factories import add, jpeg_with_exif
from vigie.testing import World


def _case(world: World, reference: str = "C-REAL-1", org: Any = None) -> Case:
    return Case.objects.create(
        organisation=org or world.own, reference=reference, source_type="mrm"
    )


def test_add_with_real_case_links_it(world: World) -> None:
    case = _case(world)
    got = add(world, b"ledger", name="ledger.txt", case="C-REAL-1", external_case=False)
    link = ItemLink.objects.get(item=got.item, kind="case")
    assert link.case == case and link.reference == "C-REAL-1"
    assert got.item.case_ref == "C-REAL-1"


def test_unknown_case_refused_with_its_reference(world: World) -> None:
    with pytest.raises(services.EvidenceError, match="case C-NOPE: no such case"):
        add(world, b"x", name="x.txt", case="C-NOPE", external_case=False)
    assert not Item.objects.exists()


def test_case_of_other_organisation_is_not_linked(world: World) -> None:
    _case(world, "C-OTHER", org=world.other)
    with pytest.raises(services.EvidenceError, match="C-OTHER"):
        add(world, b"x", name="x.txt", case="C-OTHER", external_case=False)


def test_external_reference_kept_without_link(world: World) -> None:
    got = add(world, b"court file", name="c.txt", case="COURT-77", external_case=True)
    link = ItemLink.objects.get(item=got.item, kind="case")
    assert link.case is None and link.reference == "COURT-77"


def test_api_unknown_case_is_400_naming_it(world: World, api: Any) -> None:
    _case(world)
    client = api(world.users["investigator"])
    body = {"file": SimpleUploadedFile("p.txt", b"abc"), "case_ref": "C-MISSING"}
    r = client.post("/api/evidence/items/", body, format="multipart")
    assert r.status_code == 400 and "C-MISSING" in str(r.json())
    body = {"file": SimpleUploadedFile("p.txt", b"abc"), "case_ref": "C-REAL-1"}
    r = client.post("/api/evidence/items/", body, format="multipart")
    assert r.status_code == 201
    assert ItemLink.objects.get(kind="case").case is not None
    r = client.post(
        "/api/evidence/uploads/",
        {"filename": "v.mp4", "size": 3, "case_ref": "C-MISSING"},
        format="json",
    )
    assert r.status_code == 400 and "C-MISSING" in str(r.json())


def test_cli_add_and_export_by_case_reference(world: World, tmp_path: Path) -> None:
    case = _case(world)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_with_exif("Field camera"))
    r = CliRunner().invoke(
        evidence, ["add", str(photo), "--case", "C-UNKNOWN", "--as-system", "--org", "own-org"]
    )
    assert r.exit_code != 0 and "case C-UNKNOWN: no such case" in r.output
    assert not Item.objects.exists()
    r = CliRunner().invoke(
        evidence, ["add", str(photo), "--case", case.reference, "--as-system", "--org", "own-org"]
    )
    assert r.exit_code == 0, r.output
    assert ItemLink.objects.get(kind="case").case == case
    bag = tmp_path / "bag"
    r = CliRunner().invoke(
        evidence, ["export", "--as-system", "--case", case.reference, "-o", str(bag)]
    )
    assert r.exit_code == 0, r.output
    report = verify_bag(bag)
    assert report.problems == [] and report.items == 1


def test_case_page_shows_evidence_panel(world: World, web: Any) -> None:
    case = _case(world)
    item = add(world, jpeg_with_exif("cam"), name="scene.jpg", case=case.reference).item
    assert item.links.get(kind="case").case is None  # external: not on the case page
    linked = services.ingest(
        Actor(world.users["investigator"], world.own.pk),
        world.own,
        io.BytesIO(b"linked bytes"),
        name="linked.txt",
        collection=services.Collection(case_ref=case.reference),
    ).item
    r = web(world.users["investigator"]).get(f"/cases/{case.uuid}/")
    page = r.content.decode()
    assert r.status_code == 200 and 'data-testid="evidence-panel"' in page
    assert "linked.txt" in page and f"/evidence/{linked.uuid}/" in page
    assert linked.blob.sha256[:12] in page and "scene.jpg" not in page
    assert f"/evidence/add/?case={case.reference}" in page
    r = web(world.users["analyst"]).get(f"/cases/{case.uuid}/")  # no evidence.view
    assert r.status_code == 200 and 'data-testid="evidence-panel"' not in r.content.decode()


def test_case_page_evidence_panel_records_the_file_names_it_shows(world: World, web: Any) -> None:
    """The panel shows file names (identity, ADR 0045): each view is in the access log,
    naming the items, as the evidence list's views are."""
    from vigie.core.models import AccessLogEntry

    case = _case(world)
    linked = services.ingest(
        Actor(world.users["investigator"], world.own.pk),
        world.own,
        io.BytesIO(b"named bytes"),
        name="Amina-statement.txt",
        collection=services.Collection(case_ref=case.reference),
    ).item
    before = AccessLogEntry.objects.count()
    r = web(world.users["investigator"]).get(f"/cases/{case.uuid}/")
    assert r.status_code == 200 and "Amina-statement.txt" in r.content.decode()
    shown = AccessLogEntry.objects.filter(
        object_type="evidence.item", action="list", actor=world.users["investigator"]
    ).order_by("-seq")
    assert AccessLogEntry.objects.count() > before
    entry = shown.first()
    assert entry is not None and str(linked.uuid) in entry.detail["items"]
    assert entry.fields == ["original_name"] and entry.organisation_code == world.own.code


def test_web_upload_page_offers_only_the_case_records_and_links_them(
    world: World, web: Any
) -> None:
    """The upload page lists the perpetrators and incidents of the chosen case (not another
    case's, no names); the page's upload (the same calls upload.js makes, with the session
    of the web client) links the chosen ones; a record of another case is refused."""
    import json
    import re

    from vigie.cases.models import Incident, Perpetrator

    case = _case(world, "C-WEB-1")
    perp = Perpetrator.objects.create(
        case=case, organisation=world.own, kind="group", group_name="Brigade X", name="Secret N"
    )
    incident = Incident.objects.create(case=case, organisation=world.own, area="Camp Nord")
    other = _case(world, "C-WEB-2")
    stranger = Perpetrator.objects.create(case=other, organisation=world.own, kind="person")
    client = web(world.users["investigator"])

    empty = client.get("/evidence/add/").content.decode()
    assert 'name="perpetrators"' not in empty and "Enter a case reference" in empty
    html = client.get("/evidence/add/?case=C-WEB-1").content.decode()
    assert 'name="perpetrators"' in html and 'name="incidents"' in html and "multiple" in html
    assert str(perp.uuid) in html and str(incident.uuid) in html and "Brigade X" in html
    assert str(stranger.uuid) not in html and "Secret N" not in html
    assert 'hx-get="/evidence/add/"' in html  # changing the case reloads the lists
    swapped = client.get("/evidence/add/?case_ref=C-WEB-2", HTTP_HX_REQUEST="true")
    assert str(stranger.uuid) in swapped.content.decode()
    assert str(perp.uuid) not in swapped.content.decode()
    none = client.get("/evidence/add/?case=NO-SUCH").content.decode()
    assert 'name="perpetrators"' not in none and "NO-SUCH" in none
    fr = client.get("/evidence/add/?case=C-WEB-1", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Auteurs" in fr or "auteurs" in fr
    ar = client.get("/evidence/add/?case=C-WEB-1", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in ar and "Perpetrators of the case" not in ar
    assert re.search(f'<option value="{perp.uuid}">', html)

    def upload(data: bytes, **fields: Any) -> Any:
        body = {"filename": "f.txt", "size": len(data), "case_ref": "C-WEB-1", **fields}
        r = client.post("/api/evidence/uploads/", json.dumps(body), "application/json")
        if r.status_code != 201:
            return r
        url = f"/api/evidence/uploads/{r.json()['uuid']}/"
        put = client.put(url, data, "application/octet-stream", headers={"Upload-Offset": "0"})
        assert put.status_code == 200, put.content
        return client.post(url + "complete/")

    r = upload(b"ledger", perpetrators=[str(perp.uuid)], incidents=[str(incident.uuid)])
    assert r.status_code == 201, r.content
    item = Item.objects.get(uuid=r.json()["uuid"])
    links = {(link.kind, link.reference) for link in item.links.all()}
    assert ("perpetrator", str(perp.uuid)) in links and ("incident", str(incident.uuid)) in links
    r = upload(b"other", perpetrators=[str(stranger.uuid)])
    assert r.status_code == 400 and str(stranger.uuid) in str(r.json())
