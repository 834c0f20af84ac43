"""Huey tasks of the core app. One task runs every kind of job (see vigie.core.jobs); the job
row carries its own state, so the task takes only its id."""

from huey.contrib.djhuey import db_task

from vigie.core import jobs


@db_task()
def run_job_task(job_id: str) -> None:
    jobs.run_by_id(job_id)
