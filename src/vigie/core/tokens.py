"""API tokens: issue, scope, check, revoke (ADR 0040).

- Every token expires: ``VIGIE_TOKEN_DEFAULT_DAYS`` unless a date is asked for, never more
  than ``VIGIE_TOKEN_MAX_DAYS`` ahead.
- A token is read-only (safe HTTP methods) or read-write, and may carry a subset of its
  owner's permissions; both are enforced by the DRF permission layer and by the grants the
  token's requests see (:func:`vigie.core.access.restrict`).
- A token cannot list or create tokens: only a session whose password (or second factor) was
  entered in the last ``VIGIE_RECENT_LOGIN_SECONDS`` can create one (views check
  :func:`recently_authenticated`).
- Changing a password or deactivating an account revokes every token of the user, whoever
  does it and by whichever path (a ``User`` save signal).
- ``last_used_at`` is written at most once per ``VIGIE_TOKEN_USE_INTERVAL`` seconds, and
  never waits for a lock: a request is never failed (or slowed) for this bookkeeping.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.core import access
from vigie.core.actor import Actor
from vigie.core.errors import Forbidden, Invalid
from vigie.core.events import announce
from vigie.core.models import ApiToken, User
from vigie.core.roles import catalogue

log = logging.getLogger(__name__)

REVOKED_BY_USER = "user"
REVOKED_PASSWORD = "password_changed"  # noqa: S105 (a reason, not a password)
REVOKED_DEACTIVATED = "deactivated"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_expiry(expires_at: datetime | None) -> datetime:
    now = timezone.now()
    if expires_at is None:
        return now + timedelta(days=settings.VIGIE_TOKEN_DEFAULT_DAYS)
    if expires_at <= now:
        raise Invalid(
            _("A token's expiry date must be in the future."),
            code="token_expiry_past",
            detail={"field": "expires_at"},
        )
    limit = now + timedelta(days=settings.VIGIE_TOKEN_MAX_DAYS)
    if expires_at > limit:
        raise Invalid(
            _("A token may live at most %(days)d days.") % {"days": settings.VIGIE_TOKEN_MAX_DAYS},
            code="token_lifetime_too_long",
            detail={"field": "expires_at", "max_days": settings.VIGIE_TOKEN_MAX_DAYS},
        )
    return expires_at


def _check_permissions(user: User, permissions: Iterable[str]) -> list[str]:
    wanted = sorted(set(permissions))
    known = catalogue().permissions
    unknown = [p for p in wanted if p not in known]
    if unknown:
        raise Invalid(
            _("Unknown permission."), code="unknown_permission", detail={"permissions": unknown}
        )
    missing = [p for p in wanted if not access.has_perm(user, p)]
    if missing:
        raise Forbidden(
            _("A token can only carry permissions you hold."),
            code="token_permission_not_held",
            detail={"permissions": missing},
        )
    return wanted


@transaction.atomic
def issue(
    actor: Actor,
    *,
    name: str,
    expires_at: datetime | None = None,
    access: str = ApiToken.Access.WRITE,
    permissions: Iterable[str] = (),
) -> tuple[ApiToken, str]:
    """Create a token for the acting user; the secret is returned once and never stored.

    ``access`` defaults to write for code calling this directly; the API and the account page
    default to read-only.
    """
    user = actor.user
    if user is None:
        raise Invalid(_("Only a person can hold an API token."), code="token_needs_user")
    if access not in ApiToken.Access.values:
        raise Invalid(_("Unknown token access."), code="invalid", detail={"field": "access"})
    secret = "vg_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:10],
        digest=_digest(secret),
        expires_at=_check_expiry(expires_at),
        access=access,
        permissions=_check_permissions(user, permissions),
    )
    announce("core.apitoken", [token.pk], actor, action="created")
    return token, secret


def revoke(actor: Actor, token: ApiToken, reason: str = REVOKED_BY_USER) -> None:
    if not actor.is_system and (actor.user is None or token.user_id != actor.user.pk):
        raise Forbidden(_("This token is not yours."), code="token_not_yours")
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.revoked_reason = reason
    token.save(update_fields=["revoked_at", "revoked_reason"])
    announce("core.apitoken", [token.pk], actor, action="changed")


def revoke_all(user: User, reason: str) -> int:
    """Revoke every live token of ``user`` (one save each, so the change log shows them)."""
    live = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))
    actor = Actor.system(f"tokens revoked: {reason}")
    for token in live:
        revoke(actor, token, reason)
    return len(live)


def authenticate(secret: str) -> ApiToken | None:
    """The usable token with this secret (its user active), or ``None``."""
    token = ApiToken.objects.select_related("user").filter(digest=_digest(secret)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    if token.permissions:
        access.restrict(token.user, token.permissions)
    note_use(token)
    return token


def note_use(token: ApiToken) -> None:
    """Record that ``token`` was used, at most once per interval, never blocking on a lock."""
    now = timezone.now()
    interval = timedelta(seconds=settings.VIGIE_TOKEN_USE_INTERVAL)
    if token.last_used_at is not None and now - token.last_used_at < interval:
        return
    try:
        _update_without_waiting(token.pk, now)
    except DatabaseError as exc:
        # another writer (an import) holds the lock: the bookkeeping waits for the next use
        log.info("token %s: last use not recorded (%s)", token.prefix, exc.__class__.__name__)
        return
    token.last_used_at = now


def _update_without_waiting(pk: int, now: datetime) -> None:
    """One UPDATE that fails at once, rather than wait, when another writer holds the lock."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            previous = int(cursor.fetchone()[0])
            cursor.execute("PRAGMA busy_timeout = 0")
            try:
                ApiToken.objects.filter(pk=pk).update(last_used_at=now)
            finally:
                cursor.execute(f"PRAGMA busy_timeout = {previous}")
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '50ms'")
        ApiToken.objects.filter(pk=pk).update(last_used_at=now)


