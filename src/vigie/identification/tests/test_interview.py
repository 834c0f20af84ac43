"""The interview through the API and the page: draft kept on the server, decision into a
prefilled case or a recorded "not indicated", the indicator set's version kept."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.cases.models import Case, Exploitation, Victim
from vigie.identification.models import Interview
from vigie.testing import World

pytestmark = pytest.mark.django_db

INDICATED = [  # each element by "one strong and one medium" or "two strong" (rule version 2)
    "deceptive_recruitment.deceived_nature_job",
    "deceptive_recruitment.deceived_wages",
    "exploitation.excessive_hours",
    "exploitation.low_no_salary",
    "coercion_destination.debt_bondage",
    "coercion_destination.confiscation_documents",
]


def _start(api: Any, user: Any, **extra: Any) -> dict[str, Any]:
    r = api(user).post(
        "/api/identification/interviews/",
        {
            "list_code": "adult_labour",
            "language": "ar",
            "sex": "female",
            "age": 27,
            "citizenship": "NG",
            "country": "LY",
            **extra,
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    return dict(r.json())


def test_interview_to_prefilled_case(world: World, api: Any) -> None:
    user = world.users["field_officer"]
    body = _start(api, user, given_name="Synthetic", family_name="Person")
    url = f"/api/identification/interviews/{body['uuid']}/"
    r = api(user).patch(url, {"present": INDICATED[:2]}, format="json")
    assert r.status_code == 200 and r.json()["preview"]["indicated"] is False
    # the draft is on the server: a new client sees the answers
    r = api(user).patch(url, {"present": INDICATED}, format="json")
    assert api(user).get(url).json()["present"] == sorted(INDICATED)
    assert r.json()["preview"]["indicated"] is True
    r = api(user).post(url + "decide/", {"open_case": True}, format="json")
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["status"] == "case_opened" and out["indicator_version"] == 2 and out["indicated"]
    drivers = {e["code"]: e["drivers"] for e in out["result"]["elements"]}
    assert drivers["coercion_destination"] == [
        "coercion_destination.confiscation_documents",
        "coercion_destination.debt_bondage",
    ]
    case = Case.objects.get(uuid=out["case"])
    victim = Victim.objects.get(case=case)
    assert (victim.sex, victim.age_at_identification, victim.citizenship, victim.given_name) == (
        "female",
        27,
        "NG",
        "Synthetic",
    )
    ex = Exploitation.objects.get(case=case)
    assert ex.forms == ["forced_labour"]
    assert set(ex.means) == {
        "false_promises",
        "excessive_working_hours",
        "debt_bondage",
        "document_confiscation",
        "takes_earnings",
    }
    # decided: no second decision, no further edits
    assert api(user).post(url + "decide/", {"open_case": True}, format="json").status_code == 409
    assert api(user).patch(url, {"present": []}, format="json").status_code == 409


def test_not_indicated_is_recorded_without_a_case(world: World, api: Any) -> None:
    user = world.users["field_officer"]
    body = _start(api, user)
    url = f"/api/identification/interviews/{body['uuid']}/"
    api(user).patch(url, {"present": ["exploitation.low_no_salary"]}, format="json")
    r = api(user).post(url + "decide/", {"open_case": False}, format="json")
    assert (
        r.status_code == 200 and r.json()["status"] == "not_indicated" and r.json()["case"] is None
    )
    assert Interview.objects.get(uuid=body["uuid"]).result["indicated"] is False


def test_indicated_cannot_be_recorded_as_not_indicated(world: World, api: Any) -> None:
    user = world.users["field_officer"]
    body = _start(api, user)
    url = f"/api/identification/interviews/{body['uuid']}/"
    api(user).patch(url, {"present": INDICATED}, format="json")
    r = api(user).post(url + "decide/", {"open_case": False}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "trafficking_indicated"


def test_unknown_answers_and_identity_without_permission_are_refused(
    world: World, api: Any
) -> None:
    user = world.users["field_officer"]
    body = _start(api, user)
    r = api(user).patch(
        f"/api/identification/interviews/{body['uuid']}/", {"present": ["x.y"]}, format="json"
    )
    assert r.status_code == 400 and r.json()["code"] == "unknown_indicator"


def test_other_organisation_cannot_see_the_interview(world: World, api: Any, receiver: Any) -> None:
    body = _start(api, world.users["field_officer"])
    assert (
        api(receiver[1]).get(f"/api/identification/interviews/{body['uuid']}/").status_code == 404
    )


def test_page_in_arabic_saves_draft_and_opens_case(world: World, web: Any) -> None:
    client = web(world.users["field_officer"])
    client.cookies["django_language"] = "ar"
    r = client.post("/identification/", {"list_code": "adult_sexual", "language": "ar"})
    assert r.status_code == 302
    page = client.get(r["Location"])
    assert page.status_code == 200 and 'dir="rtl"' in page.content.decode()
    assert "خُدع بشأن طبيعة العمل" in page.content.decode()
    interview = Interview.objects.get()
    url = f"/identification/{interview.uuid}/"
    r = client.post(
        url,
        {
            "present": [*INDICATED[:5], "coercion_destination.forced_drugs"],
            "age": "30",
        },
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and 'data-testid="indicated"' in r.content.decode()
    interview.refresh_from_db()
    assert interview.age == 30 and len(interview.present) == 6
    r = client.post(f"{url}decide/", {"open_case": "1"})
    interview.refresh_from_db()
    assert interview.case is not None and r["Location"].endswith(
        f"/referrals/case/{interview.case.uuid}/"
    )


def test_names_shown_on_the_page_are_logged(world: World, web: Any, api: Any) -> None:
    from vigie.core.models import AccessLogEntry

    body = _start(api, world.users["field_officer"], given_name="Synthetic")
    page = web(world.users["field_officer"]).get(f"/identification/{body['uuid']}/")
    assert 'value="Synthetic"' in page.content.decode()
    entry = AccessLogEntry.objects.get(object_type="identification.interview")
    assert entry.fields == ["given_name"] and entry.actor == world.users["field_officer"]


def test_decided_interview_shows_the_stored_result(world: World, api: Any, web: Any) -> None:
    from vigie.identification import indicators

    user = world.users["field_officer"]
    body = _start(api, user)
    url = f"/api/identification/interviews/{body['uuid']}/"
    api(user).patch(url, {"present": ["exploitation.low_no_salary"]}, format="json")
    api(user).post(url + "decide/", {"open_case": False}, format="json")
    interview = Interview.objects.get(uuid=body["uuid"])
    stored = indicators.Result.from_dict(interview.result)
    assert stored.as_dict() == interview.result
    interview.result = {**interview.result, "version": 0}  # as if decided under an older set
    interview.save()
    page = web(user).get(f"/identification/{body['uuid']}/").content.decode()
    assert 'data-testid="not-indicated"' in page and "version 0" in page.replace("\n", " ")
