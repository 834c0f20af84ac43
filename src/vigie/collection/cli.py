"""`vigie forms ...`: publish an XLSForm, list forms, import KoBoToolbox and ODK Central
exports, issue and revoke device credentials. Thin: who acts comes from vigie.core.acting
(``--user NAME [--org CODE]`` or ``--as-system``), the services do the work; errors exit with
their status."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from vigie.core.acting import acting
from vigie.core.actor import Actor
from vigie.core.errors import VigieError, exit_status

MANAGE = "collection.manage"


def _run(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except VigieError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        for key in ("sheet", "row", "column"):
            if key in exc.detail:
                click.echo(f"  {key}: {exc.detail[key]}", err=True)
        sys.exit(exit_status(exc))


def _organisation(actor: Actor, code: str) -> Any:
    """An organisation the actor publishes to: held with collection.manage (users), or any
    active one (the system)."""
    from vigie.core.actor import acting_organisation
    from vigie.core.errors import Invalid
    from vigie.core.models import Organisation

    if actor.user is not None:
        return acting_organisation(actor.user, MANAGE, code)
    org = Organisation.objects.filter(code=code, is_active=True).first()
    if org is None:
        raise Invalid(f"no active organisation has the code {code!r}", code="unknown_organisation")
    return org


@click.group("forms")
def forms() -> None:
    """Field collection: XLSForm forms for ODK Collect / KoBoCollect, and device credentials."""


@forms.command("publish")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--also", "more", multiple=True, help="Publish to this organisation too (repeat).")
@click.option(
    "--team", "teams", multiple=True, help="Only these field teams of the organisations (repeat)."
)
@click.option("--encrypt", is_flag=True, help="ODK managed encryption of every submission.")
@acting(MANAGE)
def publish(
    path: Path, more: tuple[str, ...], teams: tuple[str, ...], encrypt: bool, actor: Actor
) -> None:
    """Convert an XLSForm and publish its version to the organisation acted for (--org) and
    those named with --also."""
    from vigie.collection import services
    from vigie.core.models import Organisation

    def go() -> Any:
        first = Organisation.objects.get(pk=actor.organisation_id or 0)
        organisations = [first, *(_organisation(actor, code) for code in more)]
        return services.publish_form(
            actor, path.read_bytes(), path.name, organisations, encrypt=encrypt, teams=list(teams)
        )

    version = _run(go)
    for warning in version.warnings:
        click.echo(f"warning: {warning}", err=True)
    orgs = ", ".join(
        sorted(
            p.organisation.code for p in version.form.publications.select_related("organisation")
        )
    )
    click.echo(f"published {version.form.form_id} version {version.version} to {orgs}")


@forms.command("list")
@acting(MANAGE, needs_org=False)
def list_forms(actor: Actor) -> None:
    """Forms published to the organisations acted for, with submission counts."""
    from vigie.collection import selectors
    from vigie.core.models import Organisation

    if actor.user is not None:
        orgs = selectors.organisations_for(actor.user, MANAGE)
    else:
        orgs = Organisation.objects.filter(is_active=True)
    if actor.organisation_id:
        orgs = orgs.filter(pk=actor.organisation_id)
    for row in selectors.monitoring(orgs):
        pubs = ", ".join(f"{p.organisation.code}:{p.version.version}" for p in row["publications"])
        click.echo(
            f"{row['form'].form_id}\t{pubs}\treceived={row['received']}\t"
            f"waiting={row['waiting']}\trejected={row['rejected']}\tlast={row['last'] or '-'}"
        )


def _set_open(actor: Actor, form_id: str, is_open: bool) -> None:
    from vigie.collection import selectors, services
    from vigie.core.models import Organisation

    def go() -> Any:
        org = Organisation.objects.get(pk=actor.organisation_id or 0)
        return services.set_open(
            actor, selectors.publication_for(actor, org.code, form_id), is_open
        )

    pub = _run(go)
    state = "open" if pub.is_open else "closed"
    click.echo(f"{pub.form.form_id} in {pub.organisation.code}: {state}")


@forms.command("close")
@click.argument("form_id")
@acting(MANAGE)
def close(form_id: str, actor: Actor) -> None:
    """Close the form's publication to the organisation acted for (--org): its devices no
    longer see it and submissions to it are refused; those received stay to review."""
    _set_open(actor, form_id, False)


@forms.command("reopen")
@click.argument("form_id")
@acting(MANAGE)
def reopen(form_id: str, actor: Actor) -> None:
    """Reopen a closed form publication: devices see it again and may send to it."""
    _set_open(actor, form_id, True)


@forms.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--form", "form_id", required=True, help="The form id of the exported form.")
@acting(MANAGE)
def import_(path: Path, form_id: str, actor: Actor) -> None:
    """Import a KoBoToolbox (XLSX, CSV) or ODK Central (submissions ZIP) export of a
    published form into the review queue of the organisation acted for, as a job."""
    from vigie.collection.models import Form
    from vigie.collection.tasks import IMPORT
    from vigie.core import jobs
    from vigie.core.models import Job

    # form ids are unique per owner: the one meant is published to the organisation acted for
    form = Form.objects.filter(
        form_id=form_id, publications__organisation_id=actor.organisation_id or 0
    ).first()
    if form is None:
        raise click.ClickException(f"no form {form_id!r} published to this organisation")
    jobs.recover_interrupted()
    job = Job.objects.create(
        kind=IMPORT,
        organisation_id=actor.organisation_id,
        created_by=actor.user,
        params={
            "path": str(path.resolve()),
            "form_id": form_id,
            "organisation_id": actor.organisation_id,
            "user_id": actor.user.pk if actor.user is not None else None,
            "system_reason": actor.reason,
        },
    )
    job = jobs.run_now(job)
    result = job.result or {}
    if job.status != Job.Status.SUCCEEDED:
        click.echo(f"Error: {job.error}", err=True)
        sys.exit(1)
    click.echo(
        f"{result.get('rows', 0)} rows: {result.get('created', 0)} created, "
        f"{result.get('duplicates', 0)} already received, {result.get('rejected', 0)} rejected, "
        f"{result.get('attachments', 0)} attachments"
    )
    for p in result.get("problems", []):
        click.echo(
            f"  {p['file']}, row {p['row']}, column {p['column']}: "
            f"{repr(p['value']) if p['value'] else p.get('shape') or '-'}: {p['why']}"
        )


@forms.group("credentials")
def credentials() -> None:
    """Issue or revoke the credentials a device or team submits with."""


@credentials.command("issue")
@click.option("--label", required=True, help="Device or team, e.g. 'Team Sinjar 2'.")
@click.option("--team", default="", help="The field team the device belongs to.")
@acting(MANAGE)
def issue(label: str, team: str, actor: Actor) -> None:
    """Print the user name and the password (shown once)."""
    from vigie.collection import services
    from vigie.core.models import Organisation

    organisation = Organisation.objects.get(pk=actor.organisation_id or 0)
    issued = _run(lambda: services.issue_device(actor, organisation, label, team=team))
    click.echo(f"username: {issued.device.username}")
    click.echo(f"password: {issued.secret}")
    click.echo(f"server:   /collect/{organisation.code}")


@credentials.command("revoke")
@click.argument("device_username")
@acting(MANAGE, needs_org=False)
def revoke(device_username: str, actor: Actor) -> None:
    """Revoke a device at once (its next request is refused)."""
    from vigie.collection import services
    from vigie.collection.models import Device

    device = Device.objects.filter(username=device_username).select_related("organisation").first()
    if device is None:
        raise click.ClickException(f"no device named {device_username!r}")
    if actor.user is not None:
        actor = Actor(actor.user, device.organisation_id)
    _run(lambda: services.revoke_device(actor, device))
    click.echo(f"revoked {device_username}")


commands = [forms]
