"""Background work of the evidence vault.

``evidence.export``: write the BagIt bag of one case (originals, custody with inclusion
proofs, signed tree head, PDF report) and zip it into ``<vault>/exports/<job id>/``; the zip
is then offered to the person who asked (``exports.zip_for``). Progress follows the bytes of
the originals copied. Not resumable: a failed export leaves nothing (the staging folder is
removed) and runs again from the top; its "exported" custody entries stay (they record an
export that was attempted). Limits: one case per job; the zip needs about twice the case's
size in free space while it is built (bag + zip), then the bag folder is removed.

``evidence.cleanup``: remove abandoned resumable uploads (partial files and their sessions)
older than ``uploads.ABANDONED_HOURS``, export archives older than ``exports.KEEP_HOURS``
and temporary files of interrupted ingests over a day old; run by ``vigie evidence
cleanup-uploads``, by the worker every hour and at most hourly when an upload starts. Each
removal is logged (logger ``vigie.evidence``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from vigie.core import jobs
from vigie.core.actor import Actor
from vigie.core.models import Job, User

EXPORT = "evidence.export"
CLEANUP = "evidence.cleanup"


@jobs.handler(EXPORT)
def export_case(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    from vigie.evidence import exports, services

    params = job.params
    user = User.objects.filter(pk=params.get("user_id")).first() if params.get("user_id") else None
    if params.get("user_id") and user is None:
        raise jobs.JobError("the person who asked for this export no longer exists")
    progress.update(0, None, "preparing")

    def step(done: int, total: int, name: str) -> None:
        progress.update(done, total, name)

    try:
        if params.get("outdir"):  # the command line: a bag folder, no zip
            bag_dir, count = exports.export_case(
                user or Actor.system("evidence export"),
                params["case"],
                Path(params["outdir"]),
                lang=params.get("lang", "en"),
                actor_name=params.get("actor_name", ""),
                progress=step,
                job_id=str(job.pk),
            )
            return {"case": params["case"], "items": count, "bag": str(bag_dir)}
        return exports.export_to_zip(
            user or Actor.system("evidence export"),
            params["case"],
            job_id=str(job.pk),
            lang=params.get("lang", "en"),
            actor_name=params.get("actor_name", ""),
            progress=step,
        )
    except services.EvidenceError as exc:
        raise jobs.JobError(str(exc)) from None


@jobs.handler(CLEANUP)
def cleanup(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    from vigie.evidence import exports, uploads
    from vigie.evidence.store import default_store

    hours = float(job.params.get("older_than_hours", uploads.ABANDONED_HOURS))
    progress.update(0, 3, "abandoned uploads")
    removed = uploads.remove_abandoned(hours)
    progress.update(1, 3, "old export archives")
    archives = exports.remove_old_archives()
    progress.update(2, 3, "temporary files of interrupted ingests")
    temporary = default_store().sweep_temporary()
    progress.update(3, 3, "done")
    return {
        "uploads_removed": removed,
        "archives_removed": archives,
        "temporary_removed": temporary,
    }


@db_periodic_task(crontab(minute="23"))
def hourly_cleanup() -> None:
    """The worker starts the cleanup job once an hour."""
    jobs.start(CLEANUP, user=Actor.system("nightly removal of old evidence exports"), params={})
