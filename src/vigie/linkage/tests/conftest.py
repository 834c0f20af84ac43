from __future__ import annotations

from typing import Any

import pytest

from vigie.core.actor import Actor
from vigie.core.models import Membership, Organisation
from vigie.devtools import linkage_eval
from vigie.linkage import demo
from vigie.testing import World


@pytest.fixture
def three(world: World) -> dict[str, Organisation]:
    """The evaluation set's three organisations: ORG-A is the world's own, ORG-B the other,
    ORG-C a third one."""
    third, _ = Organisation.objects.get_or_create(code="third-org", defaults={"name": "Third"})
    return {"ORG-A": world.own, "ORG-B": world.other, "ORG-C": third}


@pytest.fixture
def linked_cases(world: World, three: dict[str, Organisation]) -> list[linkage_eval.Record]:
    """Synthetic records of 25 people saved as cases of the three organisations."""
    records = linkage_eval.generate(people=25, seed=11)
    demo.create_cases({c: Actor.system("tests", o.pk) for c, o in three.items()}, records)
    return records


@pytest.fixture
def all_seeing(world: World, three: dict[str, Organisation]) -> Any:
    """The world's analyst, also analyst in the two other organisations."""
    user = world.users["analyst"]
    for org in three.values():
        Membership.objects.get_or_create(user=user, organisation=org, role="analyst")
    return user
