"""Reads with permission checks: the register, the queue, the dashboard figures."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from vigie.core import access, audit
from vigie.core.actor import Actor
from vigie.core.errors import NotFound
from vigie.suppliers.models import Alert, Invitation, Party, Product, Supplier


def _restrict(qs: QuerySet[Any], actor: Actor, perm: str, field: str = "organisation") -> Any:
    """Records of the organisations where the actor holds ``perm`` (the system acting for
    one organisation: that one)."""
    orgs = actor.organisations_with(perm)
    if orgs is access.ALL:
        if actor.is_system and actor.organisation_id is not None:
            return qs.filter(**{f"{field}_id": actor.organisation_id})
        return qs
    return qs.filter(**{f"{field}_id__in": list(orgs)})


def visible_suppliers(actor: Actor) -> QuerySet[Supplier]:
    return _restrict(Supplier.objects.all(), actor, "suppliers.view")


def get_supplier_for(actor: Actor, pk: int, perm: str = "suppliers.view") -> Supplier:
    supplier = Supplier.objects.filter(pk=pk).first()
    if supplier is None or not actor.has_perm(perm, supplier.organisation_id):
        raise NotFound("No such supplier.", code="supplier_not_found")
    return supplier


def get_alert_for(actor: Actor, pk: int) -> Alert:
    alert = Alert.objects.select_related("supplier", "hit").filter(pk=pk).first()
    if alert is None or not actor.has_perm("suppliers.review", alert.organisation_id):
        raise NotFound("No such alert.", code="alert_not_found")
    return alert


def get_invitation_for(actor: Actor, pk: int, perm: str = "suppliers.view") -> Invitation:
    invitation = Invitation.objects.select_related("supplier").filter(pk=pk).first()
    if invitation is None or not actor.has_perm(perm, invitation.organisation_id):
        raise NotFound("No such questionnaire.", code="invitation_not_found")
    return invitation


def queue(actor: Actor, status: str = "open") -> QuerySet[Alert]:
    qs = _restrict(Alert.objects.select_related("supplier", "party"), actor, "suppliers.review")
    return qs if status == "all" else qs.filter(status=status)


def parties_shown(actor: Actor, supplier: Supplier) -> list[Party]:
    """The owners and directors of a supplier (identities: recorded in the access log), for
    a reviewer of its organisation only."""
    if not actor.has_perm("suppliers.review", supplier.organisation_id):
        return []
    parties = list(supplier.parties.all())
    if parties:
        audit.record_access(
            actor.user,
            "view",
            "suppliers.party",
            supplier.pk,
            ["name", "birth_date"],
            organisation_code=supplier.organisation.code,
        )
    return parties


def dashboard(actor: Actor, top: int = 25) -> dict[str, Any]:
    """Risk by supplier, product (good) and country; the waiting and the expired."""
    suppliers = visible_suppliers(actor)
    now = timezone.now()
    by_country = list(
        suppliers.exclude(country="")
        .values("country")
        .annotate(n=Count("id"), risk=Max("risk_score"))
        .order_by("-risk", "country")
    )
    by_good = list(
        _restrict(Product.objects.all(), actor, "suppliers.view", "supplier__organisation")
        .exclude(good="")
        .values("good")
        .annotate(n=Count("supplier", distinct=True), risk=Max("supplier__risk_score"))
        .order_by("-risk", "good")[:top]
    )
    invitations = _restrict(Invitation.objects.all(), actor, "suppliers.view")
    return {
        "top": list(suppliers.order_by("-risk_score", "reference")[:top]),
        "by_country": by_country,
        "by_good": by_good,
        "waiting": list(
            suppliers.filter(status=Supplier.Status.REVIEW).order_by("-risk_score")[:top]
        ),
        "waiting_count": suppliers.filter(status=Supplier.Status.REVIEW).count(),
        "open_alerts": queue(actor).count() if actor.has_perm("suppliers.review") else 0,
        "expired": list(
            invitations.filter(status=Invitation.Status.SENT, expires_at__lte=now)
            .select_related("supplier")
            .order_by("expires_at")[:top]
        ),
        "answered": list(
            invitations.filter(status=Invitation.Status.SUBMITTED)
            .select_related("supplier")
            .order_by("-submitted_at")[:top]
        ),
        "counts": suppliers.aggregate(
            total=Count("id"), blocked=Count("id", filter=Q(status=Supplier.Status.BLOCKED))
        ),
    }
