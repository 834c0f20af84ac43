"""Background jobs with progress, cancellation and recovery.

An app registers a handler for a kind of job and starts jobs of that kind::

    from vigie.core import jobs

    @jobs.handler("cases.import")
    def import_file(job: Job, progress: jobs.Progress) -> dict:
        for i, row in enumerate(rows, 1):
            ...
            progress.update(i, total=n, message="row %d" % i)  # raises JobCancelled if asked
        return {"imported": n}                               # stored as job.result

    job = jobs.start("cases.import", user=user, organisation=org, params={"path": ...})

``start`` queues the job on huey (run immediately in tests); ``run_now`` runs it in this
process (the command line, with a terminal progress bar). A handler must be idempotent or
resumable (keep its own checkpoint in ``job.result`` via ``progress.checkpoint``): a job
interrupted by a crash is marked failed by ``recover_interrupted`` when a worker starts, and
``retry`` runs it again. Progress is written at most every ``FLUSH_SECONDS``.

A handler whose work commits in one transaction calls ``progress.finish(result)`` inside that
transaction: the job is then recorded as succeeded by the same commit as its data, so a
process killed right after the commit leaves a finished job, not one to run again. When the
process stops (``stop_running``: SIGTERM, Ctrl+C), running jobs stop at their next progress
update, their transaction rolled back or their checkpoint kept, and are marked interrupted.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.core import access, jobfiles
from vigie.core.actor import Actor, Viewer, person_of
from vigie.core.errors import VigieError
from vigie.core.models import Job

log = logging.getLogger(__name__)
FLUSH_SECONDS = 0.5
STALE_AFTER_SECONDS = 300

Handler = Callable[[Job, "Progress"], dict[str, Any] | None]
Listener = Callable[[Job], None]
_HANDLERS: dict[str, Handler] = {}
_STOPPING = threading.Event()  # the process is shutting down: running jobs stop
_RUNNING: set[Any] = set()  # ids of the jobs running in this process
_RUNNING_LOCK = threading.Lock()
INTERRUPTED = "interrupted (the worker stopped); run it again to resume"

# What each kind of job is, for people (the jobs pages showed the raw codes).
KIND_LABELS = {
    "cases.import": _("Case import"),
    "cases.cleanup_uploads": _("Removal of old import uploads"),
    "screening.load": _("Watchlist loading"),
    "screening.batch": _("Batch screening"),
    "screening.perpetrator": _("Screening of a perpetrator"),
    "screening.perpetrators_batch": _("Screening of perpetrators"),
    "evidence.export": _("Evidence export for court"),
    "evidence.cleanup": _("Removal of old evidence exports"),
    "analytics.refresh": _("Statistics snapshot refresh"),
    "collection.import": _("Import of a KoBoToolbox or ODK Central export"),
    "finance.import": _("Transaction import"),
    "finance.run": _("Red-flag rules run"),
    "finance.cleanup": _("Removal of stale transaction uploads"),
    "linkage.incremental": _("Linkage of new records"),
    "network.extract": _("Network update from changed records"),
    "network.rebuild": _("Network rebuild"),
    "network.xref": _("Network cross-check against the watchlists"),
    "suppliers.rescreen": _("Supplier rescreening after a list update"),
    "suppliers.reminders": _("Supplier questionnaire reminders"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


class JobCancelled(Exception):
    """Raised inside a handler when someone asked to cancel its job."""


class JobInterrupted(JobCancelled):
    """Raised inside a handler when the process is stopping (``stop_running``)."""


class JobError(VigieError):
    """A handler's failure meant for people: its message is shown as the job's error."""

    default_code = "job_failed"
    status = 500


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        _HANDLERS[kind] = func
        return func

    return register


class Progress:
    def __init__(self, job: Job, listener: Listener | None = None) -> None:
        self.job = job
        self.listener = listener
        self._last_flush = 0.0

    def update(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Record progress; every flush also checks whether the job was cancelled."""
        self.job.done = done
        if total is not None:
            self.job.total = total
        if message is not None:
            self.job.message = message[:500]
        now = timezone.now().timestamp()
        finished = self.job.total is not None and done >= self.job.total
        if finished or now - self._last_flush >= FLUSH_SECONDS:
            self._flush()
            self._last_flush = now

    def checkpoint(self, state: dict[str, Any]) -> None:
        """Save a handler's own resume point (kept in ``job.result`` until it finishes).

        Written to the job's row even inside the handler's transaction: a resume point must
        commit (or roll back) with the work it describes."""
        self.job.result = state
        self._flush(row=True)

    def finish(self, result: dict[str, Any]) -> None:
        """Record the job as succeeded with ``result``; call it inside the transaction that
        commits the job's work, so that both commit (or roll back) together."""
        self.job.status = Job.Status.SUCCEEDED
        self.job.result = result
        self.job.finished_at = timezone.now()
        if self.job.total is not None:
            self.job.done = self.job.total
        Job.objects.filter(pk=self.job.pk).update(
            status=self.job.status,
            result=result,
            done=self.job.done,
            finished_at=self.job.finished_at,
            heartbeat_at=self.job.finished_at,
        )

    def _flush(self, *, row: bool = False) -> None:
        self.job.heartbeat_at = timezone.now()
        # inside a transaction the row's progress would be seen by nobody until the commit
        # (and on SQLite block a cancel request): report through a file (vigie.core.jobfiles)
        in_transaction = transaction.get_connection().in_atomic_block
        if in_transaction:
            jobfiles.write_progress(self.job)
        if row or not in_transaction:
            Job.objects.filter(pk=self.job.pk).update(
                done=self.job.done,
                total=self.job.total,
                message=self.job.message,
                result=self.job.result,
                heartbeat_at=self.job.heartbeat_at,
            )
        if self.listener:
            self.listener(self.job)
        if _STOPPING.is_set():
            raise JobInterrupted
        if (
            jobfiles.cancel_requested(self.job.pk)
            or Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists()
        ):
            raise JobCancelled


