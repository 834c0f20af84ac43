"""Evidence rows of the authorization matrix (see vigie.testing and test_authorization_matrix)."""

from __future__ import annotations

import io
from typing import Any

from vigie.core.actor import Actor
from vigie.core.models import Organisation
from vigie.evidence import services
from vigie.evidence.models import AccessApproval, Item
from vigie.testing import Endpoint, World


def _item(world: World, org: Organisation) -> Item:
    key = f"evidence-item-{org.code}"
    if key not in world.objects:
        got = services.ingest(
            Actor.system("test", org.pk),
            org,
            io.BytesIO(f"matrix evidence of {org.code}".encode()),
            name="matrix.txt",
            collection=services.Collection(case_ref=f"M-{org.code}", external_case=True),
        )
        world.objects[key] = got.item
    return world.objects[key]


def _uuid(world: World, org: Organisation) -> dict[str, Any]:
    return {"uuid": _item(world, org).uuid}


def _approval(world: World, org: Organisation) -> dict[str, Any]:
    key = f"evidence-approval-{org.code}"
    if key not in world.objects:
        item = _item(world, org)
        from vigie.core.models import User

        asker = User.objects.get_or_create(username=f"asker-{org.code}")[0]
        world.objects[key] = AccessApproval.objects.create(
            item=item, requested_by=asker, reason="matrix"
        )
    return {"pk": world.objects[key].pk}


def _case(world: World, org: Organisation) -> dict[str, Any]:
    return {"case": _item(world, org).case_ref}


def _upload(world: World, org: Organisation) -> dict[str, Any]:
    return {"uuid": "00000000-0000-4000-8000-000000000000"}


V, A, S, X = "evidence.view", "evidence.add", "evidence.seal", "evidence.export"

ENDPOINTS = [
    Endpoint("evidence:items", perm=V),
    Endpoint("evidence:add", perm=A),
    Endpoint("evidence:export", "POST", perm=X, data={}),
    Endpoint("evidence:export-job", perm=X, kwargs={"pk": "00000000-0000-4000-8000-000000000000"}),
    Endpoint(
        "evidence:export-download",
        perm=X,
        kwargs={"pk": "00000000-0000-4000-8000-000000000000"},
    ),
    Endpoint("evidence:approve", "POST", perm=S, target=_approval),
    Endpoint("evidence:item", perm=V, target=_uuid),
    Endpoint("evidence:item", "POST", perm=V, target=_uuid),
    Endpoint("evidence:download", perm=V, target=_uuid),
    Endpoint("evidence:seal", "POST", perm=S, target=_uuid, data={}),
    Endpoint("evidence:release", "POST", perm=S, target=_uuid, data={}),
    Endpoint("evidence:request", "POST", perm=V, target=_uuid, data={}),
    Endpoint("evidence-api:items", perm=V),
    Endpoint("evidence-api:items", "POST", perm=A, data={}),
    Endpoint("evidence-api:item", perm=V, target=_uuid),
    Endpoint("evidence-api:item-content", perm=V, target=_uuid),
    Endpoint("evidence-api:item-custody", perm=V, target=_uuid),
    Endpoint("evidence-api:item-verify", "POST", perm=V, target=_uuid),
    Endpoint("evidence-api:item-seal", "POST", perm=S, target=_uuid, data={}),
    Endpoint("evidence-api:item-release", "POST", perm=S, target=_uuid, data={}),
    Endpoint("evidence-api:item-access-request", "POST", perm=V, target=_uuid, data={}),
    Endpoint("evidence-api:item-transfer", "POST", perm=X, target=_uuid, data={}),
    Endpoint("evidence-api:approvals", perm=S),
    Endpoint("evidence-api:approval-approve", "POST", perm=S, target=_approval),
    Endpoint("evidence-api:log", perm=V),
    Endpoint("evidence-api:log-consistency", perm=V),
    Endpoint("evidence-api:uploads", "POST", perm=A, data={}),
    Endpoint(
        "evidence-api:upload", perm=A, kwargs={"uuid": "00000000-0000-4000-8000-000000000000"}
    ),
    Endpoint(
        "evidence-api:upload",
        "PUT",
        perm=A,
        kwargs={"uuid": "00000000-0000-4000-8000-000000000000"},
        data={},
    ),
    Endpoint(
        "evidence-api:upload-complete",
        "POST",
        perm=A,
        kwargs={"uuid": "00000000-0000-4000-8000-000000000000"},
    ),
    Endpoint("evidence-api:case-export", "POST", perm=X, target=_case),
    Endpoint(
        "evidence-api:export-download",
        perm=X,
        kwargs={"pk": "00000000-0000-4000-8000-000000000000"},
    ),
]
