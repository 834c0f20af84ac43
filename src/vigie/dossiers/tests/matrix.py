"""Dossiers' rows of the authorization matrix (see vigie.testing)."""

from __future__ import annotations

from typing import Any

from vigie.core.models import Organisation
from vigie.testing import Endpoint, World


def _dossier(world: World, org: Organisation) -> dict[str, Any]:
    from vigie.dossiers.models import Dossier

    key = f"dossier-{org.code}"
    if key not in world.objects:
        world.objects[key] = Dossier.objects.create(
            organisation=org,
            reference=f"DOS-MATRIX-{org.code}",
            kind="individual",
            regime="1970",
            primary_name="Matrix Subject",
        )
    return {"uuid": world.objects[key].uuid}


def _fact(world: World, org: Organisation) -> dict[str, Any]:
    return {**_dossier(world, org), "fact": "00000000-0000-4000-8000-000000000000"}


VIEW, EDIT, EXPORT = "dossier.view", "dossier.edit", "dossier.export"

ENDPOINTS = [
    Endpoint("dossiers:list", perm=VIEW),
    Endpoint("dossiers:list", "POST", perm=VIEW, data={}),
    Endpoint("dossiers:detail", perm=VIEW, target=_dossier),
    Endpoint("dossiers:particulars", "POST", perm=EDIT, target=_dossier, data={}),
    Endpoint("dossiers:aliases", "POST", perm=EDIT, target=_dossier, data={}),
    Endpoint("dossiers:identifiers", "POST", perm=EDIT, target=_dossier, data={}),
    Endpoint("dossiers:cases", "POST", perm=EDIT, target=_dossier, data={}),
    Endpoint("dossiers:facts", "POST", perm=EDIT, target=_dossier, data={}),
    Endpoint("dossiers:transition", "POST", perm=VIEW, target=_dossier, data={}),
    Endpoint("dossiers:export", perm=EXPORT, target=_dossier, kwargs={}),
    Endpoint("dossiers-api:regimes", perm=VIEW),
    Endpoint("dossiers-api:dossiers", perm=VIEW),
    Endpoint("dossiers-api:dossiers", "POST", perm=EDIT, data={}),
    Endpoint("dossiers-api:dossier", perm=VIEW, target=_dossier),
    Endpoint("dossiers-api:dossier", "PATCH", perm=EDIT, target=_dossier, data={}),
    Endpoint("dossiers-api:aliases", "POST", perm=EDIT, target=_dossier, data={}),
    Endpoint("dossiers-api:identifiers", "POST", perm=EDIT, target=_dossier, data={}),
    Endpoint("dossiers-api:cases", "POST", perm=EDIT, target=_dossier, data={}),
    Endpoint("dossiers-api:facts", "POST", perm=EDIT, target=_dossier, data={}),
    Endpoint("dossiers-api:fact", "DELETE", perm=EDIT, target=_fact),
    Endpoint("dossiers-api:transition", "POST", perm=VIEW, target=_dossier, data={}),
    Endpoint("dossiers-api:export", perm=EXPORT, target=_dossier),
]