def _enqueue(job_id: str) -> None:
    from vigie.core.tasks import run_job_task

    run_job_task(job_id)


def start(
    kind: str,
    *,
    user: Viewer,
    organisation: Any = None,
    params: dict[str, Any] | None = None,
    total: int | None = None,
) -> Job:
    """Queue a job; it starts once the current transaction commits. ``user`` is who starts it:
    a user, or an actor (``Actor.system(reason)`` for a scheduled job, recorded with no user)."""
    if kind not in _HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    job = Job.objects.create(
        kind=kind,
        created_by=person_of(user),
        organisation=organisation,
        params=params or {},
        total=total,
    )
    job_id = str(job.pk)
    transaction.on_commit(lambda: _enqueue(job_id))
    return job


def _crash_report(job: Job, exc: BaseException) -> str:
    """What a crashed handler leaves: its type and where it happened, never its message.

    An unexpected exception's text may quote the data being processed (``int('Nadia')``,
    a database error's "Key (…)=(…)"), and the job's error is shown to every administrator
    of its organisation, with or without the identity permission; the log is read by
    operators. So both get the exception types and the frames (file, line, code: no values),
    which is enough to find the bug (ADR 0059)."""
    chain: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 5:
        chain.append(type(seen).__name__)
        seen = seen.__cause__ or seen.__context__
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error(
        "job %s (%s) failed: %s (message withheld)\n%s",
        job.pk,
        job.kind,
        " <- ".join(chain),
        frames,
    )
    return f"{chain[0]}: unexpected failure (details in the server log, job {job.pk})"


def run_now(job: Job, listener: Listener | None = None) -> Job:
    """Run a queued job in this process (used by the command line and by workers)."""
    func = _HANDLERS.get(job.kind)
    if func is None:
        raise ValueError(f"no handler for job kind {job.kind!r}")
    if job.is_finished:
        return job
    job.status = Job.Status.RUNNING
    job.started_at = job.heartbeat_at = timezone.now()
    job.attempts += 1
    job.error = ""
    job.save(update_fields=["status", "started_at", "heartbeat_at", "attempts", "error"])
    progress = Progress(job, listener)
    with _RUNNING_LOCK:
        _RUNNING.add(job.pk)
    try:
        result = func(job, progress)
    except JobInterrupted:
        job.status, job.error = Job.Status.FAILED, INTERRUPTED
    except JobCancelled:
        job.status = Job.Status.CANCELLED
        job.message = "cancelled"
    except VigieError as exc:  # JobError and the services' refusals: written for people
        job.status, job.error = Job.Status.FAILED, str(exc)
    except Exception as exc:  # a crashed handler must not leave the job "running"
        job.status, job.error = Job.Status.FAILED, _crash_report(job, exc)
    else:
        job.status = Job.Status.SUCCEEDED
        job.result = result if result is not None else job.result
        if job.total is not None:
            job.done = job.total
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(job.pk)
    job.finished_at = timezone.now()
    job.save()
    jobfiles.clear(job.pk)
    if listener:
        listener(job)
    return job


def stop_running(timeout: float) -> bool:
    """Ask the jobs running in this process to stop at their next progress update and wait
    up to ``timeout`` seconds for them; True if none is left running. New jobs still start
    (a worker keeps its queue), so call it once the consumer stops taking jobs."""
    _STOPPING.set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _RUNNING_LOCK:
            if not _RUNNING:
                return True
        time.sleep(0.05)
    with _RUNNING_LOCK:
        left = len(_RUNNING)
    if left:
        log.warning("%d job(s) still running at shutdown; marked interrupted on restart", left)
    return not left


def run_by_id(job_id: str) -> None:
    job = Job.objects.filter(pk=job_id).first()
    if job is not None and job.status == Job.Status.QUEUED:
        run_now(job)


def request_cancel(job: Job) -> Job:
    """Ask a job to stop; a queued job stops at once, a running one at its next update.

    A running job is also asked through a flag file (vigie.core.jobfiles), which it sees even
    while its own transaction hides the row; on SQLite, while it reports through a file its
    transaction holds the write lock, so the row is left for the job to write when it stops.
    """
    if job.status == Job.Status.QUEUED:
        job.status = Job.Status.CANCELLED
        job.finished_at = timezone.now()
    job.cancel_requested = True
    if job.status == Job.Status.RUNNING:
        jobfiles.request_cancel(job.pk)
        if connection.vendor == "sqlite" and jobfiles.has_progress(job.pk):
            return job
    job.save(update_fields=["status", "finished_at", "cancel_requested"])
    return job


