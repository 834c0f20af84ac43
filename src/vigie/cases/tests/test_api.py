"""The case API: create, read, update, list with filters, bulk create; identities only for the
roles that may see them, and every such read in the access log."""

from __future__ import annotations

import copy
from typing import Any

from vigie.cases.models import Case, Victim
from vigie.cases.tests.conftest import RECORD
from vigie.core.actor import Actor
from vigie.core.models import AccessLogEntry
from vigie.testing import World


def create(api: Any, world: World, record: dict[str, Any] | None = None) -> dict[str, Any]:
    response = api(world.users["field_officer"]).post(
        "/api/cases/", record or RECORD, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_create_and_read_back_without_identity(api: Any, world: World) -> None:
    body = create(api, world)
    assert body["organisation"] == "own-org"
    victim = body["victims"][0]
    assert victim["sex"] == "female" and victim["age_band_at_identification"] == "9-17"
    assert victim["age_group_at_exploitation"] == "child"
    assert "family_name" not in victim and "phone" not in victim
    assert body["perpetrators"][0]["sanctions_ref"] == "QDe.115"
    assert body["perpetrators"][0]["perpetrator_type"] == "terrorist_group"
    assert body["exploitations"][0]["victim"] == victim["uuid"]
    assert [leg["country"] for leg in body["route"]] == ["IQ", "SY", "IQ"]


def test_identity_only_on_request_for_permitted_roles_and_audited(api: Any, world: World) -> None:
    uuid = create(api, world)["uuid"]
    before = AccessLogEntry.objects.count()
    url = f"/api/cases/{uuid}/?include=identity"
    officer = api(world.users["field_officer"]).get(url).json()
    assert officer["victims"][0]["family_name"] == "Testperson"
    assert officer["victims"][0]["date_of_birth"] == "2001-01-05"
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert AccessLogEntry.objects.count() == before + 1
    assert entry is not None and entry.object_id == uuid and entry.action == "view"
    assert "Victim.family_name" in entry.fields
    analyst = api(world.users["analyst"]).get(url).json()
    assert "family_name" not in analyst["victims"][0]
    assert AccessLogEntry.objects.count() == before + 1


def test_other_organisation_cannot_see_the_case(api: Any, world: World) -> None:
    from vigie.core.models import Membership, User

    uuid = create(api, world)["uuid"]
    stranger = User.objects.create(username="stranger")
    Membership.objects.create(user=stranger, organisation=world.other, role="case_manager")
    assert api(stranger).get(f"/api/cases/{uuid}/").status_code == 404
    assert api(stranger).get("/api/cases/").json()["count"] == 0


def _fields(response: Any) -> set[str]:
    """The fields named by a problem document's ``errors``."""
    return {e["field"] for e in response.json()["errors"]}


def test_invalid_record_names_every_problem_and_writes_nothing(api: Any, world: World) -> None:
    bad = copy.deepcopy(RECORD)
    bad["conflict_situation"] = "atlantis"
    bad["victims"][0]["sex"] = "dragon"
    bad["victims"][0]["age_at_identification"] = 240
    bad["victims"][0]["citizenship"] = "XX"
    bad["route"][0]["country"] = ""
    bad["exploitations"][0]["victim"] = "nobody"
    bad["event_date_end"] = "2099-01-01"
    response = api(world.users["field_officer"]).post("/api/cases/", bad, format="json")
    assert response.status_code == 400
    errors = response.json()
    for path in [
        "conflict_situation",
        "victims[0].sex",
        "victims[0].age_at_identification",
        "victims[0].citizenship",
        "route[0].country",
        "exploitations[0].victim",
        "event_date_end",
    ]:
        assert path in str(errors), path
    assert Case.objects.count() == 0


def test_a_date_of_birth_that_is_not_a_string_is_refused(api: Any, world: World) -> None:
    """JSON true, 0 or 5 as an encrypted date: refused as invalid (it was a 500 at the save)."""
    client = api(world.users["case_manager"])
    for value in (True, False, 0, 5, [], {}):
        bad = copy.deepcopy(RECORD)
        bad["victims"][0]["date_of_birth"] = value
        response = client.post("/api/cases/", bad, format="json")
        assert response.status_code == 400, (value, response.status_code)
        assert "victims[0].date_of_birth" in str(response.json())
    assert Case.objects.count() == 0


def test_a_period_that_ends_before_it_starts_is_refused_where_it_is(api: Any, world: World) -> None:
    bad = copy.deepcopy(RECORD)
    bad["exploitations"][0].update({"start_date": "2016-05-01", "end_date": "2016-04-30"})
    bad["route"][1].update({"arrival_date": "2015-03-10", "departure_date": "2015-03-01"})
    bad["incidents"] = [
        {"description": "raid", "date_start": "2016-02-10", "date_end": "2016-02-01"}
    ]
    response = api(world.users["field_officer"]).post(
        "/api/cases/", bad, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors == {
        "exploitations[0].end_date": "is before the start",
        "route[1].departure_date": "is before the arrival",
        "incidents[0].date_end": "is before the start",
    }
    assert Case.objects.count() == 0
    good = copy.deepcopy(RECORD)
    good["route"][1].update({"arrival_date": "2015-03-01", "departure_date": "2015-03-01"})
    assert create(api, world, good)["route"][1]["departure_date"] == "2015-03-01"


def test_a_role_without_identity_access_may_not_record_identities(world: World) -> None:
    import pytest

    from vigie.cases import services

    # the analyst may import (case.import) but not see identities
    with pytest.raises(services.RecordInvalid) as err:
        services.save_record(
            Actor(world.users["analyst"], world.own.pk), world.own, RECORD, perm="case.import"
        )
    assert "victims[0].family_name" in str(err.value.problems)
    assert Case.objects.count() == 0


def test_update_keeps_identities_a_user_cannot_see(api: Any, world: World) -> None:
    body = create(api, world)
    victim = body["victims"][0]
    victim["displacement_status"] = "returnee"
    response = api(world.users["field_officer"]).patch(
        f"/api/cases/{body['uuid']}/", {"victims": [victim], "status": "follow_up"}, format="json"
    )
    assert response.status_code == 200, response.json()
    v = Victim.objects.get()
    assert v.displacement_status == "returnee" and v.family_name == "Testperson"
    assert Case.objects.get().status == "follow_up"
    assert len(response.json()["route"]) == 3  # lists not sent are kept


def test_patch_of_one_list_may_name_the_victims_it_keeps(api: Any, world: World) -> None:
    body = create(api, world)
    victim = body["victims"][0]["uuid"]
    more = [*body["exploitations"], {"victim": victim, "forms": ["forced_labour"]}]
    client = api(world.users["field_officer"])
    response = client.patch(f"/api/cases/{body['uuid']}/", {"exploitations": more}, format="json")
    assert response.status_code == 200, response.json()
    assert [e["victim"] for e in response.json()["exploitations"]] == [victim, victim]
    stranger = {"exploitations": [{"victim": "00000000-0000-0000-0000-000000000000"}]}
    response = client.patch(f"/api/cases/{body['uuid']}/", stranger, format="json")
    assert response.status_code == 400
    assert "exploitations[0].victim" in _fields(response)
    # a victims list sent replaces the case's: the rows may name only the victims in it
    response = client.patch(
        f"/api/cases/{body['uuid']}/",
        {"victims": [], "exploitations": [{"victim": victim, "forms": ["forced_labour"]}]},
        format="json",
    )
    assert response.status_code == 400
    assert "exploitations[0].victim" in _fields(response)


def test_list_filters(api: Any, world: World) -> None:
    create(api, world)
    other = copy.deepcopy(RECORD)
    other.update(
        reference="T-2",
        source_record_id="cm-002",
        conflict_situation="lake_chad_basin",
        country="NG",
        summary="Girls used in attacks",
    )
    other["victims"] = []
    other["exploitations"] = [{"forms": ["suicide_attack"]}]
    other["perpetrators"] = [{"kind": "group", "group_code": "boko_haram"}]
    other["route"] = [{"country": "NG", "role": "origin"}]
    other["referrals"] = []
    other["incidents"] = [{"count_female_child": 55, "total_reported": 83, "country": "NG"}]
    create(api, world, other)
    client = api(world.users["analyst"])

    def refs(query: str) -> list[str]:
        return sorted(c["reference"] for c in client.get(f"/api/cases/?{query}").json()["results"])

    assert refs("") == ["T-1", "T-2"]
    assert refs("situation=iraq") == ["T-1"]
    assert refs("country=sy") == ["T-1"]
    assert refs("form=suicide_attack") == ["T-2"]
    assert refs("sex=female&age_group=child") == ["T-1", "T-2"]
    assert refs("group=boko_haram") == ["T-2"]
    assert refs("q=sinjar") == ["T-1"]
    assert refs("date_from=2015-01-01&date_to=2015-12-31") == ["T-1", "T-2"]
    assert refs("date_from=2016-06-01") == []
    assert refs("organisation=other-org") == []


def test_bulk_create_is_all_or_nothing(api: Any, world: World) -> None:
    good = copy.deepcopy(RECORD)
    second = copy.deepcopy(RECORD) | {"reference": "T-2", "source_record_id": "cm-2"}
    bad = copy.deepcopy(RECORD) | {"reference": "T-3", "source_type": "rumour"}
    client = api(world.users["case_manager"])
    response = client.post("/api/cases/bulk/", [good, bad], format="json")
    assert response.status_code == 400 and any(f.startswith("[1].") for f in _fields(response))
    assert Case.objects.count() == 0
    response = client.post("/api/cases/bulk/", [good, second], format="json")
    assert response.status_code == 201 and len(response.json()["created"]) == 2


def test_delete_needs_case_delete(api: Any, world: World) -> None:
    uuid = create(api, world)["uuid"]
    assert api(world.users["field_officer"]).delete(f"/api/cases/{uuid}/").status_code == 403
    assert api(world.users["case_manager"]).delete(f"/api/cases/{uuid}/").status_code == 204
    assert not Case.objects.exists() and not Victim.objects.exists()


def test_codelists_endpoint(api: Any, world: World) -> None:
    body = api(world.users["auditor"]).get("/api/codelists/").json()
    assert body["armed_groups"]["codes"][0]["un_sanctions_ref"] == "QDe.115"
    assert body["countries"]["version"] >= 1


def test_list_query_count_is_constant(
    api: Any, world: World, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        r = copy.deepcopy(RECORD) | {"reference": f"Q-{i}", "source_record_id": f"q-{i}"}
        create(api, world, r)
    client = api(world.users["analyst"])
    with django_assert_max_num_queries(8):
        assert client.get("/api/cases/?situation=iraq").json()["count"] == 30


def test_duplicate_reference_or_source_id_is_a_clear_400(api: Any, world: World) -> None:
    create(api, world)
    response = api(world.users["field_officer"]).post("/api/cases/", RECORD, format="json")
    assert response.status_code == 400
    assert {"reference", "source_record_id"} & _fields(response)
    assert Case.objects.count() == 1
