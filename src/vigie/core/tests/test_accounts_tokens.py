"""API tokens: lifetimes, scopes, revocation, and no write on every request (issue 15, ADR 0040)."""

from __future__ import annotations

import sqlite3
import time
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from vigie.core import tokens
from vigie.core.actor import Actor
from vigie.core.models import ApiToken, User
from vigie.testing import World

PASSWORD = "correct-horse-battery"


def _logged_in(username: str) -> APIClient:
    """A session that entered its password just now (as a person at the login page)."""
    client = APIClient()
    response = client.post("/accounts/login/", {"login": username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def _bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def _problem(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/problem+json"), response.content
    return dict(response.json())


def test_a_new_token_expires_by_default(world: World, settings: Any) -> None:
    response = _logged_in("u-analyst").post("/api/tokens/", {"name": "script"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    expires = ApiToken.objects.get(pk=body["id"]).expires_at
    assert expires is not None
    expected = timezone.now() + timedelta(days=settings.VIGIE_TOKEN_DEFAULT_DAYS)
    assert abs((expires - expected).total_seconds()) < 60
    assert body["access"] == "read" and body["secret"].startswith("vg_")
    # shown once: the list never carries the secret
    listed = _logged_in("u-analyst").get("/api/tokens/").json()["results"]
    assert listed and all("secret" not in row for row in listed)


def test_an_expired_token_is_refused(world: World) -> None:
    token, secret = tokens.issue(Actor(world.users["analyst"]), name="old")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _bearer(secret).get("/api/me/").status_code == 401


def test_a_token_without_expiry_is_refused(world: World) -> None:
    token, secret = tokens.issue(Actor(world.users["analyst"]), name="legacy")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None)
    assert _bearer(secret).get("/api/me/").status_code == 401


def test_lifetime_is_capped_by_settings(world: World, settings: Any) -> None:
    settings.VIGIE_TOKEN_MAX_DAYS = 30
    too_late = (timezone.now() + timedelta(days=31)).isoformat()
    response = _logged_in("u-analyst").post(
        "/api/tokens/", {"name": "long", "expires_at": too_late}, format="json"
    )
    assert response.status_code == 400
    assert _problem(response)["code"] == "token_lifetime_too_long"
    assert not ApiToken.objects.exists()


def test_a_token_cannot_list_or_create_tokens(world: World) -> None:
    _token, secret = tokens.issue(Actor(world.users["org_admin"]), name="script")
    client = _bearer(secret)
    listed = client.get("/api/tokens/")
    assert listed.status_code == 403
    assert _problem(listed)["code"] == "token_cannot_manage_tokens"
    created = client.post("/api/tokens/", {"name": "more", "access": "write"}, format="json")
    assert created.status_code == 403
    assert _problem(created)["code"] == "token_cannot_manage_tokens"
    assert ApiToken.objects.count() == 1


def test_a_token_revokes_only_itself(world: World) -> None:
    first, first_secret = tokens.issue(Actor(world.users["analyst"]), name="a")
    second, _secret = tokens.issue(Actor(world.users["analyst"]), name="b")
    client = _bearer(first_secret)
    assert client.delete(f"/api/tokens/{second.pk}/").status_code == 403
    assert client.delete(f"/api/tokens/{first.pk}/").status_code == 204
    second.refresh_from_db()
    assert second.revoked_at is None


def test_creating_a_token_needs_a_recent_login(world: World, settings: Any) -> None:
    stale = APIClient()
    stale.force_login(world.users["analyst"], backend="django.contrib.auth.backends.ModelBackend")
    response = stale.post("/api/tokens/", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert _problem(response)["code"] == "recent_login_required"
    client = _logged_in("u-analyst")
    settings.VIGIE_RECENT_LOGIN_SECONDS = 0
    assert client.post("/api/tokens/", {"name": "x"}, format="json").status_code == 403
    settings.VIGIE_RECENT_LOGIN_SECONDS = 600
    assert client.post("/api/tokens/", {"name": "x"}, format="json").status_code == 201


def test_a_read_token_cannot_write(world: World) -> None:
    _token, secret = tokens.issue(Actor(world.users["org_admin"]), name="r", access="read")
    client = _bearer(secret)
    assert client.get("/api/organisations/own-org/members/").status_code == 200
    body = {"username": "someone", "password": "a-strong-pass-2331", "roles": ["analyst"]}
    response = client.post("/api/organisations/own-org/members/", body, format="json")
    assert response.status_code == 403
    assert _problem(response)["code"] == "token_read_only"


def test_a_token_carries_only_its_permissions(world: World) -> None:
    admin = Actor(world.users["org_admin"])
    _token, secret = tokens.issue(admin, name="audit", access="write", permissions=["audit.view"])
    client = _bearer(secret)
    assert client.get("/api/audit/changes/").status_code == 200
    assert client.get("/api/organisations/own-org/members/").status_code == 403
    assert "org.users.manage" not in client.get("/api/me/").json()["permissions"]


def test_a_token_cannot_carry_a_permission_its_owner_lacks(world: World) -> None:
    response = _logged_in("u-analyst").post(
        "/api/tokens/", {"name": "x", "permissions": ["audit.view"]}, format="json"
    )
    assert response.status_code == 403
    assert _problem(response)["code"] == "token_permission_not_held"


def test_a_password_change_revokes_every_token(world: World) -> None:
    token, secret = tokens.issue(Actor(world.users["analyst"]), name="script")
    assert _bearer(secret).get("/api/me/").status_code == 200
    web = Client()
    web.post("/accounts/login/", {"login": "u-analyst", "password": PASSWORD})
    response = web.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "another long passphrase 2331",
            "password2": "another long passphrase 2331",
        },
    )
    assert response.status_code == 302, response.content
    assert _bearer(secret).get("/api/me/").status_code == 401
    token.refresh_from_db()
    assert token.revoked_reason == tokens.REVOKED_PASSWORD
    page = web.get("/account/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "revoked: password changed" in page


def test_a_password_set_by_any_path_revokes(world: World) -> None:
    user = world.users["analyst"]
    _token, secret = tokens.issue(Actor(user), name="script")
    user.set_password("changed from the shell 2331")
    user.save()
    assert _bearer(secret).get("/api/me/").status_code == 401


def test_a_password_hash_upgrade_at_login_does_not_revoke(world: World, settings: Any) -> None:
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = world.users["analyst"]
    old_hash = make_password(PASSWORD, hasher="pbkdf2_sha256")
    User.objects.filter(pk=user.pk).update(password=old_hash)
    _token, secret = tokens.issue(Actor(user), name="script")
    Client().post("/accounts/login/", {"login": "u-analyst", "password": PASSWORD})
    assert User.objects.get(pk=user.pk).password.startswith("md5$")  # upgraded
    assert _bearer(secret).get("/api/me/").status_code == 200


def test_deactivation_revokes_every_token(world: World, web: Any) -> None:
    member = world.users["analyst"]
    token, secret = tokens.issue(Actor(member), name="script")
    client = web(world.users["org_admin"])
    response = client.post(f"/admin/orgs/own-org/users/{member.pk}/", {"active": "0"})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_reason == tokens.REVOKED_DEACTIVATED
    member.is_active = True
    member.save()
    assert _bearer(secret).get("/api/me/").status_code == 401  # reactivating does not revive


def test_account_page_shows_expiry_and_creates_after_login(world: World) -> None:
    web = Client()
    web.post("/accounts/login/", {"login": "u-analyst", "password": PASSWORD})
    response = web.post(
        "/account/", {"name": "nightly", "access": "read", "days": "30"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    page = response.content.decode()
    token = ApiToken.objects.get(name="nightly")
    assert 'data-testid="token-secret"' in page
    assert token.expires_at is not None
    assert token.expires_at.strftime("%Y-%m-%d") in page
    assert "token-secret" not in web.get("/account/").content.decode()  # shown once


def test_account_page_refuses_a_lifetime_over_the_maximum(world: World, settings: Any) -> None:
    settings.VIGIE_TOKEN_MAX_DAYS = 10
    web = Client()
    web.post("/accounts/login/", {"login": "u-analyst", "password": PASSWORD})
    response = web.post("/account/", {"name": "long", "access": "read", "days": "11"})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()


def test_account_page_asks_for_the_password_again_when_stale(world: World, web: Any) -> None:
    client = web(world.users["analyst"])  # a session with no recorded password entry
    response = client.post("/account/", {"name": "x", "access": "read", "days": "5"})
    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]
    assert not ApiToken.objects.exists()
    # once the password is entered again, allauth replays the request: the token is shown once
    replayed = client.post(response["Location"], {"password": PASSWORD})
    assert replayed.status_code == 200
    assert 'data-testid="token-secret"' in replayed.content.decode()
    assert ApiToken.objects.get().name == "x"


def test_last_use_is_written_at_most_once_per_interval(world: World, settings: Any) -> None:
    settings.VIGIE_TOKEN_USE_INTERVAL = 300
    token, secret = tokens.issue(Actor(world.users["analyst"]), name="script")
    client = _bearer(secret)
    assert client.get("/api/me/").status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    assert client.get("/api/me/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(seconds=301))
    assert client.get("/api/me/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > first


@pytest.mark.django_db(transaction=True)
def test_token_requests_succeed_while_an_import_holds_the_write_lock() -> None:
    """Issue 15: under an import holding SQLite's write lock every token request was a 500."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's database-wide write lock")
    from vigie.testing import build_world

    world = build_world()
    _token, secret = tokens.issue(Actor(world.users["analyst"]), name="script")
    name = connection.settings_dict["NAME"]
    if connection.is_in_memory_db():
        name = connection.creation._get_test_db_name()  # type: ignore[attr-defined]
    importer = sqlite3.connect(name, uri=name.startswith("file:"), check_same_thread=False)
    try:
        importer.execute("BEGIN IMMEDIATE")
        importer.execute(
            "INSERT INTO core_keyrotation (new_key_id, started_at, progress, rewritten) "
            "VALUES ('import', '2026-01-01', '{}', 0)"
        )
        started = time.monotonic()
        responses = [_bearer(secret).get("/api/me/") for _ in range(3)]
        elapsed = time.monotonic() - started
    finally:
        importer.rollback()
        importer.close()
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert elapsed < 5, f"requests waited {elapsed:.1f}s for the lock"
