"""Core's rows of the authorization matrix (see vigie.testing and test_authorization_matrix)."""

from __future__ import annotations

from typing import Any

from vigie.core.models import Job, Membership, Organisation, PendingGrant, User
from vigie.testing import LOGGED_IN, Endpoint, World


def _org(world: World, org: Organisation) -> dict[str, Any]:
    return {"code": org.code}


def _member(world: World, org: Organisation) -> dict[str, Any]:
    key = f"member-{org.code}"
    if key not in world.objects:
        user = User.objects.create(username=f"member-of-{org.code}")
        Membership.objects.create(user=user, organisation=org, role="field_officer")
        world.objects[key] = user
    return {"code": org.code, "user_id": world.objects[key].pk}


def _job(world: World, org: Organisation) -> dict[str, Any]:
    """A job of ``org`` started by someone else: only its administrators may see it."""
    key = f"job-{org.code}"
    if key not in world.objects:
        starter = _member(world, org)["user_id"]
        world.objects[key] = Job.objects.create(
            kind="core.matrix", organisation=org, created_by_id=starter, status="failed"
        )
    return {"pk": world.objects[key].pk}


def _grant(world: World, org: Organisation) -> dict[str, Any]:
    """A role grant of ``org`` asked for by someone else, for a third person."""
    key = f"grant-{org.code}"
    if key not in world.objects:
        asker = User.objects.create(username=f"asker-of-{org.code}")
        Membership.objects.create(user=asker, organisation=org, role="org_admin")
        world.objects[key] = PendingGrant.objects.create(
            organisation=org,
            user_id=_member(world, org)["user_id"],
            role="case_manager",
            requested_by=asker,
        )
    return {"pk": world.objects[key].pk}


ENDPOINTS = [
    Endpoint("web:home"),
    Endpoint("core:account"),
    Endpoint("core:account", "POST", data={"name": ""}),
    Endpoint("core:users", perm="org.users.manage"),
    Endpoint("core:org-users", perm="org.users.manage", target=_org),
    Endpoint("core:org-users", "POST", perm="org.users.manage", target=_org, data={}),
    Endpoint("core:member", perm="org.users.manage", target=_member),
    Endpoint("core:member", "POST", perm="org.users.manage", target=_member, data={"roles": []}),
    Endpoint("core:sharing", perm="org.sharing.manage", target=_org),
    Endpoint("core:sharing", "POST", perm="org.sharing.manage", target=_org, data={}),
    Endpoint("core:grants", perm="org.users.manage"),
    Endpoint("core:grants", "POST", perm="org.users.manage", data={"grant": "987654"}),
    Endpoint("core-api:grants", perm="org.users.manage"),
    Endpoint("core-api:grant-refuse", "POST", perm="org.users.manage", target=_grant),
    Endpoint("core-api:grant-approve", "POST", perm="org.users.manage", target=_grant),
    Endpoint("core:organisations", perm="system.orgs.manage"),
    Endpoint("core:organisations", "POST", perm="system.orgs.manage", data={}),
    Endpoint("core:audit", perm="audit.view"),
    Endpoint("core-api:me", perm=LOGGED_IN),
    Endpoint("core-api:organisations"),
    Endpoint("core-api:organisations", "POST", perm="system.orgs.manage", data={}),
    Endpoint("core-api:members", perm="org.users.manage", target=_org),
    Endpoint("core-api:members", "POST", perm="org.users.manage", target=_org, data={}),
    Endpoint("core-api:member-roles", "PUT", perm="org.users.manage", target=_member, data={}),
    Endpoint("core-api:changes", perm="audit.view"),
    Endpoint("core-api:access", perm="audit.view"),
    Endpoint("core-api:tokens"),
    Endpoint("core-api:tokens", "POST", data={}),
    Endpoint("core-api:token-revoke", "DELETE", kwargs={"pk": 987654}),
    Endpoint("core:jobs"),
    Endpoint("core:job", perm="org.users.manage", target=_job),
    Endpoint("core:job", "POST", perm="org.users.manage", target=_job, data={"action": "x"}),
    Endpoint("core-api:jobs"),
    Endpoint("core-api:job", perm="org.users.manage", target=_job),
    Endpoint("core-api:job-cancel", "POST", perm="org.users.manage", target=_job),
    Endpoint("core-api:job-retry", "POST", perm="org.users.manage", target=_job),
]
