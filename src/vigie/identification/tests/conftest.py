from __future__ import annotations

from typing import Any

import pytest

from vigie.cases.models import Case, Exploitation, Victim
from vigie.core.actor import Actor
from vigie.core.models import Membership, Organisation, User
from vigie.testing import World


@pytest.fixture
def receiver(world: World) -> tuple[Organisation, User]:
    """A receiving organisation (not a partner of ``own``) and its field officer."""
    org, _ = Organisation.objects.get_or_create(code="recv-org", defaults={"name": "Receiving org"})
    user, _ = User.objects.get_or_create(
        username="recv-officer", defaults={"email": "recv@example.org"}
    )
    Membership.objects.get_or_create(user=user, organisation=org, role="field_officer")
    return org, user


@pytest.fixture
def case(world: World) -> Case:
    case = Case.objects.create(
        organisation=world.own, reference="ID-1", source_type="case_management", country="LY"
    )
    Victim.objects.create(
        case=case, given_name="Synthetic", family_name="Person", sex="female",
        age_at_identification=24, citizenship="NG", displacement_status="migrant",
    )  # fmt: skip
    Exploitation.objects.create(case=case, forms=["forced_labour"], means=["debt_bondage"])
    return case


@pytest.fixture
def officer(world: World) -> Actor:
    return Actor(user=world.users["field_officer"], organisation_id=world.own.pk)


def give(
    actor: Actor, case: Case, purpose: str, recipient: Any = None, decision: str = "given"
) -> None:
    from vigie.identification import services

    services.record_consent(actor, case, purpose, decision, recipient=recipient)
