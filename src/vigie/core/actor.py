"""Who is acting: a typed actor passed to every service (ADR 0008).

An :class:`Actor` is either a user acting for one organisation (with the permissions their
roles give there, through :mod:`vigie.core.access`) or the system acting for a stated reason
(a scheduled job, a migration, ``--as-system`` on the command line). It is resolved once per
entry point — web view, API view, CLI command, background job — by the functions below, and
services take it instead of a bare user. ``None`` never means "the system" any more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from vigie.core import access
from vigie.core.errors import Forbidden, Invalid

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from vigie.core.models import Organisation, User

# Who a function acts or reads for (ADR 0324). One rule:
# - a function that writes takes ``actor: Actor``;
# - a function that reads takes ``user: Viewer``: a request's user (possibly anonymous, who
#   then sees nothing) or an actor; the system reads as ``Actor.system(reason)``, never None;
# - ``user: Reader`` (a person, no actor) only where the function is about that person: their
#   grants, their second factor, their own jobs;
# - a stored author ("created by") is ``User | None``, taken with :func:`person_of`.
# The aliases are strings so that importing this module loads no ORM (`vigie --help`).
Reader: TypeAlias = "User | AnonymousUser"
Viewer: TypeAlias = "Actor | User | AnonymousUser"


def _(text: str) -> str:
    """gettext, imported when a message is made: `vigie --help` loads this module and must
    not load Django's translation machinery (it pulls in the app registry)."""
    from django.utils.translation import gettext

    return gettext(text)


@dataclass(frozen=True)
class Actor:
    """A user acting for an organisation, or the system acting for a reason."""

    user: User | None
    organisation_id: int | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.user is None and not self.reason:
            raise ValueError("a system actor states its reason")

    @classmethod
    def system(cls, reason: str, organisation_id: int | None = None) -> Actor:
        """The system itself (jobs, maintenance, ``--as-system``); every check passes."""
        return cls(user=None, organisation_id=organisation_id, reason=reason)

    @property
    def is_system(self) -> bool:
        return self.user is None

    @property
    def username(self) -> str:
        return self.user.username if self.user is not None else "system"

    @property
    def label(self) -> str:
        """For logs and audit trails: ``alice`` or ``system (nightly rescreen)``."""
        return self.username if self.user is not None else f"system ({self.reason})"

    def has_perm(self, perm: str, organisation_id: int | None = None) -> bool:
        if self.user is None:
            return True
        return access.has_perm(self.user, perm, organisation_id)

    def require(self, perm: str, organisation_id: int | None = None) -> None:
        """Raise :class:`Forbidden` naming the permission unless the actor holds it."""
        if not self.has_perm(perm, organisation_id):
            raise Forbidden(
                _("You need the permission “%(perm)s” for this.") % {"perm": perm},
                code="permission_required",
                detail={"permission": perm},
            )

    def organisations_with(self, perm: str) -> frozenset[int] | None:
        """Organisation ids where the actor may ``perm``; ``None`` for every organisation."""
        if self.user is None:
            return access.ALL
        return access.organisations_with(self.user, perm)

    def with_organisation(self, organisation_id: int) -> Actor:
        return Actor(self.user, organisation_id, self.reason)


def person_of(who: Viewer) -> User | None:
    """The user record behind ``who`` (to store as "created by", "decided by"...): ``None``
    for the system or an anonymous visitor. A stored value, never an authority."""
    from vigie.core.models import User

    person = who.user if isinstance(who, Actor) else who
    return person if isinstance(person, User) else None


def as_actor(who: Viewer) -> Actor:
    """``who`` as an :class:`Actor` (a bare user acts for no particular organisation); an
    anonymous visitor is refused."""
    if isinstance(who, Actor):
        return who
    person = person_of(who)
    if person is None:
        raise Forbidden(_("Sign in."), code="not_authenticated")
    return Actor(user=person)


def acting_organisation(user: Viewer, perm: str, code: str | None = None) -> Organisation:
    """The one rule for "which organisation is this user acting for" at every entry point.

    - ``code`` given: that organisation, which must be active and where ``perm`` is held;
    - otherwise the single active organisation where the user holds ``perm``;
    - otherwise (none, or several) an :class:`Invalid` error saying to name one.
    """
    from vigie.core.models import Organisation

    if code:
        org = Organisation.objects.filter(code=code, is_active=True).first()
        if org is None:
            raise Invalid(
                _("No active organisation has the code “%(code)s”.") % {"code": code},
                code="unknown_organisation",
                detail={"organisation": code},
            )
        if not access.has_perm(user, perm, org.pk):
            raise Forbidden(
                _("You need the permission “%(perm)s” in %(org)s for this.")
                % {"perm": perm, "org": org.code},
                code="permission_required",
                detail={"permission": perm, "organisation": org.code},
            )
        return org
    orgs = access.organisations_with(user, perm)
    if orgs is access.ALL:
        candidates = list(Organisation.objects.filter(is_active=True)[:2])
    else:
        candidates = list(Organisation.objects.filter(pk__in=orgs, is_active=True)[:2])
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise Forbidden(
            _("You need the permission “%(perm)s” in an organisation for this.") % {"perm": perm},
            code="permission_required",
            detail={"permission": perm},
        )
    raise Invalid(
        _("You act for several organisations: name the one this is for."),
        code="organisation_required",
    )


def actor_for(user: Reader, perm: str, code: str | None = None) -> Actor:
    """Resolve a user and an optional organisation code into an :class:`Actor` for ``perm``."""
    org = acting_organisation(user, perm, code)
    return as_actor(user).with_organisation(org.pk)


def actor_of_request(request: Any, organisation_id: int | None = None) -> Actor:
    """The actor of an authenticated web or API request (DRF or Django)."""
    user = access.request_user(request)
    return Actor(user=user, organisation_id=organisation_id or access.home_organisation(user))
