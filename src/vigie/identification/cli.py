"""``vigie services import|export`` (4W CSV/XLSX) and ``vigie referrals list [--overdue]``.

``--user NAME`` acts as that user (``--organisation CODE`` when they act for several);
``--as-system REASON`` acts as the operator. Errors print their message and exit with
``vigie.core.errors.exit_status``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _actor(username: str | None, org_code: str | None, as_system: str | None, perm: str) -> Any:
    from vigie.core.actor import Actor, actor_for
    from vigie.core.models import Organisation, User

    if as_system:
        org = Organisation.objects.filter(code=org_code).first() if org_code else None
        return Actor.system(as_system, org.pk if org else None)
    if not username:
        raise click.UsageError("say who acts: --user NAME or --as-system REASON")
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise click.ClickException(f"--user {username}: no active user of that name")
    return actor_for(user, perm, org_code)


def _run(fn: Callable[[], Any]) -> Any:
    from vigie.core.errors import VigieError, exit_status

    try:
        return fn()
    except VigieError as exc:
        click.echo(
            f"error: {exc.message} {json.dumps(exc.detail) if exc.detail else ''}".rstrip(),
            err=True,
        )
        sys.exit(exit_status(exc))


WHO = [
    click.option("--user", "username", help="Act as this user."),
    click.option("--organisation", "org_code", help="Organisation code (when acting for several)."),
    click.option("--as-system", "as_system", help="Act as the system, for this reason."),
]


def _who(f: Any) -> Any:
    for option in reversed(WHO):
        f = option(f)
    return f


@click.group()
def services() -> None:
    """The service directory (4W: who does what, where, when)."""


@services.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_who
def services_import(
    path: Path, username: str | None, org_code: str | None, as_system: str | None
) -> None:
    """Load services from a 4W CSV or XLSX file (a bad file changes nothing)."""
    from vigie.identification import directory

    _migrate()
    result = _run(
        lambda: directory.import_services(
            _actor(username, org_code, as_system, "services.manage"), path
        )
    )
    click.echo(json.dumps(result))


@services.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def services_export(path: Path) -> None:
    """Write the directory as a 4W CSV or XLSX file (services are public information)."""
    from vigie.identification import directory

    _migrate()
    click.echo(json.dumps({"rows": directory.export_services(path), "path": str(path)}))


@click.group()
def referrals() -> None:
    """Referrals between organisations."""


@referrals.command("list")
@click.option("--overdue", is_flag=True, help="Only referrals past their deadline.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@_who
def referrals_list(
    overdue: bool, as_json: bool, username: str | None, org_code: str | None, as_system: str | None
) -> None:
    """The referrals your organisations sent or received (no personal data)."""
    from vigie.identification import referrals as refs

    _migrate()

    def rows() -> list[Any]:
        actor = _actor(username, org_code, as_system, "referral.manage")
        qs = refs.overdue(actor) if overdue else refs.visible_referrals(actor)
        return list(
            qs.select_related("organisation", "receiving_organisation").order_by("due_at", "id")[
                :1000
            ]
        )

    for r in _run(rows):
        row = {
            "uuid": str(r.uuid), "from": r.organisation.code, "to": r.receiving_organisation.code,
            "service": r.service_type, "urgency": r.urgency, "state": r.state,
            "due_at": r.due_at.isoformat() if r.due_at else None,
        }  # fmt: skip
        click.echo(json.dumps(row) if as_json else "\t".join(str(v) for v in row.values()))


commands = [services, referrals]
