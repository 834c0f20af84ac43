"""Two-factor authentication required by role (ADR 0042).

A role requires it when it holds a permission matching ``VIGIE_MFA_REQUIRED_PERMISSIONS``
(default: seeing or exporting identities, sealing evidence, every ``system.*`` permission,
managing an organisation's users, designation dossiers and financial intelligence) or is
named in ``VIGIE_MFA_REQUIRED_ROLES``. A user who holds such a role in an active
organisation and has no TOTP or WebAuthn authenticator enrolled with allauth is:

- on the web, sent to the enrolment page after login and on every page until enrolled
  (account, logout, language and static pages stay reachable);
- on the API, refused with a 403 problem document, code ``mfa_enrolment_required``,
  whether the request carries a session or a token.

``VIGIE_MFA_ENFORCED=0`` turns the policy off; ``vigie demo`` does so for its synthetic
demonstration users and every page then shows a banner saying so.
"""

from __future__ import annotations

from collections.abc import Callable
from fnmatch import fnmatch
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from vigie.core.actor import Reader
from vigie.core.errors import Forbidden
from vigie.core.roles import catalogue

CODE = "mfa_enrolment_required"
# pages a user who must enrol can still reach: enrolment itself, logout, password, language
_OPEN_PREFIXES = ("/accounts/", "/i18n/", "/jsi18n/", "/static/", "/api/")


def enforced() -> bool:
    return bool(getattr(settings, "VIGIE_MFA_ENFORCED", True))


def required_roles() -> frozenset[str]:
    """The role codes whose holders must use two-factor authentication."""
    patterns = list(getattr(settings, "VIGIE_MFA_REQUIRED_PERMISSIONS", []))
    named = set(getattr(settings, "VIGIE_MFA_REQUIRED_ROLES", []))
    return frozenset(
        code
        for code, role in catalogue().roles.items()
        if code in named or any(fnmatch(p, pat) for p in role.permissions for pat in patterns)
    )


def requires_mfa(user: Reader) -> bool:
    """Does ``user`` hold, in an active organisation, a role that requires 2FA?"""
    if not enforced() or user is None or not getattr(user, "is_authenticated", False):
        return False
    cached: bool | None = getattr(user, "_vigie_mfa_required", None)
    if cached is None:
        from vigie.core.models import Membership

        cached = Membership.objects.filter(
            user=user.pk, organisation__is_active=True, role__in=required_roles()
        ).exists()
        setattr(user, "_vigie_mfa_required", cached)  # noqa: B010 (not a model field)
    return cached


def is_enrolled(user: Reader) -> bool:
    """Has ``user`` an authenticator app (TOTP) or a security key (WebAuthn)?"""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def must_enrol(user: Reader) -> bool:
    return requires_mfa(user) and not is_enrolled(user)


def check_api(user: Reader) -> None:
    """Raise the 403 problem for an API request of a user who must enrol first."""
    if must_enrol(user):
        raise Forbidden(
            _(
                "Your role requires two-factor authentication: enrol an authenticator app "
                "under My account before using the API."
            ),
            code=CODE,
            detail={"enrol": reverse("mfa_activate_totp")},
        )


class MfaPolicyMiddleware:
    """Send a logged-in user who must enrol to the enrolment page (the API answers 403)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and must_enrol(user)
        ):
            messages.warning(
                request,
                _(
                    "Your role requires two-factor authentication. Enrol an authenticator "
                    "app to continue."
                ),
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def context(request: HttpRequest) -> dict[str, Any]:
    """``mfa_policy_off``: the banner every page shows while the policy is off."""
    return {"mfa_policy_off": not enforced()}
