"""Cases' rows of the authorization matrix (see vigie.testing and test_authorization_matrix)."""

from __future__ import annotations

from typing import Any

from vigie.cases.models import Case, MappingProfile
from vigie.core.models import Organisation
from vigie.testing import LOGGED_IN, Endpoint, World


def _case(world: World, org: Organisation) -> dict[str, Any]:
    key = f"case-{org.code}"
    if key not in world.objects or not Case.objects.filter(pk=world.objects[key].pk).exists():
        world.objects[key] = Case.objects.create(
            organisation=org, reference=f"M-{org.code}", source_type="mrm"
        )
    return {"uuid": world.objects[key].uuid}


def _profile(world: World, org: Organisation) -> dict[str, Any]:
    profile, _created = MappingProfile.objects.get_or_create(
        organisation=org, name=f"P-{org.code}", defaults={"columns": {"Sexe": "victim.sex"}}
    )
    return {"pk": profile.pk}


NO_JOB = {"job": "00000000-0000-0000-0000-000000000000"}
NO_UPLOAD = {"token": "0" * 32}

ENDPOINTS = [
    Endpoint("cases:list", perm="case.view"),
    Endpoint("cases:create", perm="case.create"),
    Endpoint("cases:create", "POST", perm="case.create", data={}),
    Endpoint("cases:detail", perm="case.view", target=_case),
    Endpoint("cases:detail", "POST", perm="victim.identity.view", target=_case),
    Endpoint("cases:edit", perm="case.change", target=_case),
    Endpoint("cases:edit", "POST", perm="case.change", target=_case, data={}),
    Endpoint("cases:export", perm="case.export"),
    Endpoint("cases:import", perm="case.import"),
    Endpoint("cases:import", "POST", perm="case.import", data={}),
    Endpoint("cases:import-status", perm="case.import", kwargs=NO_JOB),
    Endpoint("cases:import-status", "POST", perm="case.import", kwargs=NO_JOB, data={}),
    Endpoint("cases:import-preview", perm="case.import", kwargs=NO_UPLOAD),
    Endpoint("cases:import-preview", "POST", perm="case.import", kwargs=NO_UPLOAD, data={}),
    Endpoint("cases:profiles", perm="case.import"),
    Endpoint("cases:profile-create", perm="case.import"),
    Endpoint("cases:profile-create", "POST", perm="case.import", data={}),
    Endpoint("cases:profile-edit", perm="case.import", target=_profile),
    Endpoint("cases:profile-edit", "POST", perm="case.import", target=_profile, data={}),
    Endpoint("cases:profile-yaml", perm="case.import", target=_profile),
    Endpoint("cases:profile-delete", perm="case.import", target=_profile),
    Endpoint("cases:profile-delete", "POST", perm="case.import", target=_profile),
    Endpoint("cases-api:cases", perm="case.view"),
    Endpoint("cases-api:cases", "POST", perm="case.create", data={}),
    Endpoint("cases-api:cases-bulk", "POST", perm="case.create", data={}),
    Endpoint("cases-api:case", perm="case.view", target=_case),
    Endpoint("cases-api:case", "PATCH", perm="case.change", target=_case, data={}),
    Endpoint("cases-api:case", "PUT", perm="case.change", target=_case, data={}),
    Endpoint("cases-api:case", "DELETE", perm="case.delete", target=_case),
    Endpoint("cases-api:codelists", perm=LOGGED_IN),
]
