"""The mapping editor: questions -> fields, choices -> codes, saved as a mapping profile of
the case import and used when a submission of the form is accepted."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.cases.models import Case, MappingProfile
from vigie.collection import receipt, services
from vigie.collection.models import Publication
from vigie.collection.tests.test_repeats import HOUSEHOLD
from vigie.core.actor import Actor
from vigie.testing import World

pytestmark = pytest.mark.django_db
URL = "/collection/forms/own-org/household_synthetic/mapping/"


@pytest.fixture
def form(world: World) -> Any:
    actor = Actor(user=world.users["case_manager"])
    return services.publish_form(actor, HOUSEHOLD.read_bytes(), HOUSEHOLD.name, [world.own]).form


def _index(page: str, path: str) -> str:
    """The ``q<i>`` field name of the question at ``path`` on the page."""
    before = page.split(f"<code>{path}</code>")[0]
    return before.rsplit('for="id_q', 1)[1].split('"', 1)[0]


def test_map_questions_then_choices_and_accept(
    world: World, web: Any, form: Any, device: Any
) -> None:
    client = web(world.users["case_manager"])
    page = client.get(URL).content.decode()
    assert "victims/sex" in page and "Victim: sex" in page
    sex, age = _index(page, "victims/sex"), _index(page, "victims/age")
    saved = client.post(
        URL,
        {"name": "Household", f"q{sex}": "victim.sex", f"q{age}": "victim.age_at_identification"},
    )
    assert saved.status_code == 302
    profile = MappingProfile.objects.get(name="Household")
    assert profile.columns == {
        "victims/sex": "victim.sex",
        "victims/age": "victim.age_at_identification",
    }
    assert Publication.objects.get(form=form).mapping_profile == profile
    page = client.get(URL).content.decode()
    assert "Female (f)" in page  # the choices of a coded field, now that it is chosen
    choice = page.split("Female (f)")[0].rsplit('for="id_', 1)[1].split('"', 1)[0]
    data = {"name": "Household", f"q{sex}": "victim.sex", f"q{age}": "victim.age_at_identification"}
    data[choice] = "female"
    assert client.post(URL, data).status_code == 302
    profile.refresh_from_db()
    assert profile.values == {"victim.sex": {"f": "female"}}
    xml = (
        b'<?xml version="1.0"?><data id="household_synthetic" version="2026120601">'
        b"<victims><sex>f</sex><age>12</age></victims><victims><sex>m</sex></victims>"
        b"<meta><instanceID>uuid:m-1</instanceID></meta></data>"
    )
    sub, _ = receipt.receive(device.device, xml, [])
    case: Case = services.accept(Actor(user=world.users["case_manager"]), sub)
    assert sorted(case.victims.values_list("sex", flat=True)) == ["", "female"]
    assert case.source_attributes["victims[2]/sex"] == "m"  # no code for "m": kept unmapped


def test_an_unknown_field_is_refused_and_import_right_needed(
    world: World, web: Any, form: Any
) -> None:
    client = web(world.users["case_manager"])
    page = client.get(URL).content.decode()
    response = client.post(URL, {"name": "X", f"q{_index(page, 'victims/sex')}": "victim.nope"})
    assert response.status_code == 400 and not MappingProfile.objects.exists()
    admin = web(world.users["org_admin"])  # manages collection, may not import case records
    assert admin.get(URL).status_code == 200
    refused = admin.post(URL, {"name": "X"})
    assert refused.status_code == 403 and "case.import" in refused.content.decode()
