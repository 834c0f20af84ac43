"""Writes for organisations, users, roles and sharing. Checks permissions first.

API tokens: :mod:`vigie.core.tokens`; four-eyes role grants: :mod:`vigie.core.grants`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.core import access, grants
from vigie.core.actor import Actor, Viewer, person_of
from vigie.core.events import announce
from vigie.core.models import Membership, Organisation, OrganisationShare, PendingGrant, User
from vigie.core.roles import catalogue


def _require(actor: Viewer, perm: str, organisation_id: int | None = None) -> None:
    if isinstance(actor, Actor):
        actor.require(perm, organisation_id)
        return
    if not access.has_perm(actor, perm, organisation_id):
        raise PermissionDenied(_("You do not have the permission “%(perm)s”.") % {"perm": perm})


def create_organisation(
    actor: Viewer, *, code: str, name: str, kind: str = "other", country: str = ""
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


def update_organisation(actor: Viewer, org: Organisation, **changes: Any) -> Organisation:
    _require(actor, "system.orgs.manage")
    for key in ("name", "kind", "country", "is_active"):
        if key in changes:
            setattr(org, key, changes[key])
    org.full_clean()
    org.save()
    return org


def _check_roles(actor: Actor, roles: list[str]) -> None:
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
            actor.require("system.orgs.manage")


def _grant(
    actor: Actor, user: User, organisation: Organisation, roles: Iterable[str]
) -> list[PendingGrant]:
    """Give ``roles``: at once, or — for a role that sees identities, asked for by a person —
    as a request a second person approves (four-eyes, :mod:`vigie.core.grants`)."""
    pending = []
    for role in dict.fromkeys(roles):  # a role listed twice is held once
        if not actor.is_system and grants.needs_approval(role):
            pending.append(grants.request(actor, user=user, organisation=organisation, role=role))
        else:
            membership = Membership.objects.create(user=user, organisation=organisation, role=role)
            announce(
                "core.membership",
                [membership.pk],
                actor,
                action="created",
                organisation_id=organisation.pk,
            )
    return pending


@transaction.atomic
def create_user(
    actor: Actor,
    *,
    organisation: Organisation,
    username: str,
    password: str,
    roles: list[str],
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a user holding ``roles`` in ``organisation`` (an org admin, for their own org).

    Roles that see identities wait for a second administrator's approval.
    """
    actor.require("org.users.manage", organisation.pk)
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
    announce("core.user", [user.pk], actor, action="created", organisation_id=organisation.pk)
    _grant(actor, user, organisation, roles)
    return user


@transaction.atomic
def set_roles(
    actor: Actor, *, user: User, organisation: Organisation, roles: list[str]
) -> list[PendingGrant]:
    """Make ``roles`` the roles ``user`` holds in ``organisation``.

    Roles taken away go at once; roles added that see identities are returned as pending
    grants for a second administrator to approve; other roles are added at once.
    """
    actor.require("org.users.manage", organisation.pk)
    _check_roles(actor, roles)
    if (
        actor.user is not None
        and actor.user.pk == user.pk
        and "org_admin" not in roles
        and not actor.has_perm("system.orgs.manage")
    ):
        raise ValidationError(_("You cannot remove your own administrator role."))
    current = set(
        Membership.objects.filter(user=user, organisation=organisation).values_list(
            "role", flat=True
        )
    )
    removed = Membership.objects.filter(
        user=user, organisation=organisation, role__in=current - set(roles)
    )
    removed_ids = list(removed.values_list("pk", flat=True))
    for membership in removed:  # one delete each, so that the change log shows them
        membership.delete()
    if removed_ids:
        announce(
            "core.membership",
            removed_ids,
            actor,
            action="deleted",
            organisation_id=organisation.pk,
        )
    pending = _grant(actor, user, organisation, [r for r in roles if r not in current])
    access.forget(user)
    return pending


def set_active(actor: Actor, *, user: User, organisation: Organisation, active: bool) -> None:
    """Activate or deactivate an account; deactivating revokes its API tokens (ADR 0040)."""
    actor.require("org.users.manage", organisation.pk)
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        raise PermissionDenied(_("This user is not a member of your organisation."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    announce("core.user", [user.pk], actor, action="changed", organisation_id=organisation.pk)


def share_with(
    actor: Viewer,
    *,
    owner: Organisation,
    partner: Organisation,
    scope: str,
    include_identities: bool,
) -> OrganisationShare:
    _require(actor, "org.sharing.manage", owner.pk)
    if owner.pk == partner.pk:
        raise ValidationError(_("An organisation cannot share with itself."))
    share = OrganisationShare(
        owner=owner,
        partner=partner,
        scope=scope,
        include_identities=include_identities,
        created_by=person_of(actor),
    )
    share.full_clean()
    share.save()
    return share


def revoke_share(actor: Viewer, share: OrganisationShare) -> None:
    _require(actor, "org.sharing.manage", share.owner_id)
    share.revoked_at = timezone.now()
    share.save(update_fields=["revoked_at"])
