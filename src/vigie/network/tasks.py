"""Keeping the graph up to date in the background.

Every writer announces its change (``vigie.core.events.records_changed``); after its commit
:func:`on_records_changed` notes the records in one ``Pending`` row (their id ranges, never
one row per record) and starts a ``network.extract`` job unless one is already queued. The
job reads the noted records in batches of ``BATCH`` ids (``vigie.network.extract``) and
replaces the edges they gave. ``network.rebuild`` reads every record again (``vigie graph
rebuild``); ``network.xref`` cross-references the graph with the watchlists in force.
Limits: one extraction job at a time does the work; a failed job leaves its rows pending.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vigie.core import jobs
from vigie.core.actor import Actor
from vigie.core.models import Job
from vigie.network import extract, keys

BATCH = 500
EXTRACT = "network.extract"
REBUILD = "network.rebuild"
XREF = "network.xref"
FOLLOWED = (*extract.READERS, extract.HIT)
LINKAGE = ("linkage.run", "linkage.decision")  # persons rebuilt: nodes change (ADR 1003)

jobs.KIND_LABELS.setdefault(EXTRACT, _("Link chart update"))
jobs.KIND_LABELS.setdefault(REBUILD, _("Link chart rebuild"))
jobs.KIND_LABELS.setdefault(XREF, _("Cross-referencing of the network with the watchlists"))


def _ranges(ids: Any) -> list[list[int]]:
    if hasattr(ids, "ranges"):
        return [[int(a), int(b)] for a, b in ids.ranges]
    out: list[list[int]] = []
    for i in sorted(int(x) for x in ids if str(x).isdigit()):
        if out and out[-1][1] + 1 == i:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


def on_records_changed(sender: Any, kind: str, ids: Any, **kwargs: Any) -> None:
    """``records_changed`` receiver (after the writer's commit): note, queue, return."""
    from vigie.network.models import Pending

    if kind in LINKAGE:
        _relink()
        return
    if kind not in FOLLOWED:
        return
    if kind == extract.HIT:  # a hit's links are read with its perpetrator's case
        Pending.objects.create(record_type=kind, uuids=[str(i) for i in ids])
    else:
        ranges = _ranges(ids)
        if not ranges:
            return
        Pending.objects.create(record_type=kind, ids=ranges)
    start_if_idle()


def _relink() -> None:
    """After a linkage run, read again the cases whose people are in a shared person now,
    and those that gave a shared person's node before (the person may have split)."""
    from vigie.linkage.selectors import shared_case_ids
    from vigie.network.models import Edge, Pending

    before = (
        Edge.objects.filter(record_type=extract.CASE)
        .filter(Q(source__key__startswith=keys.LINKED) | Q(target__key__startswith=keys.LINKED))
        .values_list("record_id", flat=True)
    )
    ids = set(shared_case_ids()) | {int(i) for i in before.distinct() if str(i).isdigit()}
    if ids:
        Pending.objects.create(record_type=extract.CASE, ids=_ranges(ids))
        start_if_idle()


def start_if_idle() -> None:
    from vigie.network.models import Pending

    if not Pending.objects.exists():
        return
    if Job.objects.filter(kind=EXTRACT, status=Job.Status.QUEUED).exists():
        return
    jobs.start(EXTRACT, user=Actor.system("network update after a change"))


def _hit_cases(hit_ids: list[str]) -> list[int]:
    from vigie.cases.models import Perpetrator
    from vigie.screening.models import Hit

    # only a perpetrator's subject has a perpetrator's uuid as external id (a supplier's or a
    # batch row's is the organisation's own identifier)
    uuids = Hit.objects.filter(pk__in=hit_ids, subject__purpose="perpetrator").values_list(
        "subject__external_id", flat=True
    )
    return list(Perpetrator.objects.filter(uuid__in=list(uuids)).values_list("case_id", flat=True))


def read(record_type: str, ids: list[int]) -> tuple[int, int]:
    """Read ``ids`` of ``record_type`` (those deleted lose their edges)."""
    batch = extract.Batch()
    for i in ids:
        batch.replaces(record_type, i)
    extract.READERS[record_type](batch, ids)
    return extract.store(batch)


@jobs.handler(EXTRACT)
def extract_pending(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    from vigie.network.models import Pending

    done = edges = 0
    while True:
        rows = list(Pending.objects.order_by("pk")[:50])
        if not rows:
            break
        for row in rows:
            if row.record_type == extract.HIT:
                todo = [(extract.CASE, _hit_cases(row.uuids))]
            else:
                ids = [i for a, b in row.ids for i in range(a, b + 1)]
                todo = [(row.record_type, ids)]
            for record_type, ids in todo:
                for start in range(0, len(ids), BATCH):
                    chunk = ids[start : start + BATCH]
                    edges += read(record_type, chunk)[1]
                    done += len(chunk)
                    progress.update(done, message=f"{done} records read")
            row.delete()
    return {"records": done, "edges": edges}


@jobs.handler(REBUILD)
def rebuild(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    from django.apps import apps

    models = {
        extract.CASE: "cases.Case",
        extract.EVIDENCE: "evidence.Item",
        extract.ACCOUNT: "finance.Account",
    }
    all_ids = {
        rt: list(apps.get_model(label).objects.order_by("pk").values_list("pk", flat=True))
        for rt, label in models.items()
    }
    total = sum(len(v) for v in all_ids.values())
    done = edges = 0
    for record_type, ids in all_ids.items():
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            edges += read(record_type, chunk)[1]
            done += len(chunk)
            progress.update(done, total, f"{done} records read")
    return {"records": done, "edges": edges}


@jobs.handler(XREF)
def xref(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    from vigie.network import xref as xref_module

    return xref_module.run(progress)
