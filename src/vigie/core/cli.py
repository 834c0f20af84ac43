"""`vigie jobs ...`: follow, cancel and rerun background jobs from the terminal."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import click
from django.core.exceptions import ValidationError

from vigie.core.models import Job


def terminal_progress(job: Job) -> None:
    """A job listener drawing one self-updating progress line on stderr."""
    width = 30
    if job.total:
        filled = int(width * min(job.done, job.total) / job.total)
        bar = f"[{'#' * filled}{'.' * (width - filled)}] {job.percent:3d}% {job.done}/{job.total}"
    else:
        bar = f"[{'?' * 3}] {job.done}"
    end = "\n" if job.is_finished else ""
    click.echo(f"\r{bar} {job.message[:60]:<60}{end}", nl=False, err=True)


def run_in_terminal(job: Job) -> Job:
    """Run a queued job here with a progress line; a failure becomes a clear CLI error."""
    from vigie.core import jobs

    finished = jobs.run_now(job, listener=terminal_progress)
    if finished.status == Job.Status.FAILED:
        raise click.ClickException(f"job {finished.pk} failed: {finished.error}")
    if finished.status == Job.Status.CANCELLED:
        raise click.ClickException(f"job {finished.pk} was cancelled")
    return finished


def _get(job_id: str) -> Job:
    try:
        job = Job.objects.filter(pk=job_id).first()
    except (ValueError, ValidationError):  # not a job id at all
        job = None
    if job is None:
        raise click.ClickException(f"no job with id {job_id!r} (see `vigie jobs list`)")
    return job


def _row(job: Job) -> dict[str, Any]:
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "message": job.message,
        "error": job.error,
        "organisation": job.organisation.code if job.organisation else None,
        "created_by": job.created_by.username if job.created_by else None,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "result": job.result,
    }


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs (imports, batch screening, exports): list, watch, cancel, rerun."""


@jobs_group.command("list")
@click.option(
    "--status", type=click.Choice([s.value for s in Job.Status]), help="Only jobs in this state."
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_jobs(status: str | None, limit: int, as_json: bool) -> None:
    """The most recent jobs."""
    qs = Job.objects.select_related("organisation", "created_by")
    if status:
        qs = qs.filter(status=status)
    rows = list(qs[:limit])
    if not rows:
        click.echo("No jobs.", err=True)
    for job in rows:
        if as_json:
            click.echo(json.dumps(_row(job)))
        else:
            pct = f"{job.percent}%" if job.percent is not None else "-"
            click.echo(f"{job.pk}  {job.kind:<24} {job.status:<10} {pct:>5}  {job.message}")


@jobs_group.command("show")
@click.argument("job_id")
def show(job_id: str) -> None:
    """Everything about one job, as JSON."""
    click.echo(json.dumps(_row(_get(job_id)), indent=2))


@jobs_group.command("watch")
@click.argument("job_id")
@click.option("--interval", type=click.FloatRange(0.1, 60), default=1.0, show_default=True)
def watch(job_id: str, interval: float) -> None:
    """Follow a job's progress until it finishes (exit 1 if it fails)."""
    job = _get(job_id)
    while True:
        job.refresh_from_db()
        terminal_progress(job)
        if job.is_finished:
            break
        time.sleep(interval)
    if job.status != Job.Status.SUCCEEDED:
        click.echo(job.error or job.status, err=True)
        sys.exit(1)


@jobs_group.command("cancel")
@click.argument("job_id")
def cancel(job_id: str) -> None:
    """Ask a job to stop (a running job stops at its next progress update)."""
    from vigie.core import jobs

    job = _get(job_id)
    if job.is_finished:
        raise click.ClickException(f"job {job.pk} has already finished ({job.status})")
    jobs.request_cancel(job)
    click.echo(f"job {job.pk}: cancellation requested")


@jobs_group.command("rerun")
@click.argument("job_id")
def rerun(job_id: str) -> None:
    """Run a failed or cancelled job again, here, resuming from its last checkpoint."""
    from vigie.core import jobs

    job = _get(job_id)
    try:
        jobs.requeue(job, enqueue=False)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    run_in_terminal(job)
    click.echo(f"job {job.pk}: {job.status}")


@jobs_group.command("recover")
@click.option(
    "--stale-after",
    type=click.IntRange(0, 86400),
    default=300,
    show_default=True,
    help="Seconds without a heartbeat after which a running job counts as interrupted.",
)
def recover(stale_after: int) -> None:
    """Mark jobs whose worker died as failed, so they can be rerun."""
    from vigie.core import jobs

    click.echo(f"{jobs.recover_interrupted(stale_after)} interrupted job(s) marked failed")


@click.command("roles")
@click.option("--markdown", is_flag=True, help="The table of docs/roles.md.")
def roles(markdown: bool) -> None:
    """The roles and the permissions each holds (from core/data/roles.yaml)."""
    from vigie.core.roles import catalogue, markdown_table

    if markdown:
        click.echo(markdown_table(), nl=False)
        return
    for role in catalogue().roles.values():
        click.echo(f"{role.code} ({role.scope}): {', '.join(sorted(role.permissions))}")


commands: list[click.Command] = [jobs_group, roles]
