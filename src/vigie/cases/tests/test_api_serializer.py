"""The case API validates through its serializer (ADR 0322): a refused record gets the same
RFC 9457 problem document as the write service's own refusal, and what the serializer
accepts is what the write service stores (and what it refuses, the service refuses)."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from django.db import transaction
from django.test import RequestFactory
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.cases import records, services
from vigie.cases.api.serializers import CaseSerializer
from vigie.cases.models import Case
from vigie.cases.tests.conftest import RECORD, without
from vigie.core.actor import Actor
from vigie.core.api.errors import exception_handler
from vigie.devtools import case_records
from vigie.testing import World


def _service_document(actor: Actor, world: World, body: dict[str, Any], path: str) -> Any:
    """The problem document the API rendered before the serializer validated: the write
    service's RecordInvalid through the API's exception handler."""
    with pytest.raises(services.RecordInvalid) as err:
        services.save_record(actor, world.own, {k: v for k, v in body.items()})
    request = RequestFactory().post(path)
    response = exception_handler(err.value, {"request": request})
    assert response is not None
    return response.status_code, dict(response.data)


@pytest.mark.django_db
def test_a_field_refused_by_the_serializer_has_the_services_problem_document(
    api: Any, world: World
) -> None:
    user = world.users["field_officer"]
    bad = copy.deepcopy(RECORD)
    bad["conflict_situation"] = "atlantis"
    bad["victims"][0]["sex"] = "dragon"
    bad["victims"][0]["family_name"] = 7
    bad["route"][0]["country"] = ""
    bad["exploitations"][0]["victim"] = "nobody"
    bad["colour"] = "blue"
    response = api(user).post("/api/cases/", bad, format="json", HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("en"):
        status, expected = _service_document(
            Actor(user=user, organisation_id=world.own.pk), world, bad, "/api/cases/"
        )
    assert response.status_code == status == 400
    assert response["Content-Type"] == "application/problem+json"
    document = response.json()
    assert document == expected
    assert document["code"] == "record_invalid"
    fields = [e["field"] for e in document["errors"]]
    for path in ("conflict_situation", "victims[0].sex", "route[0].country", "colour"):
        assert path in fields
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_an_update_refused_by_the_serializer_keeps_the_case(api: Any, world: World) -> None:
    client = api(world.users["case_manager"])
    created = client.post("/api/cases/", RECORD, format="json").json()
    response = client.patch(
        f"/api/cases/{created['uuid']}/", {"victims": [{"sex": "dragon"}]}, format="json"
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["victims[0].sex"]
    case = Case.objects.get(uuid=created["uuid"])
    assert [v.sex for v in case.victims.all()] == ["female"]


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 300),
    st.text(max_size=12),
    st.sampled_from(["2017-02-30", "2099-01-01", "2015-06-01", "female", "iq", " IQ ", "XX"]),
    st.sampled_from(["isil", "unknown", "child_0_4", "adult_18_24", "t", "0", "victim"]),
)


def _path(draw: Any, data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """A place in ``data`` to change: a field of the case, or of one of its rows."""
    sections = [s for s in records.CHILDREN if data.get(s)]
    if sections and draw(st.booleans()):
        section = draw(st.sampled_from(sections))
        row = draw(st.sampled_from(data[section]))
        names = [f.name for f in records.writable_fields(records.CHILDREN[section])]
        return row, draw(st.sampled_from(names))
    return data, draw(st.sampled_from([f.name for f in records.writable_fields(Case)]))


@st.composite
def _bodies(draw: Any) -> dict[str, Any]:
    seed = draw(st.integers(0, 10_000))
    data = case_records.synthetic_record(random.Random(seed), draw(st.integers(1, 500)))
    data["reference"] = f"S-{seed}"
    data["source_record_id"] = f"s-{seed}"
    for _change in range(draw(st.integers(0, 2))):
        where, name = _path(draw, data)
        where[name] = draw(SCALARS)
    return data


def _outcome(save: Any) -> Any:
    """What a write did, undone afterwards: the stored record, or the refusal's errors."""
    with transaction.atomic():
        sid = transaction.savepoint()
        try:
            case = save()
        except services.RecordInvalid as exc:
            return "refused", exc.errors
        stored = without(
            records.serialize(Case.objects.get(pk=case.pk), with_identity=True),
            {"uuid", "created_at", "updated_at", "victim", "incident"},
        )
        transaction.savepoint_rollback(sid)
        return "stored", stored


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=_bodies())
def test_what_the_serializer_accepts_the_write_service_stores(
    world: World, body: dict[str, Any]
) -> None:
    actor = Actor(user=world.users["case_manager"], organisation_id=world.own.pk)
    context = {"actor": actor, "organisation": world.own}

    def by_serializer() -> Case:
        serializer = CaseSerializer(data=copy.deepcopy(body), context=context)
        serializer.is_valid(raise_exception=True)
        case: Case = serializer.save()
        return case

    def by_service() -> Case:
        return services.save_record(actor, world.own, copy.deepcopy(body))

    first, second = _outcome(by_serializer), _outcome(by_service)
    given = body.get("reference")
    made_up = given is None or (isinstance(given, str) and not given.strip())
    if first[0] == second[0] == "stored" and made_up:
        for stored in (first[1], second[1]):  # a reference made up for each write
            assert stored.pop("reference").startswith("C-")
    assert first == second
    if first[0] == "stored":  # and the stored values are the ones sent, as converted
        parsed = records.validate(copy.deepcopy(body), allow_identity=True)
        for name, value in parsed.case.items():
            if value is None or (name == "reference" and not value):
                continue  # the model's default, or a reference made up
            assert first[1][name] == (value.isoformat() if hasattr(value, "isoformat") else value)
