"""Referral outcomes and turnaround for the statistics, through the analytics disclosure
gate: counts by service and state are released only as a protected table (small cells
suppressed, counts perturbed), and a mean turnaround only for groups of at least k answers."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, Q

from vigie.analytics import disclosure
from vigie.core import access
from vigie.core.actor import Actor
from vigie.identification.models import Referral

PERM = "stats.view"


def outcomes(actor: Actor, policy: disclosure.Policy | None = None) -> dict[str, Any]:
    """Referrals sent by the organisations whose statistics the actor may view."""
    policy = policy or disclosure.default_policy()
    qs = Referral.objects.all()
    orgs = actor.organisations_with(PERM)
    if orgs is not access.ALL:
        qs = qs.filter(organisation_id__in=sorted(orgs))
    table = disclosure.Table(("service", "state"))
    for pk, service, state in qs.values_list("id", "service_type", "state").iterator():
        key = disclosure.record_key(f"identification.referral:{pk}", policy.salt)
        for coords in ((service, state), (service, None), (None, state), (None, None)):
            cell = table.cells.setdefault(coords, disclosure.Cell(0, 0))
            cell.n += 1
            cell.key = (cell.key + key) % disclosure.KEY_MODULUS
    release = disclosure.protect(table, policy)
    turnaround = []
    answered = Q(answer_seconds__isnull=False)
    for row in qs.values("service_type").annotate(
        n=Count("id", filter=answered), mean=Avg("answer_seconds", filter=answered)
    ):
        shown = row["n"] >= policy.k and row["mean"] is not None
        turnaround.append(
            {
                "service": row["service_type"],
                "answer_hours": round(row["mean"] / 3600) if shown else None,
                "suppressed": not shown,
            }
        )
    return {
        "dims": list(release.dims),
        "k": release.k,
        "notes": release.notes,
        "cells": release.rows(),
        "turnaround": sorted(turnaround, key=lambda r: r["service"]),
    }
