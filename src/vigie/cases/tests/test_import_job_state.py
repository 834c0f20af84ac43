"""An import's job state commits with its data (issue 15): a process killed right after the
import's commit leaves a finished job, not one that is marked interrupted and re-run (which
took half an hour holding the write lock); a stopping process interrupts running jobs."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from vigie.cases.models import Case
from vigie.core import jobs
from vigie.core.models import Job
from vigie.core.tests.hostile import write_ctdc_sample
from vigie.testing import World, build_world


def _start(world: World, path: Path) -> Job:
    """A queued import job (not started: huey runs jobs at once in tests)."""
    user = world.users["case_manager"]
    return Job.objects.create(
        kind="cases.import",
        created_by=user,
        organisation=world.own,
        params={"path": str(path), "organisation_id": world.own.pk, "user_id": user.pk},
    )


@pytest.mark.django_db(transaction=True)
def test_import_killed_after_its_commit_is_seen_as_finished(tmp_path: Path) -> None:
    world = build_world()
    path = write_ctdc_sample(tmp_path / "cases.csv", 60)
    job = _start(world, path)

    def die(_job: Job) -> None:
        # the progress report after the import's commit: the process dies right there
        if not transaction.get_connection().in_atomic_block and Case.objects.exists():
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        jobs.run_now(job, die)
    assert Case.objects.count() == 60
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, (job.status, job.error)
    assert job.result["created"] == 60 and job.finished_at is not None
    assert jobs.recover_interrupted(stale_after=0) == 0  # a restart does not rerun it
    assert jobs.run_now(job).status == Job.Status.SUCCEEDED and Case.objects.count() == 60


@pytest.mark.django_db(transaction=True)
def test_stopping_interrupts_a_running_job_which_then_resumes(tmp_path: Path) -> None:
    started = threading.Event()

    @jobs.handler("tests.endless")
    def endless(job: Job, progress: jobs.Progress) -> dict[str, Any]:
        done = 0
        while True:
            done += 1
            progress.update(done, message="working")
            started.set()

    job = Job.objects.create(kind="tests.endless")
    runner = threading.Thread(target=jobs.run_now, args=(Job.objects.get(pk=job.pk),))
    try:
        runner.start()
        assert started.wait(10)
        assert jobs.stop_running(5.0)
        runner.join(5)
        assert not runner.is_alive()
    finally:
        jobs._STOPPING.clear()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error == jobs.INTERRUPTED
    assert jobs.requeue(job, enqueue=False).status == Job.Status.QUEUED