def recently_authenticated(request: Any) -> bool:
    """Did this session's user enter a password or a second factor in the last
    ``VIGIE_RECENT_LOGIN_SECONDS`` (allauth records each login and reauthentication)?"""
    from allauth.account.internal.flows.login import get_authentication_records

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return False
    records = get_authentication_records(request, user)
    if not records:
        return False
    return time.time() - float(records[-1].get("at", 0)) < settings.VIGIE_RECENT_LOGIN_SECONDS


def _remember_old_state(sender: type[User], instance: User, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if instance.pk is None or (
        update_fields is not None and not {"password", "is_active"} & set(update_fields)
    ):
        instance._vigie_old_state = None  # type: ignore[attr-defined]
        return
    instance._vigie_old_state = (  # type: ignore[attr-defined]
        User.objects.filter(pk=instance.pk).values_list("password", "is_active").first()
    )


def _revoke_on_change(sender: type[User], instance: User, created: bool, **kwargs: Any) -> None:
    old = getattr(instance, "_vigie_old_state", None)
    if created or old is None:
        return
    old_password, was_active = old
    # set_password() keeps the new raw password until the save ends; a hash upgrade at login
    # (Django's check_password) clears it first and saves only the password field, and is no
    # password change. A hash written directly and saved in full counts as one.
    password_set = getattr(instance, "_password", None) is not None
    rewritten = kwargs.get("update_fields") is None and old_password != instance.password
    if was_active and not instance.is_active:
        revoke_all(instance, REVOKED_DEACTIVATED)
    elif password_set or rewritten:
        revoke_all(instance, REVOKED_PASSWORD)


def connect() -> None:
    pre_save.connect(_remember_old_state, sender=User, dispatch_uid="vigie-token-old-state")
    post_save.connect(_revoke_on_change, sender=User, dispatch_uid="vigie-token-revoke")
