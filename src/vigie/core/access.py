"""Every "may this user see or change this record" decision goes through these functions.

Rules:
- a role held in an organisation grants its permissions on that organisation's records;
- a role with system scope grants its permissions on every organisation's records;
- an organisation may share one kind of record (``OrganisationShare.scope``) with a partner:
  the partner's users then get the *read* permissions of that kind (``<scope>.view``) on the
  owner's records, and ``victim.identity.view`` only where the share includes identities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from vigie.core.roles import catalogue

if TYPE_CHECKING:  # `vigie --help` imports the actor, hence this module: no ORM at start-up
    from django.db.models import Model, QuerySet
    from typing_extensions import TypeIs

    from vigie.core.actor import Actor, Reader, Viewer
    from vigie.core.models import User

ALL = None  # "every organisation"
M = TypeVar("M", bound="Model")


@dataclass(frozen=True)
class Grants:
    """What a user may do, computed once per user object."""

    by_org: dict[int, frozenset[str]] = field(default_factory=dict)
    system: frozenset[str] = frozenset()
    shared: dict[str, frozenset[int]] = field(default_factory=dict)  # perm -> owner org ids


def _is_actor(who: Viewer) -> TypeIs[Actor]:
    """A read given an :class:`~vigie.core.actor.Actor` (the system, or a user acting for an
    organisation) asks the actor; a bare user is looked up here (ADR 0324)."""
    from vigie.core.actor import Actor

    return isinstance(who, Actor)


def grants(user: Reader) -> Grants:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Grants()
    cached: Grants | None = getattr(user, "_vigie_grants", None)
    if cached is not None:
        return cached
    from vigie.core.models import Membership, OrganisationShare

    cat = catalogue()
    by_org: dict[int, set[str]] = {}
    system: set[str] = set()
    for org_id, role_code in Membership.objects.filter(
        user=user, organisation__is_active=True
    ).values_list("organisation_id", "role"):
        role = cat.roles.get(role_code)
        if role is None:
            continue
        if role.scope == "system":
            system |= role.permissions
        by_org.setdefault(org_id, set()).update(role.permissions)
    shared: dict[str, set[int]] = {}
    shares = OrganisationShare.objects.filter(
        partner_id__in=list(by_org), revoked_at__isnull=True, owner__is_active=True
    ).values_list("owner_id", "partner_id", "scope", "include_identities")
    for owner_id, partner_id, scope, identities in shares:
        readable = {f"{scope}.view"}
        if identities and scope == "case":
            readable.add("victim.identity.view")
        for perm in readable & by_org.get(partner_id, set()):
            shared.setdefault(perm, set()).add(owner_id)
    result = Grants(
        {k: frozenset(v) for k, v in by_org.items()},
        frozenset(system),
        {k: frozenset(v) for k, v in shared.items()},
    )
    setattr(user, "_vigie_grants", result)  # noqa: B010 (not a model field)
    return result


def forget(user: Reader) -> None:
    """Drop cached grants after the user's memberships or shares change."""
    if hasattr(user, "_vigie_grants"):
        delattr(user, "_vigie_grants")


def restrict(user: Reader, permissions: Any) -> Grants:
    """Narrow ``user``'s grants, for the rest of this request, to ``permissions`` (an API token
    that carries a subset of its owner's permissions)."""
    keep = frozenset(permissions)
    g = grants(user)
    narrowed = Grants(
        {org: perms & keep for org, perms in g.by_org.items()},
        g.system & keep,
        {perm: orgs for perm, orgs in g.shared.items() if perm in keep},
    )
    setattr(user, "_vigie_grants", narrowed)  # noqa: B010 (not a model field)
    return narrowed


def has_perm(user: Viewer, perm: str, organisation_id: int | None = None) -> bool:
    """May ``user`` do ``perm``, in ``organisation_id`` if given, else anywhere?"""
    if _is_actor(user):
        return user.has_perm(perm, organisation_id)
    g = grants(user)
    if perm in g.system:
        return True
    if organisation_id is None:
        return any(perm in perms for perms in g.by_org.values())
    if perm in g.by_org.get(organisation_id, frozenset()):
        return True
    return organisation_id in g.shared.get(perm, frozenset())


def organisations_with(user: Viewer, perm: str) -> frozenset[int] | None:
    """Organisation ids whose records ``user`` may ``perm``; ``ALL`` (None) for every one."""
    if _is_actor(user):
        return user.organisations_with(perm)
    g = grants(user)
    if perm in g.system:
        return ALL
    own = {org for org, perms in g.by_org.items() if perm in perms}
    return frozenset(own | set(g.shared.get(perm, frozenset())))


def filter_visible(
    queryset: QuerySet[M], user: Viewer, perm: str, org_field: str = "organisation"
) -> QuerySet[M]:
    """Restrict ``queryset`` to the records ``user`` may ``perm``."""
    orgs = organisations_with(user, perm)
    if orgs is ALL:
        return queryset
    return queryset.filter(**{f"{org_field}_id__in": list(orgs)})


def can(user: Viewer, perm: str, record: Any, org_field: str = "organisation") -> bool:
    """May ``user`` do ``perm`` on ``record`` (which belongs to an organisation)?"""
    return has_perm(user, perm, getattr(record, f"{org_field}_id"))


def request_user(request: Any) -> User:
    """The logged-in user of a request (views reach here only when authenticated)."""
    from django.core.exceptions import PermissionDenied

    from vigie.core.models import User

    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def home_organisation(user: Viewer) -> int | None:
    """The organisation a user acts for by default (their first membership)."""
    if _is_actor(user):
        if user.organisation_id is not None or user.user is None:
            return user.organisation_id
        user = user.user
    g = grants(user)
    return min(g.by_org) if g.by_org else None
