from __future__ import annotations

from typing import Any

import pytest

from vigie.cases import services as cases
from vigie.core.actor import Actor
from vigie.network import tasks
from vigie.testing import World

PHONE = "+234 803 555 0101"


def record(ref: str, victim: str, phone: str, driver: str) -> dict[str, Any]:
    return {
        "reference": ref,
        "source_type": "case_management",
        "conflict_situation": "lake_chad_basin",
        "conflict_context": "in_conflict_zone",
        "country": "NG",
        "area": "Borno",
        "event_date_start": "2016-03-01",
        "victims": [{"key": "v1", "sex": "female", "given_name": victim, "phone": phone}],
        "perpetrators": [
            {"kind": "group", "group_code": "boko_haram"},
            {"kind": "person", "name": driver, "victim": "v1"},
        ],
    }


@pytest.fixture
def graph(world: World) -> World:
    """Two cases of the own organisation and one of the other sharing a phone number, read
    into the graph (test_extraction checks that the change events do it in a job)."""
    own = Actor.system("tests", world.own.pk)
    other = Actor.system("tests", world.other.pk)
    world.objects["c1"] = cases.save_record(
        own, world.own, record("NET-1", "Amina", PHONE, "Musa Driver")
    )
    world.objects["c2"] = cases.save_record(
        own, world.own, record("NET-2", "Hauwa", "+234 803 555 0777", "Musa Driver")
    )
    world.objects["c3"] = cases.save_record(
        other, world.other, record("NET-3", "Secretvictim", "00234 803 555 0101", "Hidden Boss")
    )
    tasks.read("cases.case", [world.objects[c].pk for c in ("c1", "c2", "c3")])
    return world
