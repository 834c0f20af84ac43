"""Background refresh of the analytic snapshot after writes to case records.

Signals on every case model note the changed case in ``PendingRefresh`` (one indexed insert,
inside the writer's transaction: data entry never waits for the snapshot) and, after commit,
start an ``analytics.refresh`` job unless one is already queued. The job drains the pending
cases in batches of ``BATCH`` (each batch rewrites only the Parquet parts that hold those
cases), so a bulk import of 10,000 cases becomes a handful of batches, not 10,000 jobs.
Limits: one job at a time does the work; a failed job leaves the cases pending for the next.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connection, transaction

from vigie.core import jobs
from vigie.core.models import Job

BATCH = 1000
KIND = "analytics.refresh"


@jobs.handler(KIND)
def refresh(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    from vigie.analytics import snapshot
    from vigie.analytics.models import PendingRefresh

    if job.params.get("full"):
        progress.update(0, 1, "rebuilding the snapshot")
        result = snapshot.rebuild()
        progress.update(1, 1, "rebuilt")
        return result
    done = 0
    while True:
        batch = list(PendingRefresh.objects.values_list("pk", "case_uuid")[:BATCH])
        if not batch:
            break
        snapshot.refresh_cases([u for _, u in batch])
        PendingRefresh.objects.filter(pk__in=[pk for pk, _ in batch]).delete()
        done += len(batch)
        progress.update(done, done + PendingRefresh.objects.count(), f"{done} cases refreshed")
    return {"cases": done}


def note_changed(case_uuid: Any) -> None:
    """Called by the signals: remember the case and make sure a refresh job will run."""
    from vigie.analytics.models import PendingRefresh

    try:
        with transaction.atomic():
            PendingRefresh.objects.get_or_create(case_uuid=case_uuid)
    except IntegrityError:  # noted concurrently by another writer
        pass
    waiting: _AfterCommit | None = getattr(connection, "_vigie_refresh_callback", None)
    if (
        waiting is not None
        and not waiting.done
        and any(item[1] is waiting for item in connection.run_on_commit)
    ):
        return  # this transaction already starts a refresh when it commits
    callback = _AfterCommit()
    setattr(connection, "_vigie_refresh_callback", callback)  # noqa: B010
    transaction.on_commit(callback)


class _AfterCommit:
    """One per transaction that changed cases (a rolled-back one drops it with the rest)."""

    def __init__(self) -> None:
        self.done = False

    def __call__(self) -> None:
        self.done = True
        _start_if_idle()


def _start_if_idle() -> None:
    """After commit: start a refresh unless nothing is pending (an earlier callback of the same
    transaction already drained it) or one is queued. Cheap: two indexed existence queries."""
    from vigie.analytics.models import PendingRefresh

    if not PendingRefresh.objects.exists():
        return
    if Job.objects.filter(kind=KIND, status=Job.Status.QUEUED).exists():
        return
    jobs.start(KIND, user=None)


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    from vigie.cases import models as m

    def case_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
        note_changed(instance.uuid)

    def part_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
        try:
            case = instance.case
        except m.Case.DoesNotExist:  # the case itself is being deleted: its signal notes it
            return
        note_changed(case.uuid)

    post_save.connect(case_changed, sender=m.Case, dispatch_uid="analytics-case-save", weak=False)
    post_delete.connect(
        case_changed, sender=m.Case, dispatch_uid="analytics-case-delete", weak=False
    )
    for model in (m.Victim, m.Incident, m.Exploitation, m.Perpetrator, m.RouteLeg):
        uid = f"analytics-{model.__name__}"
        post_save.connect(part_changed, sender=model, dispatch_uid=uid + "-save", weak=False)
        post_delete.connect(part_changed, sender=model, dispatch_uid=uid + "-delete", weak=False)
