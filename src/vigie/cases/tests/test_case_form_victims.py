"""The case form records several victims (issue 14: it edited only the first although the
model and the API allow several): a victim formset like the other repeated rows, through
services.save_record, the one writer."""

from __future__ import annotations

from typing import Any

from vigie.cases.models import Case, Victim
from vigie.cases.tests.test_case_form_rows import _rows
from vigie.testing import World

CASE = {"status": "active", "source_type": "hotline", "verification_status": "reported"}


def test_a_case_with_two_victims_then_one_removed(web: Any, world: World) -> None:
    client = web(world.users["case_manager"])
    people = [
        {"family_name": "Firstname", "sex": "female", "trafficking_status": "actual"},
        {"sex": "male", "age_at_identification": "15", "trafficking_status": "possible"},
    ]
    page = client.post("/cases/new/", {**CASE, **_rows("vic", people)})
    assert page.status_code == 302, page.content.decode()[:3000]
    case = Case.objects.get()
    victims = {v.sex: v for v in Victim.objects.filter(case=case)}
    assert set(victims) == {"female", "male"}
    assert victims["female"].family_name == "Firstname"
    assert victims["male"].age_band_at_identification == "9-17"
    # the edit page shows both; a failed submit keeps both as typed
    body = client.get(f"/cases/{case.uuid}/edit/").content.decode()
    assert 'name="vic-1-sex"' in body and 'value="Firstname"' in body
    # remove the second person: one victim left, the first kept with its identity
    edited = [
        {"uuid": str(victims["female"].uuid), **people[0]},
        {"uuid": str(victims["male"].uuid), **people[1], "DELETE": "on"},
    ]
    page = client.post(f"/cases/{case.uuid}/edit/", {**CASE, **_rows("vic", edited, 2)})
    assert page.status_code == 302, page.content.decode()[:3000]
    left = Victim.objects.get(case=case)
    assert left.uuid == victims["female"].uuid and left.family_name == "Firstname"


def test_a_problem_goes_back_to_the_right_person(web: Any, world: World) -> None:
    client = web(world.users["case_manager"])
    people = [
        {"sex": "female", "trafficking_status": "possible"},
        {"sex": "female", "age_at_identification": "300", "trafficking_status": "possible"},
    ]
    page = client.post("/cases/new/", {**CASE, **_rows("vic", people)}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    body = page.content.decode()
    second = body[body.index('id="vic-1"') :]
    assert "errorlist" in second[: second.index("</fieldset>")]
    assert Case.objects.count() == 0
