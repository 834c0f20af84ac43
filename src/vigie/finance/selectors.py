"""Reads of the finance app, restricted to what the actor may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vigie.core.actor import Actor
from vigie.core.errors import NotFound
from vigie.finance.models import Alert, TransactionFile


def _orgs(actor: Actor) -> frozenset[int] | None:
    return actor.organisations_with("finance.view")


def visible_alerts(actor: Actor, **filters: Any) -> QuerySet[Alert]:
    qs = Alert.objects.select_related("account", "organisation", "assignee")
    orgs = _orgs(actor)
    if orgs is not None:
        qs = qs.filter(organisation_id__in=orgs)
    clean = {k: v for k, v in filters.items() if v not in (None, "")}
    return qs.filter(**clean)


def get_alert_for(actor: Actor, pk: Any) -> Alert:
    alert = visible_alerts(actor).filter(pk=pk).first()
    if alert is None:
        raise NotFound("No such alert.", code="alert_not_found")
    return alert


def visible_files(actor: Actor) -> QuerySet[TransactionFile]:
    qs = TransactionFile.objects.select_related("organisation", "imported_by")
    orgs = _orgs(actor)
    return qs if orgs is None else qs.filter(organisation_id__in=orgs)


def flagged_accounts(
    actor: Actor, organisation: Any, *, status: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Each flagged account of ``organisation``: score, rules, alert ids (highest first)."""
    alerts = visible_alerts(actor, organisation=organisation, status=status)
    by_account: dict[int, dict[str, Any]] = {}
    for alert in alerts.order_by("account_id", "rule"):
        row = by_account.setdefault(
            alert.account_id,
            {"account": alert.account_id, "score": alert.account.score, "rules": [], "alerts": []},
        )
        row["rules"].append(alert.rule)
        row["alerts"].append(str(alert.pk))
    ranked = sorted(by_account.values(), key=lambda r: -(r["score"] or 0))
    return ranked[:limit]
