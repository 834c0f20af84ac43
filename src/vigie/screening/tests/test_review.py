"""Saved subjects, alerts on list updates, remembered decisions (audited), through the API
and the web pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry

from vigie.core.actor import Actor
from vigie.core.models import AccessLogEntry
from vigie.screening import services
from vigie.screening.models import Decision, Hit, Subject
from vigie.screening.tests.factories import SAMPLE, un_individual, un_xml, write
from vigie.testing import World

NEW_LISTING = un_individual("LYi.950", "Kalifa", "Synthetic Trafficker", dob="1970-02-02")


@pytest.fixture
def listed(tmp_path: Path, db: Any) -> Path:
    services.load_list(write(tmp_path, "v1.xml", un_xml(SAMPLE)))
    return tmp_path


def test_api_search_explains(world: World, api: Any, listed: Path) -> None:
    res = api(world.users["screening_officer"]).post(
        "/api/screening/search/", {"name": "Ermias Gebrai", "birth_date": "1980"}, format="json"
    )
    assert res.status_code == 200
    top = res.json()["results"][0]
    assert top["reference"] == "LYi.901"
    assert top["explanation"]["matched_name"] in {"Ermias Gebray", "Ermies Gebrai"}
    assert top["explanation"]["features"]["birth_date"] > 0


def test_api_search_refuses_empty_name(world: World, api: Any, listed: Path) -> None:
    res = api(world.users["investigator"]).post(
        "/api/screening/search/", {"name": "  "}, format="json"
    )
    assert res.status_code == 400


def test_api_batch_keeps_order_and_ids(world: World, api: Any, listed: Path) -> None:
    body = {"queries": [{"id": "a", "name": "Nobody Atall"}, {"id": "b", "name": "Ermias Testfay"}]}
    res = api(world.users["financial_analyst"]).post("/api/screening/batch/", body, format="json")
    out = res.json()["results"]
    assert [r["id"] for r in out] == ["a", "b"]
    assert out[0]["matches"] == [] and out[1]["matches"][0]["reference"] == "LYi.901"


def test_yente_style_match(world: World, api: Any, listed: Path) -> None:
    body = {
        "queries": {
            "q1": {
                "schema": "Person",
                "properties": {
                    "name": ["محمد عبد القادر"],
                    "birthDate": ["1975-01-01"],
                    "nationality": ["ly"],
                },
            },
            "q2": {"schema": "Person", "properties": {"name": ["Zzyx Unlisted"]}},
        }
    }
    res = api(world.users["screening_officer"]).post("/api/screening/match/", body, format="json")
    assert res.status_code == 200
    r1 = res.json()["responses"]["q1"]
    assert r1["status"] == 200 and r1["results"][0]["reference"] == "LYi.902"
    assert r1["results"][0]["match"] is True and "features" in r1["results"][0]
    assert not any(r["match"] for r in res.json()["responses"]["q2"]["results"])


def test_subject_alert_decision_remembered_and_reraised_on_change(
    world: World, api: Any, listed: Path
) -> None:
    officer = world.users["screening_officer"]
    client = api(officer)
    res = client.post(
        "/api/screening/subjects/",
        {"name": "Kalifa Synthetic Trafficker", "kind": "Person", "purpose": "supplier"},
        format="json",
    )
    assert res.status_code == 201 and res.json()["new_alerts"] == 0
    # A new list version lists him: the saved subject raises an alert.
    result = services.load_list(write(listed, "v2.xml", un_xml([*SAMPLE, NEW_LISTING])))
    assert result.added == ["LYi.950"]
    alerts = client.get("/api/screening/alerts/").json()["results"]
    assert len(alerts) == 1 and alerts[0]["entry"]["reference"] == "LYi.950"
    assert AccessLogEntry.objects.filter(object_type="screening.hit").exists()
    hit_id = alerts[0]["id"]
    res = client.post(
        f"/api/screening/alerts/{hit_id}/decision/",
        {"status": "false_positive", "reason": "different person: born 1990"},
        format="json",
    )
    assert res.status_code == 201
    assert client.get("/api/screening/alerts/").json()["results"] == []
    assert LogEntry.objects.filter(content_type__model="decision").exists()
    # Same subject, same entry (a reload of an unrelated change): not raised again.
    subject = Subject.objects.get()
    other = un_individual("LYi.951", "Another", "Synthetic Person")
    services.load_list(write(listed, "v3.xml", un_xml([*SAMPLE, NEW_LISTING, other])))
    assert Hit.objects.get().status == "false_positive"
    out = services.update_subject(officer, subject, external_id="SUP-7")
    assert out.remembered == 1 and Hit.objects.get().status == "false_positive"
    # The entry is amended: the alert comes back for review.
    amended = un_individual(
        "LYi.950", "Kalifa", "Synthetic Trafficker", dob="1970-02-02", passport="P777"
    )
    services.load_list(write(listed, "v4.xml", un_xml([*SAMPLE, amended, other])))
    assert Hit.objects.get().status == "open"
    assert Decision.objects.count() == 1


def test_decision_needs_a_reason(world: World, api: Any, listed: Path) -> None:
    subject, _ = services.create_subject(
        world.users["screening_officer"], world.own, name="Ermias Testfay", kind="Person"
    )
    hit = Hit.objects.get(subject=subject)
    res = api(world.users["investigator"]).post(
        f"/api/screening/alerts/{hit.pk}/decision/",
        {"status": "confirmed", "reason": ""},
        format="json",
    )
    assert res.status_code == 400 and Hit.objects.get().status == "open"


def test_other_organisation_cannot_see_or_decide(world: World, api: Any, listed: Path) -> None:
    system = Actor.system("test: a subject of the other organisation")
    subject, _ = services.create_subject(system, world.other, name="Ermias Testfay", kind="Person")
    hit = Hit.objects.get(subject=subject)
    client = api(world.users["screening_officer"])
    assert client.get("/api/screening/alerts/").json()["results"] == []
    res = client.post(
        f"/api/screening/alerts/{hit.pk}/decision/",
        {"status": "confirmed", "reason": "x"},
        format="json",
    )
    assert res.status_code == 404


def test_web_search_save_and_review(world: World, web: Any, listed: Path) -> None:
    client = web(world.users["screening_officer"])
    page = client.get("/screening/search/", {"name": "Ermias Gebray"})
    assert page.status_code == 200 and b"LYi.901" in page.content
    res = client.post(
        "/screening/subjects/",
        {"name": "Ermias Gebray", "schema": "Person", "purpose": "supplier", "external_id": "S-1"},
    )
    assert res.status_code == 302
    review = client.get("/screening/review/")
    assert b"LYi.901" in review.content
    hit = Hit.objects.get()
    res = client.post(
        f"/screening/review/{hit.pk}/", {"status": "confirmed", "reason": "same passport"}
    )
    assert res.status_code == 302 and Hit.objects.get().status == "confirmed"


def test_web_lists_and_version_diff(world: World, web: Any, listed: Path) -> None:
    services.load_list(write(listed, "v2.xml", un_xml([*SAMPLE, NEW_LISTING])))
    client = web(world.users["investigator"])
    page = client.get("/screening/lists/")
    assert b"v2" in page.content and b"Load a new version" not in page.content
    from vigie.screening.models import ListVersion

    v2 = ListVersion.objects.get(number=2)
    diff = client.get(f"/screening/lists/versions/{v2.pk}/", {"kind": "added"})
    assert b"LYi.950" in diff.content


def test_web_load_refuses_bad_file_and_keeps_version(
    world: World, web: Any, listed: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = web(world.users["screening_officer"])
    bad = SimpleUploadedFile("UN.xml", un_xml(SAMPLE)[:400].encode(), content_type="text/xml")
    with django_capture_on_commit_callbacks(execute=True):
        res = client.post("/screening/lists/load/", {"file": bad, "source": "un"})
    assert res.status_code == 302
    job_page = client.get(res["Location"])
    assert b"UN.xml, line" in job_page.content
    from vigie.screening.models import ListVersion

    assert ListVersion.objects.count() == 1


def test_web_batch_upload_map_progress_download(
    world: World, web: Any, listed: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = web(world.users["financial_analyst"])
    csv_bytes = b"Ref,Counterparty\nC1,Ermias Gebray\nC2,Nobody Unlisted\n"
    res = client.post("/screening/batch/", {"file": SimpleUploadedFile("names.csv", csv_bytes)})
    assert res.status_code == 302
    mapping_page = client.get(res["Location"])
    assert b"Counterparty" in mapping_page.content
    token = res["Location"].split("file=")[1]
    with django_capture_on_commit_callbacks(execute=True):
        res = client.post(
            "/screening/batch/", {"token": token, "name": "Counterparty", "id": "Ref"}
        )
    assert res.status_code == 302
    job_url = res["Location"]
    assert b'data-status="succeeded"' in client.get(job_url).content
    from vigie.core.models import Job

    assert Job.objects.get(kind="screening.batch").result["rows"] == 2
    download = client.get(job_url + "download/")
    body = b"".join(download.streaming_content).decode()
    assert "LYi.901" in body and "C2" in body
