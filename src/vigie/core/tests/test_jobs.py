"""Background jobs: progress, failure, cancellation, crash recovery and resumption."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from vigie.core import jobfiles, jobs
from vigie.core.models import Job
from vigie.testing import World

SEEN: list[tuple[int, int | None]] = []


@jobs.handler("test.count")
def count(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    start = (job.result or {}).get("next", 0)
    n = int(job.params["n"])
    for i in range(start, n):
        if job.params.get("fail_at") == i and job.attempts == 1:
            raise RuntimeError(f"disk went away at item {i}")
        if job.params.get("cancel_at") == i:
            Job.objects.filter(pk=job.pk).update(cancel_requested=True)
            progress.checkpoint({"next": i})
        progress.update(i + 1, total=n, message=f"item {i + 1}")
        if (i + 1) % 10 == 0:
            progress.checkpoint({"next": i + 1})
    return {"counted": n, "resumed_from": start}


@jobs.handler("test.refuse")
def refuse(job: Job, progress: jobs.Progress) -> None:
    raise jobs.JobError("row 3, column 'sex': 'X' is not in the code list")


def test_start_runs_on_commit_and_records_progress(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    user = world.users["analyst"]
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start("test.count", user=user, organisation=world.own, params={"n": 25})
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.done, job.total, job.percent) == (25, 25, 100)
    assert job.result == {"counted": 25, "resumed_from": 0}
    assert job.attempts == 1 and job.finished_at is not None


def test_listener_sees_progress(world: World) -> None:
    job = Job.objects.create(kind="test.count", params={"n": 5}, created_by=world.users["analyst"])
    seen: list[int] = []
    jobs.run_now(job, listener=lambda j: seen.append(j.done))
    assert seen[-1] == 5 and job.status == Job.Status.SUCCEEDED


def test_job_error_message_is_kept_for_people(world: World) -> None:
    job = Job.objects.create(kind="test.refuse", created_by=world.users["analyst"])
    jobs.run_now(job)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "row 3, column 'sex': 'X' is not in the code list"


def test_crash_then_retry_resumes_from_checkpoint(world: World) -> None:
    user = world.users["analyst"]
    job = Job.objects.create(kind="test.count", params={"n": 40, "fail_at": 25}, created_by=user)
    jobs.run_now(job)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("RuntimeError: unexpected failure")
    assert job.result == {"next": 20}
    jobs.retry(user, job)
    jobs.run_by_id(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == {"counted": 40, "resumed_from": 20}
    assert job.attempts == 2


def test_cancel_stops_a_running_job_at_its_next_update(world: World) -> None:
    user = world.users["analyst"]
    job = Job.objects.create(kind="test.count", params={"n": 1000, "cancel_at": 7}, created_by=user)
    jobs.run_now(job)
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job.done < 1000


def test_cancel_a_queued_job_and_only_by_its_owner(world: World) -> None:
    owner, other = world.users["analyst"], world.users["field_officer"]
    job = Job.objects.create(kind="test.count", params={"n": 3}, created_by=owner)
    with pytest.raises(PermissionDenied):
        jobs.cancel(other, job)
    jobs.cancel(owner, job)
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    jobs.run_by_id(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and job.done == 0
    assert list(jobs.visible_jobs(other)) == []
    assert list(jobs.visible_jobs(owner)) == [job]


def test_a_job_whose_worker_died_is_recovered_as_failed(world: World) -> None:
    old = timezone.now() - timedelta(minutes=30)
    stale = Job.objects.create(
        kind="test.count", status=Job.Status.RUNNING, heartbeat_at=old, params={"n": 1}
    )
    alive = Job.objects.create(
        kind="test.count", status=Job.Status.RUNNING, heartbeat_at=timezone.now(), params={"n": 1}
    )
    assert jobs.recover_interrupted() == 1
    stale.refresh_from_db()
    alive.refresh_from_db()
    assert stale.status == Job.Status.FAILED and "interrupted" in stale.error
    assert alive.status == Job.Status.RUNNING


def test_a_job_reporting_through_its_file_is_alive_and_its_readers_see_the_file(
    world: World,
) -> None:
    old = timezone.now() - timedelta(minutes=30)
    busy = Job.objects.create(
        kind="test.count", status=Job.Status.RUNNING, heartbeat_at=old, params={"n": 9}
    )
    busy.done, busy.total, busy.message, busy.heartbeat_at = 4, 9, "row 4", timezone.now()
    jobfiles.write_progress(busy)
    assert jobs.recover_interrupted() == 0
    seen = Job.objects.get(pk=busy.pk)
    assert (seen.status, seen.done, seen.total, seen.message) == ("running", 4, 9, "row 4")
    jobs.request_cancel(seen)
    assert Job.objects.get(pk=busy.pk).cancel_requested
    busy.heartbeat_at = old  # the handler stopped reporting: the worker died
    jobfiles.write_progress(busy)
    assert jobs.recover_interrupted() == 1
    assert Job.objects.get(pk=busy.pk).status == Job.Status.FAILED
    assert not jobfiles.has_progress(busy.pk) and not jobfiles.cancel_requested(busy.pk)


def test_unknown_kind_is_refused(world: World) -> None:
    with pytest.raises(ValueError, match="no handler"):
        jobs.start("test.nothing", user=world.users["analyst"])


def test_api_follows_cancels_and_reruns_a_job(world: World, api: Any) -> None:
    owner = world.users["analyst"]
    job = Job.objects.create(
        kind="test.count", params={"n": 40, "fail_at": 25}, created_by=owner, organisation=world.own
    )
    jobs.run_now(job)
    client = api(owner)
    listed = client.get("/api/jobs/?status=failed").json()
    assert [j["id"] for j in listed["results"]] == [str(job.pk)]
    detail = client.get(f"/api/jobs/{job.pk}/").json()
    assert detail["status"] == "failed" and detail["error"].startswith("RuntimeError")
    assert detail["done"] == 25 and detail["total"] == 40 and detail["percent"] == 62
    assert api(world.users["field_officer"]).get(f"/api/jobs/{job.pk}/").status_code == 404
    admin = api(world.users["org_admin"]).get(f"/api/jobs/{job.pk}/")
    assert admin.status_code == 200
    response = client.post(f"/api/jobs/{job.pk}/retry/")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    again = client.post(f"/api/jobs/{job.pk}/retry/")
    assert again.status_code == 400 and "only a failed or cancelled" in again.content.decode()
    cancelled = client.post(f"/api/jobs/{job.pk}/cancel/").json()
    assert cancelled["status"] == "cancelled"


def test_job_page_shows_a_progress_bar_and_the_partial_stops_polling_when_done(
    world: World, web: Any
) -> None:
    owner = world.users["analyst"]
    job = Job.objects.create(kind="test.count", params={"n": 10}, created_by=owner, total=10)
    client = web(owner)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert '<progress max="10" value="0"' in page and 'hx-trigger="every 1s"' in page
    jobs.run_now(job)
    partial = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'value="10"' in partial and "hx-trigger" not in partial
    assert "<html" not in partial
    listing = client.get("/jobs/").content.decode()
    assert "test.count" in listing
    empty = web(world.users["auditor"]).get("/jobs/", headers={"Accept-Language": "en"})
    assert "No background jobs yet" in empty.content.decode()


def test_cli_lists_and_reruns_with_a_progress_line(world: World) -> None:
    from click.testing import CliRunner

    from vigie.core.cli import jobs_group

    job = Job.objects.create(
        kind="test.count", params={"n": 30, "fail_at": 12}, created_by=world.users["analyst"]
    )
    jobs.run_now(job)
    runner = CliRunner()
    listed = runner.invoke(jobs_group, ["list", "--status", "failed", "--json"])
    assert listed.exit_code == 0 and str(job.pk) in listed.output
    analyst = ["--user", world.users["analyst"].username]
    rerun = runner.invoke(jobs_group, ["rerun", str(job.pk), *analyst])
    assert rerun.exit_code == 0, rerun.output
    assert "100% 30/30" in rerun.output
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result["resumed_from"] == 10
    refused = runner.invoke(jobs_group, ["rerun", str(job.pk), *analyst])
    assert refused.exit_code == 1 and "only a failed or cancelled job" in refused.output
    missing = runner.invoke(jobs_group, ["show", "not-a-uuid"])
    assert missing.exit_code == 1 and "no job with id 'not-a-uuid'" in missing.output
