"""Writes of the finance app: imports, rule runs, triage of alerts (one writer each)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.core import audit
from vigie.core.actor import Actor
from vigie.core.errors import Conflict, Invalid
from vigie.core.events import announce
from vigie.core.models import User
from vigie.finance import engine, importer
from vigie.finance.mapping import Mapping
from vigie.finance.models import Alert

#: Allowed moves between alert states (any open state may be decided).
TRANSITIONS: dict[str, set[str]] = {
    Alert.Status.OPEN: {Alert.Status.ASSIGNED, Alert.Status.FALSE_POSITIVE, Alert.Status.ESCALATED},
    Alert.Status.ASSIGNED: {
        Alert.Status.OPEN,
        Alert.Status.FALSE_POSITIVE,
        Alert.Status.ESCALATED,
    },
    Alert.Status.ESCALATED: {Alert.Status.REPORTED, Alert.Status.FALSE_POSITIVE},
    Alert.Status.FALSE_POSITIVE: set(),
    Alert.Status.REPORTED: set(),
}


def import_transactions(
    actor: Actor,
    organisation: Any,
    path: Path,
    mapping: Mapping,
    *,
    partial: bool = False,
    name: str | None = None,
    progress: importer.Progress | None = None,
) -> importer.ImportResult:
    return importer.import_file(
        actor, organisation, path, mapping, partial=partial, name=name, progress=progress
    )


def run_rules(actor: Actor, organisation: Any, only: list[str] | None = None) -> engine.RunResult:
    return engine.run(actor, organisation, only)


def assign_alert(actor: Actor, alert: Alert, assignee: User | None) -> Alert:
    actor.require("finance.view", alert.organisation_id)
    if alert.status in Alert.CLOSED:
        raise Conflict(_("This alert is already decided."), code="alert_decided")
    if assignee is not None:
        from vigie.core import access

        if not access.has_perm(assignee, "finance.view", alert.organisation_id):
            raise Invalid(
                _("%(user)s cannot analyse this organisation's transactions.")
                % {"user": assignee.username},
                code="assignee_not_allowed",
            )
    with transaction.atomic():
        alert.assignee = assignee
        alert.status = Alert.Status.ASSIGNED if assignee else Alert.Status.OPEN
        alert.save(update_fields=["assignee", "status"])
        announce("finance.alert", [alert.pk], actor, organisation_id=alert.organisation_id)
    return alert


def decide_alert(actor: Actor, alert: Alert, status: str, note: str = "") -> Alert:
    """Move an alert to ``status`` (false positive, escalated, reported) with a note."""
    perm = "finance.report" if status == Alert.Status.REPORTED else "finance.view"
    actor.require(perm, alert.organisation_id)
    if status not in TRANSITIONS.get(alert.status, set()):
        raise Conflict(
            _("An alert that is %(now)s cannot become %(new)s.")
            % {"now": alert.get_status_display(), "new": status},
            code="alert_transition",
            detail={"from": alert.status, "to": status},
        )
    if status == Alert.Status.FALSE_POSITIVE and not note.strip():
        raise Invalid(_("Say why this is a false positive."), code="note_required")
    with transaction.atomic():
        alert.status = status
        if note.strip():
            stamp = f"[{timezone.now():%Y-%m-%d %H:%M} {actor.label}] "
            alert.notes = ((alert.notes or "") + "\n" + stamp + note.strip()).strip()
        if status in Alert.CLOSED or status == Alert.Status.ESCALATED:
            alert.decided_at, alert.decided_by = timezone.now(), actor.user
        alert.save(update_fields=["status", "notes", "decided_at", "decided_by"])
        announce("finance.alert", [alert.pk], actor, organisation_id=alert.organisation_id)
    return alert


def record_report(actor: Actor, alert: Alert, report_kind: str, size: int) -> None:
    """A generated report contains the account number: its export is in the access log."""
    audit.record_access(
        actor,
        "export",
        "finance.alert",
        str(alert.pk),
        fields=["account.number"],
        organisation_code=alert.organisation.code,
        detail={"report": report_kind, "bytes": size, "rule": alert.rule},
    )


def rule_precision(actor: Actor, organisation: Any) -> list[dict[str, Any]]:
    """Backtesting: per rule, the analysts' dispositions and the share that held up
    (escalated or reported over everything decided)."""
    from django.db.models import Count, Q

    actor.require("finance.view", organisation.pk)
    rows = (
        Alert.objects.filter(organisation=organisation)
        .values("rule")
        .annotate(
            alerts=Count("pk"),
            false_positive=Count("pk", filter=Q(status=Alert.Status.FALSE_POSITIVE)),
            escalated=Count("pk", filter=Q(status=Alert.Status.ESCALATED)),
            reported=Count("pk", filter=Q(status=Alert.Status.REPORTED)),
        )
        .order_by("rule")
    )
    out = []
    for row in rows:
        held = row["escalated"] + row["reported"]
        decided = held + row["false_positive"]
        out.append({**row, "precision": round(held / decided, 3) if decided else None})
    return out
