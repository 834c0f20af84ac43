"""Background jobs of suppliers.

``suppliers.rescreen``: after a watchlist version loads (its ``screening.listversion``
event), queue the suppliers' new, changed and removed hits (vigie.suppliers.watch); one
query per kind of record, whatever the number of suppliers (the matching itself is done by
the screening app's re-screening, before the event).
``suppliers.reminders``: remind the suppliers whose questionnaire link expires within
``VIGIE_SUPPLIERS_REMIND_DAYS`` days (default 7) and was not answered; each link once.
"""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from vigie.core import jobs
from vigie.core.actor import Actor
from vigie.core.models import Job
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


@db_periodic_task(crontab(hour="6", minute="17"))
def daily_reminders() -> None:
    """The worker starts the reminders job once a day."""
    jobs.start(
        "suppliers.reminders", user=Actor.system("supplier questionnaire reminders"), params={}
    )
