"""`vigie forms ...`: publish an XLSForm, list forms, issue and revoke device credentials.
Thin: resolves the actor, calls the services, prints; errors exit with their status."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from vigie.core.errors import VigieError, exit_status

MANAGE = "collection.manage"


def _user(name: str) -> Any:
    from vigie.core.models import User

    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        raise click.ClickException(f"no active user named {name!r}")
    return user


def _run(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except VigieError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        for key in ("sheet", "row", "column"):
            if key in exc.detail:
                click.echo(f"  {key}: {exc.detail[key]}", err=True)
        sys.exit(exit_status(exc))


@click.group("forms")
def forms() -> None:
    """Field collection: XLSForm forms for ODK Collect / KoBoCollect, and device credentials."""


@forms.command("publish")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "orgs", multiple=True, required=True, help="Organisation code (repeat).")
@click.option("--user", "username", required=True, help="Who publishes (needs collection.manage).")
@click.option("--encrypt", is_flag=True, help="ODK managed encryption of every submission.")
def publish(path: Path, orgs: tuple[str, ...], username: str, encrypt: bool) -> None:
    """Convert an XLSForm and publish its version to the organisations."""
    from vigie.collection import services
    from vigie.core.actor import acting_organisation, actor_for

    user = _user(username)

    def go() -> Any:
        organisations = [acting_organisation(user, MANAGE, code) for code in orgs]
        actor = actor_for(user, MANAGE, orgs[0])
        return services.publish_form(
            actor, path.read_bytes(), path.name, organisations, encrypt=encrypt
        )

    version = _run(go)
    for warning in version.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"published {version.form.form_id} version {version.version} to {', '.join(orgs)}")


@forms.command("list")
@click.option("--user", "username", required=True)
def list_forms(username: str) -> None:
    """Forms published to the user's organisations, with submission counts."""
    from vigie.collection import selectors

    orgs = selectors.organisations_for(_user(username), MANAGE)
    for row in selectors.monitoring(orgs):
        pubs = ", ".join(f"{p.organisation.code}:{p.version.version}" for p in row["publications"])
        click.echo(
            f"{row['form'].form_id}\t{pubs}\treceived={row['received']}\t"
            f"waiting={row['waiting']}\trejected={row['rejected']}\tlast={row['last'] or '-'}"
        )


@forms.group("credentials")
def credentials() -> None:
    """Issue or revoke the credentials a device or team submits with."""


@credentials.command("issue")
@click.option("--org", required=True)
@click.option("--user", "username", required=True)
@click.option("--label", required=True, help="Device or team, e.g. 'Team Sinjar 2'.")
def issue(org: str, username: str, label: str) -> None:
    """Print the user name and the password (shown once)."""
    from vigie.collection import services
    from vigie.core.actor import acting_organisation, actor_for

    user = _user(username)

    def go() -> Any:
        organisation = acting_organisation(user, MANAGE, org)
        return services.issue_device(actor_for(user, MANAGE, org), organisation, label)

    issued = _run(go)
    click.echo(f"username: {issued.device.username}")
    click.echo(f"password: {issued.secret}")
    click.echo(f"server:   /collect/{org}")


@credentials.command("revoke")
@click.argument("device_username")
@click.option("--user", "username", required=True)
def revoke(device_username: str, username: str) -> None:
    """Revoke a device at once (its next request is refused)."""
    from vigie.collection import services
    from vigie.collection.models import Device
    from vigie.core.actor import Actor

    device = Device.objects.filter(username=device_username).select_related("organisation").first()
    if device is None:
        raise click.ClickException(f"no device named {device_username!r}")
    user = _user(username)
    _run(lambda: services.revoke_device(Actor(user, device.organisation_id), device))
    click.echo(f"revoked {device_username}")


commands = [forms]
