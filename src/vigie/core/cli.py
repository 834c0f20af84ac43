"""`vigie jobs ...`: follow, cancel and rerun background jobs from the terminal."""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, Any

import click
from django.core.exceptions import ValidationError

from vigie.core.acting import acting
from vigie.core.cli_accounts import orgs, users

if TYPE_CHECKING:  # the models load after Django is set up, when a command runs (vigie.cli)
    from vigie.core.actor import Actor
    from vigie.core.models import Job

# Job.Status values, spelled out so that `vigie --help` needs no model import.
JOB_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")


class ProgressLine:
    """Progress on stderr: one self-updating line on a terminal; elsewhere (a pipe, a log
    file, CI) plain lines, at most one every ``every`` seconds, and the last one."""

    def __init__(self, every: float = 5.0) -> None:
        self.tty = sys.stderr.isatty()
        self.every = every
        self.last = 0.0
        self.pending = ""

    def show(self, text: str, final: bool = False) -> None:
        if self.tty:
            click.echo(f"\r{text}", nl=final, err=True)
            return
        now = time.monotonic()
        if final or now - self.last >= self.every:
            click.echo(text, err=True)
            self.last, self.pending = now, ""
        else:
            self.pending = text

    def end(self) -> None:
        """Close the line: a newline on a terminal, the last unprinted line elsewhere."""
        if self.tty:
            click.echo("", err=True)
        elif self.pending:
            click.echo(self.pending, err=True)
        self.pending = ""


_JOB_LINE: dict[str, ProgressLine] = {}


def terminal_progress(job: Job) -> None:
    """A job listener: a progress bar on a terminal's stderr, plain lines elsewhere."""
    line = _JOB_LINE.setdefault(str(job.pk), ProgressLine())
    width = 30
    if job.total:
        filled = int(width * min(job.done, job.total) / job.total)
        shown = f"{job.percent:3d}% {job.done}/{job.total}"
        bar = f"[{'#' * filled}{'.' * (width - filled)}] {shown}" if line.tty else shown
    else:
        bar = f"[{'?' * 3}] {job.done}" if line.tty else f"{job.done}"
    message = f"{job.message[:60]:<60}" if line.tty else job.message
    line.show(f"{bar} {message}".rstrip(), final=job.is_finished)
    if job.is_finished:
        _JOB_LINE.pop(str(job.pk), None)


def run_in_terminal(job: Job) -> Job:
    """Run a queued job here with a progress line; a failure becomes a clear CLI error."""
    from vigie.core import jobs
    from vigie.core.models import Job

    finished = jobs.run_now(job, listener=terminal_progress)
    if finished.status == Job.Status.FAILED:
        raise click.ClickException(f"job {finished.pk} failed: {finished.error}")
    if finished.status == Job.Status.CANCELLED:
        raise click.ClickException(f"job {finished.pk} was cancelled")
    return finished


