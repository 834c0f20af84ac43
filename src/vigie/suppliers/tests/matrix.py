"""Suppliers' rows of the authorization matrix (see vigie.testing)."""

from __future__ import annotations

from typing import Any

from vigie.core.models import Organisation
from vigie.testing import PUBLIC, Endpoint, World


def make_supplier(world: World, org: Organisation) -> Any:
    from vigie.suppliers.models import Supplier

    key = f"suppliers-supplier-{org.code}"
    if key not in world.objects:
        world.objects[key] = Supplier.objects.create(
            organisation=org, reference=f"M-{org.code}", name="Synthetic Matrix Supplies"
        )
    return world.objects[key]


def _supplier(world: World, org: Organisation) -> dict[str, Any]:
    return {"pk": make_supplier(world, org).pk}


def _alert(world: World, org: Organisation) -> dict[str, Any]:
    from vigie.suppliers.models import Alert

    key = f"suppliers-alert-{org.code}"
    if key not in world.objects:
        world.objects[key] = Alert.objects.create(
            organisation=org,
            supplier=make_supplier(world, org),
            change="new",
            watchlist="matrix",
            entry_reference="M-1",
            entry_caption="Synthetic Listed",
        )
    return {"pk": world.objects[key].pk}


def _token(world: World, org: Organisation) -> dict[str, Any]:
    from vigie.suppliers import duediligence
    from vigie.testing import SYSTEM

    key = f"suppliers-token-{org.code}"
    if key not in world.objects:
        _inv, world.objects[key] = duediligence.create_invitation(SYSTEM, make_supplier(world, org))
    return {"token": world.objects[key]}


def _invitation(world: World, org: Organisation) -> dict[str, Any]:
    from vigie.suppliers.models import Invitation

    _token(world, org)
    return {"pk": Invitation.objects.filter(organisation=org).first().pk}  # type: ignore[union-attr]


REVIEW = {"decision": "escalate", "reason": "needs the legal office"}

ENDPOINTS = [
    Endpoint("suppliers:dashboard", perm="suppliers.view"),
    Endpoint("suppliers:queue", perm="suppliers.review"),
    Endpoint("suppliers:review", "POST", perm="suppliers.review", target=_alert, data=REVIEW),
    Endpoint("suppliers:export", perm="suppliers.export"),
    Endpoint("suppliers:detail", perm="suppliers.view", target=_supplier),
    Endpoint("suppliers:invite", "POST", perm="suppliers.manage", target=_supplier, data={}),
    Endpoint("suppliers:answer", perm=PUBLIC, target=_token),
    Endpoint("suppliers:answer", "POST", perm=PUBLIC, target=_token, data={}),
    Endpoint("suppliers:reviewed", "POST", perm="suppliers.review", target=_invitation, data={}),
    Endpoint("suppliers-api:suppliers", perm="suppliers.view"),
    Endpoint("suppliers-api:suppliers", "POST", perm="suppliers.manage", data={}),
    Endpoint("suppliers-api:supplier", perm="suppliers.view", target=_supplier),
    Endpoint("suppliers-api:invite", "POST", perm="suppliers.manage", target=_supplier, data={}),
    Endpoint("suppliers-api:import", "POST", perm="suppliers.manage", data={}),
    Endpoint("suppliers-api:alerts", perm="suppliers.review"),
    Endpoint("suppliers-api:review", "POST", perm="suppliers.review", target=_alert, data=REVIEW),
    Endpoint("suppliers-api:dashboard", perm="suppliers.view"),
    Endpoint("suppliers-api:export", perm="suppliers.export"),
    Endpoint("suppliers-api:answer", perm=PUBLIC, target=_token),
    Endpoint("suppliers-api:answer", "POST", perm=PUBLIC, target=_token, data={}),
    Endpoint("suppliers-api:answer-files", "POST", perm=PUBLIC, target=_token, data={}),
]
