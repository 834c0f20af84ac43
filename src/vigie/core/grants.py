"""Four-eyes approval for roles that see identities (ADR 0041).

Granting a role that holds a permission matching ``VIGIE_FOUR_EYES_PERMISSIONS`` (default
``*.identity.*``: seeing or exporting victims' identities, and any identity permission added
later; and the permissions whose pages show other identity-classified values: account
numbers ``finance.view``/``finance.report``, designated persons ``dossier.view``, suppliers'
owners ``suppliers.view``, ADR 0059) does not create the membership: it stores a
:class:`PendingGrant`. A different authorised user — another administrator of that
organisation (``org.users.manage`` there) or a system administrator — approves or refuses
it. Nobody approves their own request, and nobody approves a grant to themselves. The system
actor (``vigie createadmin``, the demo loader) grants at once: it is the operator of the
installation, who has the database anyway.

Every request, approval, refusal and withdrawal is a change-log entry (django-auditlog) with
the person who did it, the organisation and the request id, and announces a change event.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from fnmatch import fnmatch

from auditlog.context import set_actor
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.core import access
from vigie.core.actor import Actor
from vigie.core.errors import Conflict, Forbidden
from vigie.core.events import announce
from vigie.core.models import Membership, Organisation, PendingGrant, User
from vigie.core.roles import catalogue

KIND = "core.pendinggrant"


def needs_approval(role: str) -> bool:
    """Does granting ``role`` need a second person?"""
    patterns = list(settings.VIGIE_FOUR_EYES_PERMISSIONS)
    perms = catalogue().role(role).permissions
    return any(fnmatch(p, pat) for p in perms for pat in patterns)


@contextmanager
def _as(actor: Actor) -> Iterator[None]:
    """Name the person in the change log whatever the entry point (web, API, CLI)."""
    if actor.user is None:
        yield
        return
    with set_actor(actor.user):
        yield


def request(actor: Actor, *, user: User, organisation: Organisation, role: str) -> PendingGrant:
    """Ask for ``role`` for ``user`` in ``organisation`` (the caller checked the right to ask).

    An identical request still waiting is returned rather than duplicated.
    """
    existing = PendingGrant.objects.filter(
        user=user, organisation=organisation, role=role, status=PendingGrant.Status.PENDING
    ).first()
    if existing is not None:
        return existing
    with _as(actor):
        grant = PendingGrant.objects.create(
            user=user, organisation=organisation, role=role, requested_by=actor.user
        )
    announce(KIND, [grant.pk], actor, action="created", organisation_id=organisation.pk)
    return grant


def _check_decider(actor: Actor, grant: PendingGrant) -> User:
    if actor.user is None:
        raise Forbidden(
            _("A role grant is approved by a person, not by the system."),
            code="grant_needs_person",
        )
    actor.require("org.users.manage", grant.organisation_id)
    if catalogue().role(grant.role).scope == "system":
        actor.require("system.orgs.manage")
    if grant.status != PendingGrant.Status.PENDING:
        raise Conflict(
            _("This role grant has already been decided."),
            code="grant_not_pending",
            detail={"status": grant.status},
        )
    return actor.user


@transaction.atomic
def approve(actor: Actor, grant: PendingGrant) -> Membership:
    """A second person approves: the membership is created."""
    grant = PendingGrant.objects.select_for_update().get(pk=grant.pk)
    decider = _check_decider(actor, grant)
    if grant.requested_by_id == decider.pk:
        raise Forbidden(
            _("Another administrator must approve a role grant you asked for."),
            code="grant_own_request",
        )
    if grant.user_id == decider.pk:
        raise Forbidden(
            _("Another administrator must approve a role granted to you."),
            code="grant_to_self",
        )
    with _as(actor):
        grant.status = PendingGrant.Status.APPROVED
        grant.decided_by = decider
        grant.decided_at = timezone.now()
        grant.save(update_fields=["status", "decided_by", "decided_at"])
        membership, _created = Membership.objects.get_or_create(
            user_id=grant.user_id, organisation_id=grant.organisation_id, role=grant.role
        )
    announce(KIND, [grant.pk], actor, action="changed", organisation_id=grant.organisation_id)
    announce(
        "core.membership",
        [membership.pk],
        actor,
        action="created",
        organisation_id=grant.organisation_id,
    )
    access.forget(grant.user)
    return membership


@transaction.atomic
def refuse(actor: Actor, grant: PendingGrant) -> PendingGrant:
    """An authorised person refuses (the requester withdraws: :func:`withdraw`)."""
    grant = PendingGrant.objects.select_for_update().get(pk=grant.pk)
    decider = _check_decider(actor, grant)
    status = (
        PendingGrant.Status.WITHDRAWN
        if grant.requested_by_id == decider.pk
        else PendingGrant.Status.REFUSED
    )
    with _as(actor):
        grant.status = status
        grant.decided_by = decider
        grant.decided_at = timezone.now()
        grant.save(update_fields=["status", "decided_by", "decided_at"])
    announce(KIND, [grant.pk], actor, action="changed", organisation_id=grant.organisation_id)
    return grant
