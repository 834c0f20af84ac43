"""Cases' rows of the authorization matrix (see vigie.testing and test_authorization_matrix)."""

from __future__ import annotations

from typing import Any

from vigie.cases.models import Case
from vigie.core.models import Organisation
from vigie.testing import LOGGED_IN, Endpoint, World


def _case(world: World, org: Organisation) -> dict[str, Any]:
    key = f"case-{org.code}"
    if key not in world.objects or not Case.objects.filter(pk=world.objects[key].pk).exists():
        world.objects[key] = Case.objects.create(
            organisation=org, reference=f"M-{org.code}", source_type="mrm"
        )
    return {"uuid": world.objects[key].uuid}


ENDPOINTS = [
    Endpoint("cases-api:cases", perm="case.view"),
    Endpoint("cases-api:cases", "POST", perm="case.create", data={}),
    Endpoint("cases-api:cases-bulk", "POST", perm="case.create", data={}),
    Endpoint("cases-api:case", perm="case.view", target=_case),
    Endpoint("cases-api:case", "PATCH", perm="case.change", target=_case, data={}),
    Endpoint("cases-api:case", "PUT", perm="case.change", target=_case, data={}),
    Endpoint("cases-api:case", "DELETE", perm="case.delete", target=_case),
    Endpoint("cases-api:codelists", perm=LOGGED_IN),
]
