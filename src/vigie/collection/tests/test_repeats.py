"""Repeat groups: one submission names several victims and perpetrators of one case, mapped
through a mapping profile of the case import (vigie.cases.interchange.mapping)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.cases import codelists
from vigie.cases.interchange import mapping as case_mapping
from vigie.cases.models import Case, MappingProfile
from vigie.collection import mapping, receipt, services
from vigie.collection.models import Form, Publication, Submission
from vigie.collection.tests.conftest import FIXTURES, basic
from vigie.core.actor import Actor
from vigie.devtools.shared_data import SHARED_DATA
from vigie.testing import World, capture_changes

HOUSEHOLD = FIXTURES / "household_synthetic.xlsx"
RULES = case_mapping.Mapping(
    columns={
        "source": "case.source_type",
        "victims/given_name": "victim.given_name",
        "sex": "victim.sex",
        "victims/age": "victim.age_at_identification",
        "victims/forms": "exploitation.forms",
        "victims/country": "exploitation.country",
        "perpetrators/kind": "perpetrator.kind",
        "perpetrators/pname": "perpetrator.name",
        "perpetrators/nationality": "perpetrator.nationality",
    },
    values={
        "case.source_type": {"outreach": "other"},
        "victim.sex": {"f": "female", "m": "male", "u": "unknown"},
        "exploitation.forms": {
            "labour": "forced_labour",
            "sexual": "sexual_exploitation",
            "soldier": "armed_recruitment",
        },
    },
)


def household(instance_id: str = "uuid:h-1", *, country2: str = "SY") -> bytes:
    return (
        '<?xml version="1.0"?><data id="household_synthetic" version="2026120601">'
        "<source>hotline</source><place>Synthetic camp 3</place>"
        "<victims><given_name>Ana</given_name><sex>f</sex><age>14</age>"
        "<forms>labour sexual</forms><country>IQ</country></victims>"
        "<victims><given_name>Bo</given_name><sex>m</sex><age>16</age>"
        f"<forms>soldier</forms><country>{country2}</country></victims>"
        "<perpetrators><kind>group</kind><pname>Synthetic group</pname>"
        "<nationality>SY</nationality></perpetrators>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()


@pytest.fixture
def mapped_form(world: World) -> Form:
    actor = Actor(user=world.users["case_manager"])
    version = services.publish_form(actor, HOUSEHOLD.read_bytes(), HOUSEHOLD.name, [world.own])
    services.save_mapping(actor, version.form, world.own, "Household interview", RULES)
    return version.form


def _submit(client: Any, device: Any, xml: bytes) -> Submission:
    sent = {"xml_submission_file": SimpleUploadedFile("submission.xml", xml)}
    response = client.post("/collect/own-org/submission", sent, **basic(device))
    assert response.status_code == 201, response.content
    return Submission.objects.latest("received_at")


@pytest.mark.django_db
def test_repeat_instances_become_victims_of_one_case(
    world: World,
    client: Any,
    api: Any,
    mapped_form: Form,
    device: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    profile = MappingProfile.objects.get(name="Household interview")
    assert Publication.objects.get(form=mapped_form).mapping_profile == profile
    sub = _submit(client, device, household(country2="Atlantis"))
    reviewer = api(world.users["case_manager"])
    detail = reviewer.get(f"/api/collection/submissions/{sub.uuid}/").json()
    assert detail["problems"] == [
        {
            "question": "victims[2]/country",
            "value": "Atlantis",
            "reason": detail["problems"][0]["reason"],
        }
    ]
    with capture_changes() as changes, django_capture_on_commit_callbacks(execute=True):
        response = reviewer.post(
            f"/api/collection/submissions/{sub.uuid}/accept/", {}, format="json"
        )
    assert response.status_code == 200, response.content
    assert {"cases.case", "collection.submission"} <= {c["kind"] for c in changes}
    case = Case.objects.get(uuid=response.json()["case"])
    assert case.source_type == "hotline"
    victims = {v.given_name: v for v in case.victims.all()}
    assert set(victims) == {"Ana", "Bo"}
    assert (victims["Ana"].sex, victims["Ana"].age_at_identification) == ("female", 14)
    assert (victims["Bo"].sex, victims["Bo"].age_at_identification) == ("male", 16)
    by_victim = {e.victim.given_name: e for e in case.exploitations.select_related("victim")}
    assert set(by_victim["Ana"].forms) == {"forced_labour", "sexual_exploitation"}
    assert by_victim["Ana"].country == "IQ"
    assert by_victim["Bo"].forms == ["armed_recruitment"] and by_victim["Bo"].country == ""
    (perpetrator,) = case.perpetrators.all()
    # outside the victims' repeat and two victims: the perpetrator belongs to the case
    assert (perpetrator.kind, perpetrator.name, perpetrator.victim) == (
        "group",
        "Synthetic group",
        None,
    )
    assert case.source_attributes["place"] == "Synthetic camp 3"
    assert case.source_attributes["victims[2]/country"] == "Atlantis"


@pytest.mark.django_db
def test_saving_a_mapping_needs_the_import_permission(world: World, mapped_form: Form) -> None:
    from vigie.core.errors import Forbidden

    with pytest.raises(Forbidden, match=r"case\.import"):
        services.save_mapping(
            Actor(user=world.users["org_admin"]), mapped_form, world.own, "Other", RULES
        )


@settings(max_examples=40, deadline=None)
@given(
    people=st.lists(
        st.tuples(st.sampled_from(["f", "m", "u", ""]), st.integers(0, 17)), min_size=0, max_size=6
    )
)
def test_one_victim_per_repeat_instance(people: list[tuple[str, int]]) -> None:
    """However many instances, each becomes one victim, its exploitation linked to it."""
    answers: list[tuple[str, str]] = []
    for i, (sex, age) in enumerate(people, start=1):
        at = f"victims[{i}]/" if len(people) > 1 else "victims/"
        answers += [(at + "sex", sex), (at + "age", str(age)), (at + "forms", "labour")]
    got = mapping.to_record(RULES, answers, "uuid:x", dt.date(2026, 12, 6))
    assert not got.problems
    victims = got.record.get("victims", [])
    assert len(victims) == len(people)
    assert [v["age_at_identification"] for v in victims] == [str(a) for _s, a in people]
    links = [e["victim"] for e in got.record.get("exploitations", [])]
    assert links == [v["key"] for v in victims]


@pytest.mark.django_db
def test_builtin_htcds_mapping_agrees_with_the_crosswalks() -> None:
    rules = mapping.builtin("htcds_xlsform")
    assert rules is not None
    for target, table in rules.values.items():
        field = case_mapping.vigie_fields()[target]
        lst = codelists.get(getattr(field, "codelist", ""))
        for answer, code in table.items():
            assert lst.from_external("htcds", answer) == code, (target, answer)


@pytest.mark.shared_data
@pytest.mark.django_db
def test_shared_htcds_xlsform_publishes_and_maps_unedited(world: World, device: Any) -> None:
    path: Path = SHARED_DATA / "htcds" / "htcds_xlsform.xlsx"
    actor = Actor(user=world.users["case_manager"])
    version = services.publish_form(actor, path.read_bytes(), path.name, [world.own])
    from vigie.collection.tests.conftest import instance

    xml = instance(version=version.version, extra="<cas_Status>Active</cas_Status>")
    sub, _ = receipt.receive(device.device, xml, [])
    assert mapping.of_submission(sub).problems == []
    case = services.accept(actor, sub)
    assert case.status == codelists.get("case_status").from_external("htcds", "Active")
    assert case.victims.get().sex == "female"
    assert set(case.exploitations.get().forms) == {"forced_labour", "forced_marriage"}
