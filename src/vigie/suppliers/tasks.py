"""Background jobs of suppliers.

``suppliers.rescreen``: after a watchlist version loads (its ``screening.listversion``
event), queue the suppliers' new, changed and removed hits (vigie.suppliers.watch); one
query per kind of record, whatever the number of suppliers (the matching itself is done by
the screening app's re-screening, before the event).
``suppliers.reminders``: remind the suppliers whose questionnaire link expires within
``VIGIE_SUPPLIERS_REMIND_DAYS`` days (default 7) and was not answered; each link once.
``suppliers.import``: register the suppliers of an uploaded CSV/XLSX (vigie.suppliers.importer).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from vigie.core import jobs
from vigie.core.actor import Actor
from vigie.core.models import Job, Organisation
from vigie.screening.models import ListVersion
from vigie.suppliers import duediligence, watch


@jobs.handler(watch.JOB)
def rescreen_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    version = ListVersion.objects.filter(pk=job.params["version"]).first()
    if version is None:
        return {"skipped": "no such version"}
    return watch.alerts_for_version(version)


@jobs.handler("suppliers.reminders")
def reminders_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    return {"reminded": duediligence.send_reminders(Actor.system("questionnaire reminders"))}


@jobs.handler("suppliers.import")
def import_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    from vigie.suppliers import importer

    org = Organisation.objects.get(pk=job.params["organisation"])
    actor = (
        Actor(user=job.created_by, organisation_id=org.pk)
        if job.created_by
        else Actor.system("supplier import", org.pk)
    )
    result = importer.import_file(
        actor,
        org,
        Path(job.params["path"]),
        mapping_path=Path(job.params["mapping"]) if job.params.get("mapping") else None,
        report=lambda done, total: progress.update(done, total),
    )
    return result.as_dict()


@db_periodic_task(crontab(hour="6", minute="17"))
def daily_reminders() -> None:
    """The worker starts the reminders job once a day."""
    jobs.start("suppliers.reminders", user=None, params={})
