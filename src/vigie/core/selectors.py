"""Reads that depend on who asks. Views, API and CLI read through these."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from vigie.core import access
from vigie.core.actor import Viewer
from vigie.core.models import (
    AccessLogEntry,
    Membership,
    Organisation,
    OrganisationShare,
    PendingGrant,
    User,
)


def visible_organisations(user: Viewer) -> QuerySet[Organisation]:
    """Every organisation's name and code is known to every user (needed to share and refer)."""
    qs = Organisation.objects.all()
    if not access.has_perm(user, "system.orgs.manage"):
        qs = qs.filter(is_active=True)
    return qs


def administered_organisations(user: Viewer) -> QuerySet[Organisation]:
    orgs = access.organisations_with(user, "org.users.manage")
    qs = Organisation.objects.all()
    return qs if orgs is access.ALL else qs.filter(pk__in=list(orgs))


def get_administered_organisation(user: Viewer, code: str) -> Organisation:
    org = administered_organisations(user).filter(code=code).first()
    if org is None:
        raise PermissionDenied(f"you do not administer an organisation with code {code!r}")
    return org


def members_of(user: Viewer, organisation: Organisation) -> QuerySet[User]:
    if not access.has_perm(user, "org.users.manage", organisation.pk):
        raise PermissionDenied("you do not administer this organisation")
    # a new user whose only roles wait for approval is listed too, with those roles pending
    waiting = Q(
        pending_grants__organisation=organisation,
        pending_grants__status=PendingGrant.Status.PENDING,
    )
    return (
        User.objects.filter(Q(memberships__organisation=organisation) | waiting)
        .distinct()
        .prefetch_related("memberships", "pending_grants")
        .order_by("username")
    )


def roles_in(user: User, organisation: Organisation) -> list[str]:
    return list(
        Membership.objects.filter(user=user, organisation=organisation).values_list(
            "role", flat=True
        )
    )


def visible_grants(
    user: Viewer, status: str = PendingGrant.Status.PENDING
) -> QuerySet[PendingGrant]:
    """Role grants of the organisations ``user`` administers (``status="all"`` for every one)."""
    qs = access.filter_visible(PendingGrant.objects.all(), user, "org.users.manage")
    if status != "all":
        qs = qs.filter(status=status)
    return qs.select_related("organisation", "user", "requested_by", "decided_by")


def shares_of(user: Viewer, organisation: Organisation) -> QuerySet[OrganisationShare]:
    if not access.has_perm(user, "org.sharing.manage", organisation.pk):
        raise PermissionDenied("you do not manage this organisation's sharing")
    return OrganisationShare.objects.filter(owner=organisation).select_related("partner")


def _audited_codes(user: Viewer) -> list[str] | None:
    orgs = access.organisations_with(user, "audit.view")
    if orgs is access.ALL:
        return None
    return list(Organisation.objects.filter(pk__in=list(orgs)).values_list("code", flat=True))


def visible_changes(user: Viewer, **filters: str) -> QuerySet[LogEntry]:
    """Create/update/delete entries of the organisations ``user`` audits."""
    qs = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    codes = _audited_codes(user)
    if codes is not None:
        qs = qs.filter(additional_data__organisation__in=codes)
    if filters.get("actor"):
        qs = qs.filter(actor__username=filters["actor"])
    if filters.get("model"):
        qs = qs.filter(content_type__model=filters["model"].lower())
    if filters.get("action") in {"0", "1", "2"}:
        qs = qs.filter(action=int(filters["action"]))
    if filters.get("request_id"):
        qs = qs.filter(cid=filters["request_id"])
    return qs


def visible_access_log(user: Viewer, **filters: str) -> QuerySet[AccessLogEntry]:
    """Reads and exports of identifying data in the organisations ``user`` audits."""
    qs = AccessLogEntry.objects.all()
    codes = _audited_codes(user)
    if codes is not None:
        qs = qs.filter(organisation_code__in=codes)
    for key in ("actor_username", "action", "object_type", "object_id", "request_id"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    return qs
