"""Reads with permission checks: the register, the queue, the dashboard figures."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.core import access, audit
from vigie.core.actor import Actor
from vigie.core.errors import NotFound
from vigie.core.models import Organisation
from vigie.suppliers.models import (
    Alert,
    DashboardEpoch,
    Invitation,
    Party,
    Product,
    Supplier,
)


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
        raise NotFound(_("No such supplier."), code="supplier_not_found")
    return supplier


def get_alert_for(actor: Actor, pk: int) -> Alert:
    alert = Alert.objects.select_related("supplier", "hit").filter(pk=pk).first()
    if alert is None or not actor.has_perm("suppliers.review", alert.organisation_id):
        raise NotFound(_("No such alert."), code="alert_not_found")
    return alert


def get_invitation_for(actor: Actor, pk: int, perm: str = "suppliers.view") -> Invitation:
    invitation = Invitation.objects.select_related("supplier").filter(pk=pk).first()
    if invitation is None or not actor.has_perm(perm, invitation.organisation_id):
        raise NotFound(_("No such questionnaire."), code="invitation_not_found")
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
            actor,
            "view",
            "suppliers.party",
            supplier.pk,
            ["name", "birth_date"],
            organisation_code=supplier.organisation.code,
        )
    return parties


def _org_ids(actor: Actor, perm: str) -> list[int]:
    orgs = actor.organisations_with(perm)
    if orgs is access.ALL:
        if actor.is_system and actor.organisation_id is not None:
            return [actor.organisation_id]
        return list(Organisation.objects.values_list("pk", flat=True))
    return sorted(orgs)


def _aggregates(actor: Actor, top: int) -> dict[str, Any]:
    """Risk by country and by good, counts: cached under the organisations' epochs (one
    small query per request; recomputed after any change of their suppliers' records)."""
    orgs = _org_ids(actor, "suppliers.view")
    epochs = dict(
        DashboardEpoch.objects.filter(organisation_id__in=orgs).values_list(
            "organisation_id", "epoch"
        )
    )
    key = "suppliers-dashboard:" + ",".join(f"{o}.{epochs.get(o, 0)}" for o in orgs) + f":{top}"
    found = cache.get(key)
    if found is not None:
        return dict(found)
    suppliers = Supplier.objects.filter(organisation_id__in=orgs)
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
    out = {
        "by_country": by_country,
        "by_good": by_good,
        "waiting_count": suppliers.filter(status=Supplier.Status.REVIEW).count(),
        "counts": suppliers.aggregate(
            total=Count("id"), blocked=Count("id", filter=Q(status=Supplier.Status.BLOCKED))
        ),
    }
    cache.set(key, out, 3600)
    return out


def dashboard(actor: Actor, top: int = 25) -> dict[str, Any]:
    """Risk by supplier, product (good) and country; the waiting and the expired."""
    suppliers = visible_suppliers(actor)
    now = timezone.now()
    invitations = _restrict(Invitation.objects.all(), actor, "suppliers.view")
    return {
        **_aggregates(actor, top),
        "top": list(suppliers.order_by("-risk_score", "reference")[:top]),
        "waiting": list(
            suppliers.filter(status=Supplier.Status.REVIEW).order_by("-risk_score")[:top]
        ),
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
    }