def requeue(job: Job, *, enqueue: bool = True) -> Job:
    """Queue a failed or cancelled job again (its handler resumes from its checkpoint)."""
    if job.status not in {Job.Status.FAILED, Job.Status.CANCELLED}:
        raise ValueError(f"job {job.pk} is {job.status}; only a failed or cancelled job can rerun")
    job.status, job.cancel_requested, job.finished_at = Job.Status.QUEUED, False, None
    job.save(update_fields=["status", "cancel_requested", "finished_at"])
    if enqueue:
        job_id = str(job.pk)
        transaction.on_commit(lambda: _enqueue(job_id))
    return job


def actor_of(job: Job) -> Actor:
    """Who a job acts for (its entry point's one resolution, ADR 0324): the user who started
    it, or the system with the job's kind as its reason."""
    if job.created_by is not None:
        return Actor(user=job.created_by, organisation_id=job.organisation_id)
    return Actor.system(f"job {job.kind}", job.organisation_id)


def cancel(user: Viewer, job: Job) -> Job:
    if not can_manage(user, job):
        raise PermissionDenied("you may not cancel this job")
    return request_cancel(job)


def retry(user: Viewer, job: Job) -> Job:
    if not can_manage(user, job):
        raise PermissionDenied("you may not rerun this job")
    return requeue(job)


def recover_interrupted(stale_after: int = STALE_AFTER_SECONDS) -> int:
    """Mark running jobs whose worker died (no heartbeat lately) as failed, to be rerun.

    A job reporting through a file (its handler holds a transaction) is alive if the file's
    heartbeat is recent; ``Job.from_db`` gives loaded jobs that heartbeat."""
    cutoff = timezone.now() - timedelta(seconds=stale_after)
    candidates = Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff)
    dead = [job.pk for job in candidates if job.heartbeat_at is None or job.heartbeat_at < cutoff]
    for pk in dead:
        jobfiles.clear(pk)
    return Job.objects.filter(pk__in=dead).update(
        status=Job.Status.FAILED,
        error=INTERRUPTED,
        finished_at=timezone.now(),
    )


def can_manage(user: Viewer, job: Job) -> bool:
    """The job's creator, an administrator of its organisation, or a system administrator."""
    if job.created_by_id is not None and job.created_by_id == getattr(person_of(user), "pk", None):
        return True
    if job.organisation_id is not None:
        return access.has_perm(user, "org.users.manage", job.organisation_id)
    return access.has_perm(user, "system.orgs.manage")


def visible_jobs(user: Viewer) -> Any:
    """The jobs a user started, and those of the organisations they administer."""
    qs = Job.objects.select_related("organisation", "created_by")
    if access.has_perm(user, "system.orgs.manage"):
        return qs
    administered = access.organisations_with(user, "org.users.manage")
    if administered is access.ALL:
        return qs
    return qs.filter(
        Q(created_by_id=getattr(person_of(user), "pk", None)) | Q(organisation_id__in=administered)
    )


def visible_jobs_with(user: Viewer, perm: str) -> Any:
    """The jobs an app's own pages show (progress, report, results, download): those of
    :func:`visible_jobs` in organisations where ``user`` holds ``perm``. Administering an
    organisation shows its jobs in the job list; it does not add up with ``perm`` held in
    another organisation to open their results (ADR 0057)."""
    orgs = access.organisations_with(user, perm)
    qs = visible_jobs(user)
    if orgs is access.ALL:
        return qs
    mine = Q(organisation__isnull=True, created_by_id=getattr(person_of(user), "pk", None))
    return qs.filter(Q(organisation_id__in=orgs) | mine)


def _read_by_open_jobs(kind: str) -> set[Path]:
    """The files (``path`` and ``mapping`` parameters) a queued or running job of ``kind``
    will still read."""
    active = Job.objects.filter(
        kind=kind, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
    ).values_list("params", flat=True)
    return {
        Path(params[key]).resolve()
        for params in active
        for key in ("path", "mapping")
        if (params or {}).get(key)
    }


def remove_stale_uploads(
    folder: Path, kind: str, older_than_hours: float, what: str, app_log: logging.Logger
) -> int:
    """Remove the files of ``folder`` (an app's uploads for jobs of ``kind``) not modified for
    ``older_than_hours`` and read by no queued or running job of that kind: failed or
    abandoned imports keep theirs for a retry until then. Each removal is logged to the app's
    ``app_log``; the number of files removed."""
    limit = time.time() - older_than_hours * 3600
    used = _read_by_open_jobs(kind)
    removed = 0
    for path in folder.iterdir():
        if not path.is_file() or path.resolve() in used or path.stat().st_mtime > limit:
            continue
        path.unlink(missing_ok=True)
        removed += 1
        app_log.info("removed the stale %s %s", what, path.name)
    return removed
