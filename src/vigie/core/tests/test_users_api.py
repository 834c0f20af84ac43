from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from rest_framework.test import APIClient

from vigie.core import services, tokens
from vigie.core.actor import Actor
from vigie.core.models import AccessLogEntry, Membership, Organisation, OrganisationShare, User
from vigie.testing import World

NEW_USER = {"username": "new.officer", "password": "a-strong-pass-2331", "roles": ["analyst"]}


def test_org_admin_creates_user_in_own_org(world: World, api: Any) -> None:
    client = api(world.users["org_admin"])
    response = client.post("/api/organisations/own-org/members/", NEW_USER, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["roles"] == ["analyst"]
    user = User.objects.get(username="new.officer")
    assert user.check_password("a-strong-pass-2331")
    assert Membership.objects.get(user=user).organisation.code == "own-org"


def test_org_admin_cannot_touch_another_org(world: World, api: Any) -> None:
    client = api(world.users["org_admin"])
    response = client.post("/api/organisations/other-org/members/", NEW_USER, format="json")
    assert response.status_code == 403
    assert not User.objects.filter(username="new.officer").exists()


def test_org_admin_cannot_grant_system_admin(world: World, api: Any) -> None:
    client = api(world.users["org_admin"])
    body = {**NEW_USER, "roles": ["system_admin"]}
    response = client.post("/api/organisations/own-org/members/", body, format="json")
    assert response.status_code == 403


def test_weak_password_is_refused_with_reason(world: World, api: Any) -> None:
    client = api(world.users["org_admin"])
    body = {**NEW_USER, "password": "1234567890"}
    response = client.post(
        "/api/organisations/own-org/members/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    problems = response.json()["errors"]
    assert "entirely numeric" in " ".join(
        e["message"] for e in problems if e["field"] == "password"
    )


def test_unknown_role_is_refused(world: World, api: Any) -> None:
    client = api(world.users["org_admin"])
    body = {**NEW_USER, "roles": ["wizard"]}
    response = client.post("/api/organisations/own-org/members/", body, format="json")
    assert response.status_code == 400
    assert any(e["field"].startswith("roles") for e in response.json()["errors"])


def test_set_roles_replaces_roles(world: World, api: Any) -> None:
    client = api(world.users["org_admin"])
    member = world.users["analyst"]
    url = f"/api/organisations/own-org/members/{member.pk}/roles/"
    response = client.put(url, {"roles": ["auditor", "analyst"]}, format="json")
    assert response.status_code == 200
    assert response.json()["roles"] == ["analyst", "auditor"]


def test_system_admin_creates_organisation(world: World, api: Any) -> None:
    client = api(world.users["system_admin"])
    body = {"code": "unicef-so", "name": "UNICEF Somalia", "kind": "un_entity", "country": "so"}
    response = client.post("/api/organisations/", body, format="json")
    assert response.status_code == 201, response.content
    assert Organisation.objects.get(code="unicef-so").country == "SO"


def test_token_authentication_and_revocation(world: World) -> None:
    token, secret = tokens.issue(Actor(world.users["auditor"]), name="script")
    client = APIClient()
    assert client.get("/api/me/").status_code in {401, 403}
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    me = client.get("/api/me/")
    assert me.status_code == 200
    assert "audit.view" in me.json()["permissions"]
    assert client.delete(f"/api/tokens/{token.pk}/").status_code == 204  # a token revokes itself
    assert client.get("/api/me/").status_code == 401


def test_changes_are_recorded_with_actor_request_and_org(world: World) -> None:
    _token, secret = tokens.issue(Actor(world.users["org_admin"]), name="script")
    client = APIClient(REMOTE_ADDR="198.51.100.7")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_X_REQUEST_ID="abc-123")
    response = client.post("/api/organisations/own-org/members/", NEW_USER, format="json")
    assert response.status_code == 201
    assert response["X-Request-ID"] == "abc-123"
    entry = LogEntry.objects.filter(content_type__model="membership").latest("timestamp")
    assert entry.actor == world.users["org_admin"]
    assert entry.cid == "abc-123"
    assert entry.remote_addr == "198.51.100.7"
    assert entry.additional_data == {"organisation": "own-org"}


def test_auditor_sees_only_own_org_changes(world: World, api: Any) -> None:
    services.create_user(
        Actor.system("test"),
        organisation=world.other,
        username="x.other",
        password="a-strong-pass-2331",
        roles=["analyst"],
    )
    services.create_user(
        Actor.system("test"),
        organisation=world.own,
        username="x.own",
        password="a-strong-pass-2331",
        roles=["analyst"],
    )
    rows = api(world.users["auditor"]).get("/api/audit/changes/?model=membership").json()["results"]
    orgs = {r["organisation"] for r in rows}
    assert orgs == {"own-org"}


def test_sharing_grants_read_only_to_partner(world: World) -> None:
    from vigie.core import access

    partner_user = User.objects.create(username="partner-officer")
    Membership.objects.create(user=partner_user, organisation=world.other, role="case_manager")
    assert not access.has_perm(partner_user, "case.view", world.own.pk)
    OrganisationShare.objects.create(owner=world.own, partner=world.other, scope="case")
    partner_user = User.objects.get(pk=partner_user.pk)
    assert access.has_perm(partner_user, "case.view", world.own.pk)
    assert not access.has_perm(partner_user, "case.change", world.own.pk)
    assert not access.has_perm(partner_user, "victim.identity.view", world.own.pk)
    OrganisationShare.objects.filter(owner=world.own).update(include_identities=True)
    partner_user = User.objects.get(pk=partner_user.pk)
    assert access.has_perm(partner_user, "victim.identity.view", world.own.pk)


def test_access_log_api_is_filtered_to_audited_orgs(world: World, api: Any) -> None:
    from vigie.core.audit import record_access

    record_access(world.users["field_officer"], "view", "victim", 1, ["name"], "own-org")
    record_access(world.users["field_officer"], "view", "victim", 2, ["name"], "other-org")
    rows = api(world.users["auditor"]).get("/api/audit/access/").json()["results"]
    assert [r["object_id"] for r in rows] == ["1"]
    assert AccessLogEntry.objects.count() == 2
