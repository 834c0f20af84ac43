"""The caseload: per organisation and per worker, overdue follow-ups, referrals waiting for
an answer and turnaround times. A fixed number of queries whatever the volume (each an
index range or one grouped aggregate), so the page stays fast at 100,000 referrals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from vigie.identification.models import PlanItem, Referral
from vigie.identification.referrals import OPEN, WAITING

TURNAROUND_DAYS = 90  # turnaround over the referrals sent in the last 90 days
LIST_SIZE = 20


@dataclass
class Caseload:
    organisation_id: int
    received_waiting: int = 0
    received_overdue: int = 0
    sent_waiting: int = 0
    sent_overdue: int = 0
    answer_hours: float | None = None  # mean time from sending to accepting or declining
    delivery_hours: float | None = None  # mean time from sending to service delivered
    follow_ups_overdue: int = 0
    workers: list[dict[str, Any]] = field(default_factory=list)
    overdue_referrals: list[Referral] = field(default_factory=list)


def _hours(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return round(value.total_seconds() / 3600, 1)
    return round(float(value) / 3_600_000_000, 1)  # microseconds (SQLite)


def caseload(organisation_id: int, now: dt.datetime | None = None) -> Caseload:
    now = now or timezone.now()
    today = timezone.localdate()
    out = Caseload(organisation_id)
    received = Referral.objects.filter(receiving_organisation_id=organisation_id)
    sent = Referral.objects.filter(organisation_id=organisation_id)
    r = received.filter(state__in=WAITING).aggregate(
        waiting=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now))
    )
    s = sent.filter(state__in=WAITING).aggregate(
        waiting=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now))
    )
    out.received_waiting, out.received_overdue = r["waiting"], r["overdue"]
    out.sent_waiting, out.sent_overdue = s["waiting"], s["overdue"]
    since = now - dt.timedelta(days=TURNAROUND_DAYS)
    duration: DurationField[Any, Any] = DurationField()
    t = sent.filter(sent_at__gte=since).aggregate(
        answer=Avg(ExpressionWrapper(F("answered_at") - F("sent_at"), output_field=duration)),
        delivery=Avg(ExpressionWrapper(F("delivered_at") - F("sent_at"), output_field=duration)),
    )
    out.answer_hours, out.delivery_hours = _hours(t["answer"]), _hours(t["delivery"])
    follow = PlanItem.objects.filter(
        organisation_id=organisation_id,
        status__in=[PlanItem.Status.PLANNED, PlanItem.Status.IN_PROGRESS],
        follow_up_date__lt=today,
    )
    workers: dict[str, dict[str, Any]] = {}
    for row in follow.values("assigned_to__username").annotate(n=Count("id")):
        name = row["assigned_to__username"] or "—"
        workers.setdefault(
            name, {"worker": name, "follow_ups_overdue": 0, "waiting": 0, "overdue": 0}
        )
        workers[name]["follow_ups_overdue"] = row["n"]
        out.follow_ups_overdue += row["n"]
    by_sender = (
        sent.filter(state__in=OPEN)
        .values("sent_by__username")
        .annotate(
            waiting=Count("id", filter=Q(state__in=WAITING)),
            overdue=Count("id", filter=Q(due_at__lt=now)),
        )
    )
    for row in by_sender:
        name = row["sent_by__username"] or "—"
        w = workers.setdefault(
            name, {"worker": name, "follow_ups_overdue": 0, "waiting": 0, "overdue": 0}
        )
        w["waiting"], w["overdue"] = row["waiting"], row["overdue"]
    out.workers = sorted(
        workers.values(), key=lambda w: (-w["overdue"], -w["follow_ups_overdue"], w["worker"])
    )
    # two index ranges (receiver, sender) rather than one OR that would scan
    late = []
    for qs in (received, sent):
        late += list(
            qs.filter(state__in=OPEN, due_at__lt=now)
            .select_related("organisation", "receiving_organisation", "case")
            .order_by("due_at")[:LIST_SIZE]
        )
    out.overdue_referrals = sorted(late, key=lambda x: (x.due_at or now, x.pk))[:LIST_SIZE]
    return out
