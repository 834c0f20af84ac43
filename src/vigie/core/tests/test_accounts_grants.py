"""Four-eyes approval for roles that see identities (issue 15, ADR 0041)."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.core import access, grants
from vigie.core.cli import grants_group
from vigie.core.models import Membership, PendingGrant, User
from vigie.testing import World


def _second_admin(world: World, username: str = "second.admin") -> User:
    user = User.objects.create(username=username)
    Membership.objects.create(user=user, organisation=world.own, role="org_admin")
    return user


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _roles_url(user: User) -> str:
    return f"/api/organisations/own-org/members/{user.pk}/roles/"


def test_identity_roles_need_approval_and_others_do_not() -> None:
    assert grants.needs_approval("case_manager")
    assert grants.needs_approval("field_officer")
    assert grants.needs_approval("investigator")
    assert grants.needs_approval("financial_analyst")  # account numbers (ADR 0059)
    assert grants.needs_approval("sanctions_analyst")  # designated persons
    assert not grants.needs_approval("analyst")
    assert not grants.needs_approval("org_admin")
    assert not grants.needs_approval("linkage_unit")


def test_an_org_admin_cannot_give_themselves_identities(world: World, api: Any) -> None:
    admin = world.users["org_admin"]
    client = api(admin)
    response = client.put(_roles_url(admin), {"roles": ["org_admin", "case_manager"]}, "json")
    assert response.status_code == 200, response.content
    assert response.json()["roles"] == ["org_admin"]
    assert response.json()["pending_roles"] == ["case_manager"]
    assert not access.has_perm(_fresh(admin), "victim.identity.view")
    grant = PendingGrant.objects.get()
    refused = client.post(f"/api/grants/{grant.pk}/approve/")
    assert refused.status_code == 403
    assert refused.json()["code"] == "grant_own_request"
    assert not Membership.objects.filter(user=admin, role="case_manager").exists()


def test_a_second_admin_approves(world: World, api: Any) -> None:
    member = world.users["analyst"]
    api(world.users["org_admin"]).put(_roles_url(member), {"roles": ["case_manager"]}, "json")
    grant = PendingGrant.objects.get()
    assert not access.has_perm(_fresh(member), "victim.identity.view")
    second = _second_admin(world)
    listed = api(second).get("/api/grants/").json()["results"]
    assert [g["id"] for g in listed] == [grant.pk]
    response = api(second).post(f"/api/grants/{grant.pk}/approve/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    assert response.json()["decided_by"] == "second.admin"
    assert access.has_perm(_fresh(member), "victim.identity.view", world.own.pk)
    again = api(second).post(f"/api/grants/{grant.pk}/approve/")
    assert again.status_code == 409


def test_nobody_approves_a_grant_to_themselves(world: World, api: Any) -> None:
    admin = world.users["org_admin"]
    second = _second_admin(world)
    api(second).put(_roles_url(admin), {"roles": ["org_admin", "case_manager"]}, "json")
    grant = PendingGrant.objects.get()
    response = api(admin).post(f"/api/grants/{grant.pk}/approve/")
    assert response.status_code == 403
    assert response.json()["code"] == "grant_to_self"
    # a system administrator is a different person: may approve
    response = api(world.users["system_admin"]).post(f"/api/grants/{grant.pk}/approve/")
    assert response.status_code == 200
    assert Membership.objects.filter(user=admin, role="case_manager").exists()


def test_refusal_and_every_step_are_in_the_change_log(world: World, api: Any) -> None:
    member = world.users["analyst"]
    api(world.users["org_admin"]).put(_roles_url(member), {"roles": ["investigator"]}, "json")
    grant = PendingGrant.objects.get()
    second = _second_admin(world)
    assert api(second).post(f"/api/grants/{grant.pk}/refuse/").json()["status"] == "refused"
    assert not Membership.objects.filter(user=member, role="investigator").exists()
    entries = LogEntry.objects.filter(content_type__model="pendinggrant", object_pk=str(grant.pk))
    assert [(e.action, e.actor.username if e.actor else None) for e in entries.order_by("pk")] == [
        (0, "u-org_admin"),
        (1, "second.admin"),
    ]
    assert all(e.additional_data == {"organisation": "own-org"} for e in entries)
    seen = api(world.users["auditor"]).get("/api/audit/changes/?model=pendinggrant").json()
    assert len(seen["results"]) == 2


def test_another_organisations_admin_cannot_see_or_decide(world: World, api: Any) -> None:
    member = world.users["analyst"]
    api(world.users["org_admin"]).put(_roles_url(member), {"roles": ["case_manager"]}, "json")
    grant = PendingGrant.objects.get()
    outsider = User.objects.create(username="outsider")
    Membership.objects.create(user=outsider, organisation=world.other, role="org_admin")
    assert api(outsider).get("/api/grants/").json()["results"] == []
    assert api(outsider).post(f"/api/grants/{grant.pk}/approve/").status_code == 404
    assert api(world.users["case_manager"]).get("/api/grants/").status_code == 403


def test_roles_without_identities_are_given_at_once(world: World, api: Any) -> None:
    member = world.users["auditor"]
    response = api(world.users["org_admin"]).put(
        _roles_url(member), {"roles": ["auditor", "analyst"]}, "json"
    )
    assert response.json()["roles"] == ["analyst", "auditor"]
    assert not PendingGrant.objects.exists()


def test_a_new_user_with_an_identity_role_waits(world: World, api: Any) -> None:
    body = {"username": "new.officer", "password": "a-strong-pass-2331", "roles": ["field_officer"]}
    response = api(world.users["org_admin"]).post(
        "/api/organisations/own-org/members/", body, format="json"
    )
    assert response.status_code == 201
    assert response.json()["roles"] == []
    assert response.json()["pending_roles"] == ["field_officer"]
    members = api(world.users["org_admin"]).get("/api/organisations/own-org/members/").json()
    assert "new.officer" in {m["username"] for m in members}


def test_web_new_user_with_an_identity_role_is_listed_as_waiting(world: World, web: Any) -> None:
    client = web(world.users["org_admin"])
    body = {"username": "new.officer", "password": "a-strong-pass-2331", "roles": "case_manager"}
    response = client.post("/admin/orgs/own-org/users/", body, follow=True)
    page = response.content.decode()
    assert "new.officer" in page
    assert 'data-testid="pending-roles"' in page
    assert not Membership.objects.filter(user__username="new.officer").exists()


def test_web_request_then_approval_by_another_admin(world: World, web: Any) -> None:
    member = world.users["analyst"]
    client = web(world.users["org_admin"])
    response = client.post(
        f"/admin/orgs/own-org/users/{member.pk}/",
        {"roles": ["analyst", "case_manager"]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "wait for another administrator" in response.content.decode()
    grant = PendingGrant.objects.get()
    page = client.get("/admin/grants/").content.decode()
    assert f'data-testid="grant-{grant.pk}"' in page
    assert 'value="approve"' not in page  # the requester is offered no approval
    client.post("/admin/grants/", {"grant": grant.pk, "decision": "approve"})
    assert PendingGrant.objects.get().status == "pending"
    second = web(_second_admin(world))
    page = second.get("/admin/grants/").content.decode()
    assert 'value="approve"' in page
    second.post("/admin/grants/", {"grant": grant.pk, "decision": "approve"})
    assert PendingGrant.objects.get().status == "approved"
    assert Membership.objects.filter(user=member, role="case_manager").exists()


def test_cli_request_and_approval(world: World) -> None:
    runner = CliRunner()
    result = runner.invoke(
        grants_group,
        [
            "request",
            "--user",
            "u-org_admin",
            "--organisation",
            "own-org",
            "--member",
            "u-analyst",
            "--role",
            "case_manager",
        ],
    )
    assert result.exit_code == 0, result.output
    grant = PendingGrant.objects.get()
    assert f"grant {grant.pk}" in result.output
    own = runner.invoke(grants_group, ["approve", str(grant.pk), "--user", "u-org_admin"])
    assert own.exit_code == 3, own.output  # forbidden
    assert "Another administrator must approve" in own.output
    _second_admin(world)
    listed = runner.invoke(grants_group, ["list", "--user", "second.admin"])
    assert "case_manager" in listed.output
    ok = runner.invoke(grants_group, ["approve", str(grant.pk), "--user", "second.admin"])
    assert ok.exit_code == 0, ok.output
    assert "approved" in ok.output
    assert Membership.objects.filter(user=world.users["analyst"], role="case_manager").exists()


PEOPLE = ["org_admin", "second", "system_admin", "outsider", "analyst", "case_manager"]


@settings(
    max_examples=40,
    deadline=None,
    # each example runs in a transaction rolled back at its end, so the world is reset
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    requester=st.sampled_from(["org_admin", "second", "system_admin"]),
    grantee=st.sampled_from(PEOPLE),
    approver=st.sampled_from(PEOPLE),
    role=st.sampled_from(["case_manager", "field_officer", "investigator", "analyst"]),
)
def test_property_identity_roles_need_a_different_authorised_person(
    world: World, requester: str, grantee: str, approver: str, role: str
) -> None:
    """Whoever asks, for whomever, and whoever tries to approve: an identity role is held only
    after a different person with the right in that organisation approved."""
    from django.db import transaction

    from vigie.core import services
    from vigie.core.actor import Actor
    from vigie.core.errors import VigieError

    with transaction.atomic():
        people = dict(world.users)
        people["second"] = _second_admin(world, "second.prop")
        outsider = User.objects.create(username="outsider.prop")
        Membership.objects.create(user=outsider, organisation=world.other, role="org_admin")
        people["outsider"] = outsider
        asker, person, decider = people[requester], people[grantee], people[approver]
        before = set(Membership.objects.filter(user=person).values_list("role", flat=True))
        try:
            services.set_roles(
                Actor(_fresh(asker), world.own.pk),
                user=person,
                organisation=world.own,
                roles=sorted(before | {role}),
            )
        except VigieError:  # keeping a system role needs a system administrator
            assert "system_admin" in before and requester != "system_admin"
            transaction.set_rollback(True)
            return
        held_now = Membership.objects.filter(user=person, role=role).exists()
        if grants.needs_approval(role) and role not in before:
            assert not held_now
            grant = PendingGrant.objects.get(user=person, role=role, status="pending")
            allowed = decider.pk not in {asker.pk, person.pk} and access.has_perm(
                _fresh(decider), "org.users.manage", world.own.pk
            )
            try:
                grants.approve(Actor(_fresh(decider), world.own.pk), grant)
                approved = True
            except VigieError:
                approved = False
            assert approved == allowed
            assert Membership.objects.filter(user=person, role=role).exists() == allowed
        else:
            assert held_now
        transaction.set_rollback(True)
