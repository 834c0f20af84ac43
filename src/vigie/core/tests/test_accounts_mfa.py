"""Two-factor authentication required by role (issue 15, ADR 0042)."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from rest_framework.test import APIClient

from vigie.core import mfa, tokens
from vigie.core.actor import Actor
from vigie.core.models import Membership, User
from vigie.settings import base
from vigie.testing import World

PASSWORD = "correct-horse-battery"


@pytest.fixture
def enforced(settings: Any) -> Any:
    settings.VIGIE_MFA_ENFORCED = True
    settings.VIGIE_MFA_REQUIRED_PERMISSIONS = base.VIGIE_MFA_REQUIRED_PERMISSIONS
    settings.VIGIE_MFA_REQUIRED_ROLES = base.VIGIE_MFA_REQUIRED_ROLES
    return settings


def _enrol(user: User) -> None:
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})


def _login(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"login": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_default_policy_covers_roles_that_see_identities_or_administer(enforced: Any) -> None:
    assert base.VIGIE_MFA_ENFORCED  # on by default outside the test settings
    assert mfa.required_roles() == {
        "field_officer",
        "case_manager",
        "investigator",
        "org_admin",
        "system_admin",
        "financial_analyst",  # account holders, suspicious-transaction reports
        "panel_expert",  # designation dossiers name suspects for a sanctions committee
        "sanctions_analyst",
        "procurement_officer",  # suppliers' owners' names and birth dates (ADR 0059)
    }


def test_a_role_can_be_added_by_name(enforced: Any) -> None:
    enforced.VIGIE_MFA_REQUIRED_ROLES = ["analyst"]
    assert "analyst" in mfa.required_roles()


def test_web_user_is_sent_to_enrol_after_login(world: World, enforced: Any) -> None:
    client = _login("u-case_manager")
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    # the enrolment page opens without asking for the password just entered
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    assert client.get("/accounts/2fa/").status_code == 200


def test_enrolling_through_allauth_opens_the_pages(world: World, enforced: Any) -> None:
    from allauth.mfa.totp.internal.auth import (
        SECRET_SESSION_KEY,
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    client = _login("u-case_manager")
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    counters = list(yield_hotp_counters_from_time())
    code = format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))  # now
    response = client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302, response.content
    assert mfa.is_enrolled(world.users["case_manager"])
    assert client.get("/").status_code == 200


def test_user_without_such_role_is_not_asked(world: World, enforced: Any) -> None:
    assert _login("u-analyst").get("/").status_code == 200


def test_api_refuses_with_a_problem_until_enrolled(world: World, enforced: Any) -> None:
    user = world.users["case_manager"]
    _token, secret = tokens.issue(Actor(user), name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.get("/api/me/")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "mfa_enrolment_required"
    session = APIClient()
    session.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert session.get("/api/me/").json()["code"] == "mfa_enrolment_required"
    _enrol(user)
    assert client.get("/api/me/").status_code == 200
    assert session.get("/api/me/").status_code == 200


def test_enrolled_user_reaches_pages(world: World, enforced: Any, web: Any) -> None:
    user = world.users["org_admin"]
    _enrol(user)
    assert web(user).get("/admin/users/").status_code == 200


def test_role_in_an_inactive_organisation_does_not_count(world: World, enforced: Any) -> None:
    user = User.objects.create(username="former")
    Membership.objects.create(user=user, organisation=world.other, role="case_manager")
    world.other.is_active = False
    world.other.save()
    assert not mfa.requires_mfa(user)


def test_policy_off_shows_a_banner(world: World, web: Any, settings: Any) -> None:
    settings.VIGIE_MFA_ENFORCED = False
    page = web(world.users["case_manager"]).get("/")
    assert page.status_code == 200
    assert 'data-testid="mfa-policy-off"' in page.content.decode()


def test_banner_is_absent_when_enforced(world: World, enforced: Any, web: Any) -> None:
    user = world.users["case_manager"]
    _enrol(user)
    page = web(user).get("/")
    assert 'data-testid="mfa-policy-off"' not in page.content.decode()
