"""The case pages through Django's test client: list with filters and empty state, detail with
audited identities, the form keeping what was typed, and the import page with its job."""

from __future__ import annotations

from typing import Any

from vigie.cases.models import Case, Victim
from vigie.cases.tests.conftest import RECORD
from vigie.core.models import AccessLogEntry
from vigie.testing import World


def test_empty_list_says_what_to_do(web: Any, world: World) -> None:
    page = web(world.users["field_officer"]).get("/cases/")
    assert page.status_code == 200
    body = page.content.decode()  # French is the site's default language
    assert "Aucun dossier pour" in body and "/cases/new/" in body


def test_list_and_detail_in_french(web: Any, world: World, api: Any) -> None:
    uuid = (
        api(world.users["case_manager"]).post("/api/cases/", RECORD, format="json").json()["uuid"]
    )
    client = web(world.users["case_manager"])
    page = client.get("/cases/?situation=iraq", HTTP_ACCEPT_LANGUAGE="fr")
    body = page.content.decode()
    assert "T-1" in body and "Dossiers" in body
    assert (
        "Aucun dossier"
        in client.get("/cases/?situation=yemen", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    )
    detail = client.get(f"/cases/{uuid}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Esclavage sexuel" in detail and "QDe.115" in detail and "Testperson" not in detail
    before = AccessLogEntry.objects.count()
    shown = client.post(f"/cases/{uuid}/").content.decode()
    assert "Testperson" in shown and AccessLogEntry.objects.count() == before + 1


def test_auditor_cannot_show_identities(web: Any, world: World, api: Any) -> None:
    uuid = (
        api(world.users["case_manager"]).post("/api/cases/", RECORD, format="json").json()["uuid"]
    )
    client = web(world.users["auditor"])
    assert "show-identity" not in client.get(f"/cases/{uuid}/").content.decode()
    assert client.post(f"/cases/{uuid}/").status_code == 403


def test_failed_submit_keeps_every_value(web: Any, world: World) -> None:
    client = web(world.users["field_officer"])
    data = {
        "summary": "Met at the border",
        "status": "active",
        "source_type": "hotline",
        "verification_status": "reported",
        "vic-0-family_name": "Keptname",
        "vic-0-sex": "female",
        "vic-0-age_at_identification": "30",
        "vic-0-trafficking_status": "possible",
        "event_date_start": "2017-05-01",
        "event_date_end": "2016-01-01",  # before the start: refused
        "exp-0-forms": ["forced_labour"],
        "leg-0-country": "ER",
        "leg-1-country": "LY",
        "leg-1-corridor": "central_mediterranean",
    }
    page = client.post("/cases/new/", data, HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert page.status_code == 400 and "is before the start" in body
    assert 'value="Keptname"' in body and "Met at the border" in body
    assert 'value="forced_labour" ' in body and "checked" in body
    assert Case.objects.count() == 0
    data["event_date_end"] = "2017-09-01"
    page = client.post("/cases/new/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 302
    case = Case.objects.get()
    assert case.route.count() == 2 and Victim.objects.get().family_name == "Keptname"
    assert Victim.objects.get().age_band_at_identification == "30-38"
    # edit: a draft, the identity kept
    page = client.post(f"/cases/{case.uuid}/edit/", {**data, "save_draft": "1"})
    assert page.status_code == 302
    case.refresh_from_db()
    assert case.status == "draft" and Victim.objects.get().family_name == "Keptname"


def test_download_follows_the_filters_and_is_logged(web: Any, world: World, api: Any) -> None:
    import csv
    import io

    api(world.users["case_manager"]).post("/api/cases/", RECORD, format="json")
    client = web(world.users["analyst"])
    response = client.get("/cases/export/?format=csv&situation=iraq")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["reference"] for r in rows] == ["T-1"] and "family_name" not in rows[0]
    assert rows[0]["forms"] == "forced_marriage;sexual_slavery"
    empty = client.get("/cases/export/?format=csv&situation=yemen")
    assert b"".join(empty.streaming_content).count(b"\n") == 1  # the header only
    assert AccessLogEntry.objects.filter(action="export").count() == 2
    # the export of a case is logged under its organisation, whose auditors must see it
    logged = AccessLogEntry.objects.filter(action="export").order_by("seq")
    assert [(e.organisation_code, e.detail["cases"]) for e in logged] == [
        (world.own.code, 1),
        ("", 0),
    ]
    assert client.get("/cases/export/?format=exe").status_code == 404


def test_the_form_acts_for_an_organisation_by_the_one_rule(web: Any, world: World) -> None:
    """Issue 14: the case form chooses its organisation with core.actor.acting_organisation
    (as the API, the CLI and evidence do): a user who may create cases in two organisations
    picks one, and the case is recorded there."""
    from vigie.core.models import Membership, User

    officer = world.users["field_officer"]
    Membership.objects.create(user=officer, organisation=world.other, role="field_officer")
    client = web(User.objects.get(pk=officer.pk))
    page = client.get("/cases/new/", HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert page.status_code == 200 and 'href="?organisation=other-org"' in body
    assert 'id="case-form"' not in body  # no form before the organisation is chosen
    assert client.get("/cases/new/?organisation=nowhere").status_code == 400
    data = {
        "summary": "Reported by a partner",
        "status": "active",
        "source_type": "hotline",
        "verification_status": "reported",
        "vic-0-sex": "female",
        "vic-0-trafficking_status": "possible",
    }
    page = client.post("/cases/new/?organisation=other-org", data)
    assert page.status_code == 302, page.content.decode()[:2000]
    assert Case.objects.get().organisation == world.other
