"""Background refresh of the analytic snapshot after writes to case records.

Every writer of case records announces its change (``vigie.core.events``); after its commit
the ``records_changed`` receiver notes the changed cases in ``PendingRefresh`` (set-based:
one ``INSERT ... SELECT`` for a whole import batch, never one query per case) and starts an
``analytics.refresh`` job unless one is already queued. The job drains the pending
cases in batches of ``BATCH`` (each batch rewrites only the Parquet parts that hold those
cases), so a bulk import of 10,000 cases becomes a handful of batches, not 10,000 jobs.
Limits: one job at a time does the work; a failed job leaves the cases pending for the next.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from vigie.core import jobs
from vigie.core.actor import Actor
from vigie.core.models import Job

BATCH = 1000
KIND = "analytics.refresh"
CASE_KIND = "cases.case"
CHUNK = 400  # ids or id ranges per INSERT ... SELECT (SQLite allows 32,766 parameters)


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


def on_records_changed(
    sender: Any, kind: str, ids: Any, uuids: list[Any] | None = None, **kwargs: Any
) -> None:
    """``vigie.core.events.records_changed`` (after the writer's commit): note the changed
    cases and make sure a refresh job will run. Case records only; any writer, any size."""
    if kind != CASE_KIND:
        return
    note_cases(ids, uuids)
    _start_if_idle()


def note_cases(ids: Any, uuids: list[Any] | None = None) -> None:
    """Note cases in ``PendingRefresh`` with set-based inserts (one statement per ``CHUNK``
    ids or id ranges, never one per case): by uuid when given (deleted cases are gone), else
    selected from the cases table by id. A case already noted stays noted once."""
    from vigie.analytics.models import PendingRefresh
    from vigie.cases.models import Case

    table = PendingRefresh._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    conflict = "ON CONFLICT (case_uuid) DO NOTHING"
    with transaction.atomic(), connection.cursor() as cursor:
        if uuids is not None:
            field = PendingRefresh._meta.get_field("case_uuid")
            rows = [(field.get_db_prep_value(u, connection), now) for u in uuids]
            # table names come from the models; values are parameters
            insert = f"INSERT INTO {table} (case_uuid, noted_at) VALUES (%s, %s) {conflict}"  # noqa: S608
            cursor.executemany(insert, rows)
            return
        if hasattr(ids, "ranges"):
            parts = [("id BETWEEN %s AND %s", [a, b]) for a, b in ids.ranges]
        else:
            parts = [("id = %s", [i]) for i in ids]
        cases = Case._meta.db_table
        for start in range(0, len(parts), CHUNK):
            chunk = parts[start : start + CHUNK]
            where = " OR ".join(sql for sql, _ in chunk)
            params: list[Any] = [now] + [p for _, values in chunk for p in values]
            select = f"SELECT uuid, %s FROM {cases} WHERE {where}"  # noqa: S608 (see above)
            cursor.execute(f"INSERT INTO {table} (case_uuid, noted_at) {select} {conflict}", params)


def _start_if_idle() -> None:
    """Start a refresh unless nothing is pending or one is already queued (two indexed
    existence queries)."""
    from vigie.analytics.models import PendingRefresh

    if not PendingRefresh.objects.exists():
        return
    if Job.objects.filter(kind=KIND, status=Job.Status.QUEUED).exists():
        return
    jobs.start(KIND, user=Actor.system("statistics refresh after a change"))


def connect_signals() -> None:
    from vigie.core.events import records_changed

    records_changed.connect(on_records_changed, dispatch_uid="analytics-records-changed")
