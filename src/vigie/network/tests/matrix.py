"""Network's rows of the authorization matrix (see vigie.testing)."""

from __future__ import annotations

from typing import Any

from vigie.core.models import Organisation
from vigie.testing import SYSTEM, Endpoint, World

PERM = "network.view"


def _case_node(world: World, org: Organisation) -> dict[str, Any]:
    """A node that only a case of ``org`` gives (so the other side must not see it)."""
    from vigie.cases import services as cases
    from vigie.network import keys, tasks
    from vigie.network.models import Node

    key = f"network-case-{org.code}"
    if key not in world.objects:
        case = cases.save_record(
            SYSTEM,
            org,
            {
                "reference": f"MATRIX-NET-{org.code}",
                "source_type": "case_management",
                "conflict_situation": "lake_chad_basin",
                "conflict_context": "in_conflict_zone",
                "victims": [{"key": "v1", "given_name": "Matrix", "phone": f"+1555{org.pk:05d}"}],
            },
        )
        tasks.read("cases.case", [case.pk])
        world.objects[key] = Node.objects.get(key=keys.record_key("case", str(case.uuid)))
    return {"pk": world.objects[key].pk}


ENDPOINTS = [
    Endpoint("network:chart", perm=PERM),
    Endpoint("network-api:graph", perm=PERM),
    Endpoint("network-api:node", perm=PERM, target=_case_node),
    Endpoint("network-api:search", perm=PERM),
    Endpoint("network-api:stats", perm=PERM),
    Endpoint("network-api:path", perm=PERM),
    Endpoint("network-api:timeline", perm=PERM),
    Endpoint("network-api:export", perm=PERM),
    Endpoint("network-api:import", "POST", perm="network.import", data={}),
    Endpoint("network-api:xref", perm=PERM),
    Endpoint("network-api:xref", "POST", perm=PERM, data={}),
    Endpoint("network-api:rebuild", "POST", perm=PERM, data={}),
]