def _get(job_id: str) -> Job:
    from vigie.core.models import Job

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
@click.option("--status", type=click.Choice(JOB_STATUSES), help="Only jobs in this state.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_jobs(status: str | None, limit: int, as_json: bool) -> None:
    """The most recent jobs."""
    from vigie.core.models import Job

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
    if job.status != "succeeded":
        click.echo(job.error or job.status, err=True)
        sys.exit(1)


def _manage(actor: Actor, job: Job, what: str) -> None:
    """The job's creator, an administrator of its organisation, a system administrator, or
    the system (``--as-system``) may cancel or rerun it (the API's rule, jobs.can_manage)."""
    from vigie.core import jobs
    from vigie.core.errors import Forbidden

    if actor.user is not None and not jobs.can_manage(actor.user, job):
        text = (
            _("You may not cancel this job.")
            if what == "cancel"
            else _("You may not rerun this job.")
        )
        raise Forbidden(text, code="job_not_yours")


def _(text: str) -> str:
    """gettext, imported when a message is made (``vigie --help`` imports this module)."""
    from django.utils.translation import gettext

    return gettext(text)


@jobs_group.command("cancel")
@click.argument("job_id")
@acting(None, needs_org=False, org_option=False)
def cancel(job_id: str, actor: Actor) -> None:
    """Ask a job to stop (a running job stops at its next progress update)."""
    from vigie.core import jobs

    job = _get(job_id)
    _manage(actor, job, "cancel")
    if job.is_finished:
        raise click.ClickException(f"job {job.pk} has already finished ({job.status})")
    jobs.request_cancel(job)
    click.echo(f"job {job.pk}: cancellation requested")


@jobs_group.command("rerun")
@click.argument("job_id")
@acting(None, needs_org=False, org_option=False)
def rerun(job_id: str, actor: Actor) -> None:
    """Run a failed or cancelled job again, here, resuming from its last checkpoint."""
    from vigie.core import jobs

    job = _get(job_id)
    _manage(actor, job, "rerun")
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
@acting("system.orgs.manage", needs_org=False, org_option=False)
def recover(stale_after: int, actor: Actor) -> None:
    """Mark jobs whose worker died as failed, so they can be rerun (a system administrator,
    or the system)."""
    from vigie.core import jobs

    click.echo(f"{jobs.recover_interrupted(stale_after)} interrupted job(s) marked failed")


def _person(username: str) -> Any:
    from vigie.core.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise click.ClickException(f"no active user {username!r}")
    return user


@click.group("grants")
def grants_group() -> None:
    """Four-eyes role grants: roles that see identities wait for a second administrator."""


@grants_group.command("list")
@click.option("--user", "username", required=True, help="The administrator asking.")
@click.option(
    "--status",
    type=click.Choice(["pending", "approved", "refused", "withdrawn", "all"]),
    default="pending",
    show_default=True,
)
def list_grants(username: str, status: str) -> None:
    """Role grants of the organisations you administer."""
    from vigie.core import selectors

    rows = selectors.visible_grants(_person(username), status=status)
    if not rows:
        click.echo("No role grants.", err=True)
    for g in rows:
        by = g.requested_by.username if g.requested_by else "-"
        click.echo(
            f"{g.pk}  {g.organisation.code:<10} {g.user.username:<20} {g.role:<18} "
            f"{g.status:<9} asked by {by}"
        )


@grants_group.command("request")
@click.option("--organisation", "org_code", required=True)
@click.option("--member", required=True, help="Username of the person to give the role to.")
@click.option("--role", required=True)
@acting("org.users.manage", needs_org=False, org_option=False)
def request_grant(org_code: str, member: str, role: str, actor: Actor) -> None:
    """Give ``--member`` a role (at once, or waiting for approval if it sees identities).

    Asked ``--as-system``, a role that sees identities still waits for a person to approve
    it: the system is nobody's second pair of eyes."""
    from vigie.core import grants, selectors, services
    from vigie.core.actor import Actor as Act
    from vigie.core.actor import actor_for

    if actor.user is not None:
        actor = actor_for(actor.user, "org.users.manage", org_code)
        org = selectors.get_administered_organisation(actor, org_code)
    else:
        org = _organisation(org_code)
        actor = Act.system(actor.reason, org.pk)
    person = _person(member)
    if actor.is_system and grants.needs_approval(role):
        pending = [grants.request(actor, user=person, organisation=org, role=role)]
    else:
        roles = [*selectors.roles_in(person, org), role]
        pending = services.set_roles(actor, user=person, organisation=org, roles=roles)
    for g in pending:
        click.echo(f"grant {g.pk}: {g.role} for {person.username} waits for another administrator")
    if not pending:
        click.echo(f"{person.username} now holds {role} in {org.code}")


def _organisation(code: str) -> Any:
    from vigie.core.errors import Invalid
    from vigie.core.models import Organisation

    org = Organisation.objects.filter(code=code, is_active=True).first()
    if org is None:
        raise Invalid(
            _("No active organisation has the code “%(code)s”.") % {"code": code},
            code="unknown_organisation",
        )
    return org


def _decide(actor: Actor, grant_id: int, decision: str) -> None:
    """A person decides (the service refuses the system: a system approval would defeat the
    four-eyes rule, ``grant_needs_person``)."""
    from vigie.core import grants, selectors
    from vigie.core.actor import Actor as Act
    from vigie.core.models import PendingGrant

    if actor.user is not None:
        found = selectors.visible_grants(actor.user, status="all").filter(pk=grant_id).first()
    else:
        found = PendingGrant.objects.filter(pk=grant_id).first()
    if found is None:
        raise click.ClickException(f"no role grant {grant_id} in an organisation you administer")
    if actor.user is not None:
        actor = Act(user=actor.user, organisation_id=found.organisation_id)
    grant = found
    if decision == "approve":
        grants.approve(actor, grant)
    else:
        grant = grants.refuse(actor, grant)
    grant.refresh_from_db()
    click.echo(f"grant {grant.pk}: {grant.status}")


@grants_group.command("approve")
@click.argument("grant_id", type=int)
@acting("org.users.manage", needs_org=False, org_option=False)
def approve_grant(grant_id: int, actor: Actor) -> None:
    """Approve a role grant another administrator asked for (a person: not --as-system)."""
    _decide(actor, grant_id, "approve")


@grants_group.command("refuse")
@click.argument("grant_id", type=int)
@acting("org.users.manage", needs_org=False, org_option=False)
def refuse_grant(grant_id: int, actor: Actor) -> None:
    """Refuse a role grant (or withdraw your own request)."""
    _decide(actor, grant_id, "refuse")


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


commands: list[click.Command] = [jobs_group, grants_group, roles, orgs, users]
