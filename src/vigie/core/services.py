"""Writes for organisations, users, roles, sharing and API tokens. Checks permissions first."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.core import access
from vigie.core.actor import Actor
from vigie.core.models import ApiToken, Membership, Organisation, OrganisationShare, User
from vigie.core.roles import catalogue


def _require(actor: Any, perm: str, organisation_id: int | None = None) -> None:
    """``actor`` is an :class:`Actor` (raises Forbidden naming the permission), or, from the
    callers written before ADR 0008, a user (None for the system)."""
    if isinstance(actor, Actor):
        actor.require(perm, organisation_id)
        return
    if actor is not None and not access.has_perm(actor, perm, organisation_id):
        raise PermissionDenied(_("You do not have the permission “%(perm)s”.") % {"perm": perm})


def create_organisation(
    actor: Any, *, code: str, name: str, kind: str = "other", country: str = ""
) -> Organisation:
    _require(actor, "system.orgs.manage")
    if Organisation.objects.filter(code=code).exists():
        raise ValidationError(
            {"code": _("An organisation with code %(code)s exists.") % {"code": code}}
        )
    org = Organisation(code=code, name=name, kind=kind, country=country.upper())
    org.full_clean()
    org.save()
    return org


def update_organisation(actor: Any, org: Organisation, **changes: Any) -> Organisation:
    _require(actor, "system.orgs.manage")
    for key in ("name", "kind", "country", "is_active"):
        if key in changes:
            setattr(org, key, changes[key])
    org.full_clean()
    org.save()
    return org


def _user_of(actor: Any) -> Any:
    return actor.user if isinstance(actor, Actor) else actor


def _check_roles(actor: Any, roles: list[str]) -> None:
    cat = catalogue()
    for role in roles:
        if role not in cat.roles:
            raise ValidationError(
                {
                    "roles": _("Unknown role %(role)s; known roles: %(known)s.")
                    % {"role": role, "known": ", ".join(cat.roles)}
                }
            )
        if cat.role(role).scope == "system":
            _require(actor, "system.orgs.manage")


@transaction.atomic
def create_user(
    actor: Any,
    *,
    organisation: Organisation,
    username: str,
    password: str,
    roles: list[str],
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a user holding ``roles`` in ``organisation`` (an org admin, for their own org)."""
    _require(actor, "org.users.manage", organisation.pk)
    _check_roles(actor, roles)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    for role in dict.fromkeys(roles):  # a role listed twice is held once
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@transaction.atomic
def set_roles(actor: Any, *, user: User, organisation: Organisation, roles: list[str]) -> None:
    """Replace the roles ``user`` holds in ``organisation``."""
    _require(actor, "org.users.manage", organisation.pk)
    _check_roles(actor, roles)
    acting_user = _user_of(actor)
    if (
        acting_user is not None
        and acting_user.pk == user.pk
        and "org_admin" not in roles
        and not access.has_perm(acting_user, "system.orgs.manage")
    ):
        raise ValidationError(_("You cannot remove your own administrator role."))
    current = set(
        Membership.objects.filter(user=user, organisation=organisation).values_list(
            "role", flat=True
        )
    )
    for role in current - set(roles):
        Membership.objects.get(user=user, organisation=organisation, role=role).delete()
    for role in set(roles) - current:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    access.forget(user)


def set_active(actor: Any, *, user: User, organisation: Organisation, active: bool) -> None:
    _require(actor, "org.users.manage", organisation.pk)
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        raise PermissionDenied(_("This user is not a member of your organisation."))
    user.is_active = active
    user.save(update_fields=["is_active"])


def share_with(
    actor: Any, *, owner: Organisation, partner: Organisation, scope: str, include_identities: bool
) -> OrganisationShare:
    _require(actor, "org.sharing.manage", owner.pk)
    if owner.pk == partner.pk:
        raise ValidationError(_("An organisation cannot share with itself."))
    share = OrganisationShare(
        owner=owner,
        partner=partner,
        scope=scope,
        include_identities=include_identities,
        created_by=actor,
    )
    share.full_clean()
    share.save()
    return share


def revoke_share(actor: Any, share: OrganisationShare) -> None:
    _require(actor, "org.sharing.manage", share.owner_id)
    share.revoked_at = timezone.now()
    share.save(update_fields=["revoked_at"])


def issue_token(
    user: User, *, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create an API token; the secret is returned once and never stored."""
    secret = "vg_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:10],
        digest=hashlib.sha256(secret.encode()).hexdigest(),
        expires_at=expires_at,
    )
    return token, secret


def revoke_token(user: User, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise PermissionDenied(_("This token is not yours."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
