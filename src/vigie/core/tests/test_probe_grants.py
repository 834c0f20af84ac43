"""Attacker's probe (issue 15 "Accounts", ADR 0041, 0059): an organisation administrator
gives themselves, alone, each role whose pages show identity-classified values — victims'
identities, account numbers (finance), designated persons (dossiers), suppliers' owners.
Every such grant must wait for a second administrator."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.core import access
from vigie.core.models import Membership, User
from vigie.core.roles import catalogue
from vigie.testing import World

pytestmark = pytest.mark.django_db

#: permissions whose routes show identity-classified values (ClassVar CLASSIFICATION):
#: finance pages and goAML reports give account numbers, dossiers the designated persons'
#: names, suppliers their owners' names and birth dates.
SHOWS_IDENTITY = {
    "victim.identity.view",
    "victim.identity.export",
    "finance.view",
    "finance.report",
    "dossier.view",
    "suppliers.view",
}


def _identity_roles() -> list[str]:
    return sorted(
        code
        for code, role in catalogue().roles.items()
        if role.scope != "system" and SHOWS_IDENTITY & set(role.permissions)
    )


def test_no_administrator_grants_themselves_a_role_that_shows_identities(
    world: World, api: Any
) -> None:
    admin = world.users["org_admin"]
    client = api(admin)
    alone: list[str] = []
    roles = _identity_roles()
    assert {"financial_analyst", "panel_expert", "procurement_officer"} <= set(roles)
    for role in roles:
        got = client.put(
            f"/api/organisations/own-org/members/{admin.pk}/roles/",
            {"roles": ["org_admin", role]},
            "json",
        )
        assert got.status_code == 200, got.content
        if Membership.objects.filter(user=admin, role=role).exists():
            alone.append(role)
    fresh = User.objects.get(pk=admin.pk)
    assert not alone, f"granted without a second person: {alone}"
    assert not any(access.has_perm(fresh, p) for p in SHOWS_IDENTITY)


def test_every_role_that_shows_identities_needs_a_second_factor() -> None:
    from vigie.core import mfa

    missing = sorted(set(_identity_roles()) - mfa.required_roles())
    assert not missing, f"no second factor required for {missing}"
