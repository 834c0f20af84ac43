"""The case form's incidents (counts by sex and age group), referrals to services and justice
fields, through the web client: create, edit, the case page; invalid counts keep what was
typed and show the problem on the field; the form and the API refuse the same records."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from vigie.cases.models import Case, Incident, Referral, Victim
from vigie.cases.tests.test_case_form_rows import BASE, _rows
from vigie.testing import World

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

INCIDENT = {
    "description": "Children taken from a school",
    "date_start": "2015-04-01",
    "date_end": "2015-04-03",
    "country": "NG",
    "area": "Borno",
    "forms": ["suicide_attack", "child_recruitment_support"],
    "means": ["abduction"],
    "armed_group": "boko_haram",
    "count_female_child": "55",
    "count_male_child": "28",
    "count_unknown_adult": "2",
    "total_reported": "90",
}


def _full_post(**extra: Any) -> dict[str, Any]:
    return {
        **BASE,
        "investigation_status": "investigation",
        "prosecution_status": "none",
        "vic-0-non_punishment_recorded": "true",
        **_rows("inc", [{**INCIDENT, "includes_person": "on"}]),
        **_rows(
            "ref",
            [
                {
                    "service": "psychosocial",
                    "receiving_organisation_name": "Partner clinic",
                    "status": "accepted",
                    "referred_on": "2017-09-01",
                },
                {"service": "legal", "status": "proposed"},
                {"status": "proposed"},  # nothing typed but the default status: ignored
            ],
        ),
        **extra,
    }


def test_create_edit_and_show_incidents_and_referrals(web: Any, world: World) -> None:
    client = web(world.users["field_officer"])
    new = client.get("/cases/new/", **EN).content.decode()
    assert 'id="step-incidents"' in new and 'id="step-assistance"' in new
    assert 'name="ref-0-service"' in new and 'name="inc-TOTAL_FORMS" value="0"' in new
    assert 'name="investigation_status"' in new and "Partner" not in new

    page = client.post("/cases/new/", _full_post())
    assert page.status_code == 302, page.content.decode()[:3000]
    case = Case.objects.get()
    assert (case.investigation_status, case.prosecution_status, case.conviction_status) == (
        "investigation",
        "none",
        "",
    )
    incident = Incident.objects.get(case=case)
    assert (incident.count_female_child, incident.count_male_child) == (55, 28)
    assert (incident.count_unknown_adult, incident.count_female_adult) == (2, 0)
    assert (incident.counted, incident.total_reported, incident.total) == (85, 90, 90)
    assert incident.forms == ["suicide_attack", "child_recruitment_support"]
    assert (incident.armed_group, incident.country, incident.area) == ("boko_haram", "NG", "Borno")
    assert incident.date_start == dt.date(2015, 4, 1)
    victim = Victim.objects.get(case=case)
    assert victim.non_punishment_recorded is True
    assert victim.incident == incident  # counted once: the person is one of the 85
    referrals = list(Referral.objects.filter(case=case).order_by("id"))
    assert [(r.service, r.status, r.receiving_organisation_name) for r in referrals] == [
        ("psychosocial", "accepted", "Partner clinic"),
        ("legal", "proposed", ""),
    ]
    assert referrals[0].referred_on == dt.date(2017, 9, 1) and referrals[0].victim == victim
    assert "form:suicide_attack" in case.codes_index and "group:boko_haram" in case.codes_index

    # the case page shows the grid (with its totals) and the referrals with their labels
    detail = client.get(f"/cases/{case.uuid}/", **EN).content.decode()
    assert 'class="table-wrap"><table class="count-table">' in detail
    assert "<td>55</td><td>28</td><td>0</td><td>83</td>" in detail  # children: F, M, ?, total
    assert "<td>85</td>" in detail and "<td>90</td>" in detail  # counted, given by the source
    assert "Boko Haram" in detail and "Nigeria" in detail and "Use in suicide attacks" in detail
    assert "Psychosocial support" in detail and "Partner clinic" in detail
    assert "Accepted" in detail and "Under investigation" in detail
    assert "one of these people" in detail

    # the edit form shows every value; change a count, drop a referral, add one
    form = client.get(f"/cases/{case.uuid}/edit/", **EN).content.decode()
    assert 'name="inc-0-count_female_child" value="55"' in form
    assert str(incident.uuid) in form and 'name="inc-0-includes_person"' in form
    assert 'data-count-total aria-live="polite">85<' in form
    assert 'value="Partner clinic"' in form and str(referrals[1].uuid) in form
    assert '<option value="investigation" selected>' in form
    edit = _full_post(
        **_rows(
            "inc",
            [
                {
                    **INCIDENT,
                    "uuid": str(incident.uuid),
                    "count_female_child": "56",
                    "includes_person": "on",
                }
            ],
            1,
        ),
        **_rows(
            "ref",
            [
                {"uuid": str(referrals[0].uuid), "service": "psychosocial", "status": "provided"},
                {"uuid": str(referrals[1].uuid), "service": "legal", "DELETE": "on"},
                {"service": "family_tracing", "receiving_organisation_name": world.other.name},
            ],
            2,
        ),
        conviction_status="conviction",
    )
    edit["vic-0-uuid"] = str(case.victims.get().uuid)  # the person's row, as the form sends it
    assert client.post(f"/cases/{case.uuid}/edit/", edit).status_code == 302
    incident.refresh_from_db()
    assert incident.count_female_child == 56 and Incident.objects.count() == 1
    after = list(Referral.objects.filter(case=case).order_by("id"))
    assert [(r.service, r.status) for r in after] == [
        ("psychosocial", "provided"),
        ("family_tracing", "proposed"),
    ]
    assert after[0].uuid == referrals[0].uuid
    case.refresh_from_db()
    assert case.conviction_status == "conviction"
    # the record's history lists the creation and the change
    history = client.get(f"/cases/{case.uuid}/", **EN).content.decode()
    assert history.count("· create") + history.count("· update") >= 2, history[-2000:]


def test_invalid_counts_keep_the_typed_values_and_show_the_error_at_the_field(
    web: Any, world: World
) -> None:
    client = web(world.users["field_officer"])
    data = {
        **BASE,
        **_rows(
            "inc",
            [
                {**INCIDENT, "count_female_child": "-3", "count_male_child": "2.5"},
                {"description": "Second incident", "count_male_adult": "7"},
            ],
        ),
        **_rows("ref", [{"service": "shelter", "receiving_organisation_name": "Kept org"}]),
    }
    page = client.post("/cases/new/", data, **EN)
    body = page.content.decode()
    assert page.status_code == 400 and Case.objects.count() == 0
    # each bad cell is marked and named under its grid; everything typed is still there
    assert 'value="-3"' in body and 'value="2.5"' in body and 'value="Borno"' in body
    assert 'id="id_inc-0-count_female_child_error"' in body
    assert 'id="id_inc-0-count_male_child_error"' in body
    assert 'aria-invalid="true" aria-describedby="id_inc-0-count_female_child_error"' in body
    assert "Girls: Ensure this value is greater than or equal to 0." in body
    assert "Boys: Enter a whole number." in body
    assert (
        "Second incident</textarea>" in body and 'name="inc-1-count_male_adult" value="7"' in body
    )
    assert 'value="Kept org"' in body and '<option value="shelter" selected>' in body
    ticked = re.findall(
        r'<input type="checkbox" name="inc-0-forms" value="(\w+)"[^>]* checked>', body
    )
    assert ticked == ["child_recruitment_support", "suicide_attack"]


def test_totals_and_dates_are_checked_by_the_service_as_for_the_api(
    web: Any, world: World, api: Any
) -> None:
    client = web(world.users["field_officer"])
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    data = {
        **BASE,
        **_rows("inc", [{**INCIDENT, "total_reported": "80", "date_end": future}]),
        **_rows("ref", [{"service": "medical", "referred_on": future}]),
    }
    page = client.post("/cases/new/", data, **EN)
    body = page.content.decode()
    assert page.status_code == 400 and Case.objects.count() == 0
    assert 'id="id_inc-0-total_reported_error"' in body
    assert "is less than the counts (85)" in body and 'value="80"' in body
    assert 'id="id_inc-0-date_end_error"' in body and 'id="id_ref-0-referred_on_error"' in body
    assert body.count("is in the future") == 2
    # the API refuses the same incident with the same words
    record = {
        "source_type": "hotline",
        "incidents": [{"count_female_child": 55, "count_male_child": 30, "total_reported": 80}],
    }
    refused = api(world.users["field_officer"]).post("/api/cases/", record, format="json", **EN)
    assert refused.status_code == 400
    assert "is less than the counts (85)" in refused.content.decode()


def test_a_report_of_counts_only_records_no_person(web: Any, world: World) -> None:
    client = web(world.users["field_officer"])
    data = {**BASE, "vic-0-sex": "", **_rows("inc", [INCIDENT])}
    assert client.post("/cases/new/", data).status_code == 302
    case = Case.objects.get()
    assert Victim.objects.filter(case=case).count() == 0  # the 85 are not 86
    assert Incident.objects.get(case=case).counted == 85
    # editing it leaves it without a phantom person
    incident = Incident.objects.get()
    edit = {**data, **_rows("inc", [{**INCIDENT, "uuid": str(incident.uuid)}], 1)}
    assert client.post(f"/cases/{case.uuid}/edit/", edit).status_code == 302
    assert Victim.objects.filter(case=case).count() == 0
    detail = client.get(f"/cases/{case.uuid}/", **EN).content.decode()
    assert "No person recorded individually" in detail and "<td>85</td>" in detail


def test_the_person_is_counted_in_one_incident_at_most(web: Any, world: World) -> None:
    client = web(world.users["field_officer"])
    rows = [{**INCIDENT, "includes_person": "on"}, {**INCIDENT, "includes_person": "on"}]
    page = client.post("/cases/new/", {**BASE, **_rows("inc", rows)}, **EN)
    body = page.content.decode()
    assert page.status_code == 400 and Case.objects.count() == 0
    assert 'id="id_inc-1-includes_person_error"' in body
    assert 'id="id_inc-0-includes_person_error"' not in body


def test_add_an_incident_without_javascript(web: Any, world: World) -> None:
    client = web(world.users["field_officer"])
    page = client.post("/cases/new/", {**BASE, "summary": "Typed first", "add_row": "inc"})
    body = page.content.decode()
    assert page.status_code == 200 and Case.objects.count() == 0
    assert 'name="inc-0-count_female_child"' in body and 'data-focus="inc-0"' in body
    assert "Typed first" in body and "errorlist" not in body


def test_viewers_see_incidents_and_referrals_but_cannot_edit(
    web: Any, world: World, api: Any
) -> None:
    from vigie.cases.tests.conftest import RECORD

    record = {**RECORD, "incidents": [{"count_male_child": 4, "description": "Raid"}]}
    uuid = api(world.users["case_manager"]).post("/api/cases/", record, format="json").json()
    client = web(world.users["auditor"])
    detail = client.get(f"/cases/{uuid['uuid']}/", **EN).content.decode()
    assert "Raid" in detail and "Psychosocial support" in detail and "Add a referral" not in detail
    assert client.get(f"/cases/{uuid['uuid']}/edit/").status_code == 403
    assert client.post("/cases/new/", {**BASE, **_rows("inc", [INCIDENT])}).status_code == 403
    assert Incident.objects.count() == 1
