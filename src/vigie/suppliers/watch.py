"""Continuous screening: after a watchlist version loads, the screening app has re-screened
every saved subject (suppliers and their parties among them) against the entries it added
or amended (vigie.screening.services.rescreen_for_version) and announced
``screening.listversion``. Here the hits of suppliers and parties that the version made new,
changed or removed become items of the procurement officer's queue, with their explanation.

Decisions stand: a hit cleared or blocked (a screening decision on the hit, see
services.record_review) is not raised again while the subject and the listed entry are the
same; an amended entry raises it again as "changed"; a removed entry is reported whatever was
decided, so the officer can lift a block.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from vigie.core import jobs
from vigie.core.actor import Actor
from vigie.core.events import announce
from vigie.screening.models import EntryChange, Hit, ListVersion
from vigie.suppliers.models import Alert, Party, Supplier

KIND = "screening.listversion"
JOB = "suppliers.rescreen"


def on_records_changed(sender: Any, kind: str = "", ids: Any = (), **kwargs: Any) -> None:
    """Quick: queue one job per version loaded (the work is in :func:`alerts_for_version`);
    after any change of suppliers' records, the dashboard's cached figures are stale."""
    if kind.startswith("suppliers."):
        from vigie.suppliers.services import bump_dashboard

        bump_dashboard(kwargs.get("organisation_id"))
        return
    if kind != KIND:
        return
    for pk in list(ids):
        jobs.start(
            JOB,
            user=Actor.system("supplier rescreening after a list update"),
            params={"version": int(pk)},
        )


def _owners(subject_ids: set[int]) -> dict[int, tuple[Supplier, Party | None]]:
    out: dict[int, tuple[Supplier, Party | None]] = {}
    for s in Supplier.objects.filter(subject_id__in=subject_ids):
        out[s.subject_id or 0] = (s, None)
    for p in Party.objects.filter(subject_id__in=subject_ids).select_related("supplier"):
        out[p.subject_id or 0] = (p.supplier, p)
    return out


def alerts_for_version(version: ListVersion, actor: Actor | None = None) -> dict[str, int]:
    """Queue items for the suppliers' hits ``version`` made new, changed or removed
    (idempotent: a hit already queued for this version is not queued twice)."""
    actor = actor or Actor.system(f"watchlist {version} loaded")
    changes = dict(EntryChange.objects.filter(version=version).values_list("entry_id", "kind"))
    counts = {"new": 0, "changed": 0, "removed": 0}
    if not changes:
        return counts
    hits = list(
        Hit.objects.filter(entry_id__in=list(changes), subject__purpose="supplier").select_related(
            "entry__watchlist"
        )
    )
    owners = _owners({h.subject_id for h in hits})
    queued = set(
        Alert.objects.filter(version=version, hit__in=[h.pk for h in hits]).values_list(
            "hit_id", flat=True
        )
    )
    earlier = set(
        Alert.objects.filter(hit__in=[h.pk for h in hits]).values_list("hit_id", flat=True)
    )
    made: list[Alert] = []
    for hit in hits:
        if hit.pk in queued or hit.subject_id not in owners:
            continue
        change = changes[hit.entry_id]
        if change == EntryChange.Kind.REMOVED:
            kind = Alert.Change.REMOVED
        elif hit.status != Hit.Status.OPEN:
            continue  # decided, and neither subject nor entry changed: the decision stands
        elif change == EntryChange.Kind.ADDED and hit.pk not in earlier:
            kind = Alert.Change.NEW
        else:
            kind = Alert.Change.CHANGED
        supplier, party = owners[hit.subject_id]
        made.append(
            Alert(
                organisation_id=supplier.organisation_id,
                supplier=supplier,
                party=party,
                hit=hit,
                version=version,
                change=kind,
                watchlist=hit.entry.watchlist.code,
                entry_reference=hit.entry.reference,
                entry_caption=hit.entry.caption[:500],
                score=hit.score,
                explanation=hit.explanation,
            )
        )
        counts[kind] += 1
    with transaction.atomic():
        Alert.objects.bulk_create(made, batch_size=500)
        waiting = {a.supplier_id for a in made if a.change != Alert.Change.REMOVED}
        Supplier.objects.filter(pk__in=waiting, status=Supplier.Status.ACTIVE).update(
            status=Supplier.Status.REVIEW
        )
        if made:
            announce(
                "suppliers.alert",
                [a.pk for a in made if a.pk is not None],
                actor,
                action="created",
            )
    return counts
