"""Huey tasks of the core app. One task runs every kind of job (see vigie.core.jobs); the job
row carries its own state, so the task takes only its id. The worker also exports signed
checkpoints of the access and custody logs to the configured witnesses every hour."""

import logging

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from vigie.core import jobs

log = logging.getLogger("vigie.audit")


@db_task()
def run_job_task(job_id: str) -> None:
    jobs.run_by_id(job_id)


@db_periodic_task(crontab(minute="41"))
def hourly_checkpoint() -> None:
    """Anchor both logs' heads outside the database (VIGIE_WITNESS; ADR 0030)."""
    from vigie.core import witness

    targets = list(settings.VIGIE_WITNESS)
    if not targets:
        return
    try:
        for cp in witness.export(targets):
            log.info("witnessed %s checkpoint: %d entries", cp.log, cp.size)
    except witness.WitnessError as exc:
        log.error("witness checkpoint failed: %s", exc)
