"""Linkage's rows of the authorization matrix (see vigie.testing)."""

from __future__ import annotations

from typing import Any

from vigie.core.models import Organisation
from vigie.testing import Endpoint, World


def make_candidate(world: World, org: Organisation) -> Any:
    from vigie.linkage.models import Candidate

    key = f"linkage-candidate-{org.code}"
    if key not in world.objects:
        base = 1000 if org == world.own else 2000
        world.objects[key] = Candidate.objects.create(
            kind="victim",
            left_id=base,
            right_id=base + 1,
            left_case_id=base,
            right_case_id=base + 1,
            left_org=org,
            right_org=org,
            probability=0.9,
        )
    return world.objects[key]


def _candidate(world: World, org: Organisation) -> dict[str, Any]:
    return {"pk": make_candidate(world, org).pk}


DECISION = {"verdict": "match", "reason": "same document and date of birth"}

ENDPOINTS = [
    Endpoint("linkage:review", perm="linkage.review"),
    Endpoint("linkage:decide", "POST", perm="linkage.review", target=_candidate, data=DECISION),
    Endpoint("linkage:threshold", "POST", perm="linkage.run", data={"threshold": 0.7}),
    Endpoint("linkage:encode", perm="linkage.encode"),
    Endpoint("linkage:encode", "POST", perm="linkage.encode", data={"secret": "short"}),
    Endpoint("linkage-api:runs", "POST", perm="linkage.run", data={"kind": "victim"}),
    Endpoint("linkage-api:links", perm="linkage.review"),
    Endpoint("linkage-api:review", perm="linkage.review"),
    Endpoint("linkage-api:decide", "POST", perm="linkage.review", target=_candidate, data=DECISION),
    Endpoint("linkage-api:threshold", "POST", perm="linkage.run", data={"threshold": 0.7}),
    Endpoint("linkage-api:encodings", "POST", perm="linkage.encode", data={}),
    Endpoint("linkage-api:match", "POST", perm="linkage.match", data={"threshold": 0.8}),
]
