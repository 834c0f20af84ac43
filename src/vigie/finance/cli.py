"""``vigie finance import|run|alerts|report`` — thin: each command calls a service."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click


def _setup() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _actor(username: str | None, as_system: bool, org: str | None, perm: str) -> Any:
    """One rule for every finance command: ``--user NAME [--org CODE]`` or ``--as-system``."""
    from vigie.core.actor import Actor, acting_organisation
    from vigie.core.errors import Invalid
    from vigie.core.models import Organisation, User

    if as_system == bool(username):
        raise Invalid("Name the user with --user NAME, or say --as-system.", code="actor_required")
    if as_system:
        if not org:
            raise Invalid("--as-system needs --org CODE.", code="organisation_required")
        found = Organisation.objects.filter(code=org, is_active=True).first()
        if found is None:
            raise Invalid(
                f"No active organisation has the code {org}.", code="unknown_organisation"
            )
        return Actor.system("command line --as-system", found.pk), found
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise Invalid(f"No active user is called {username}.", code="unknown_user")
    organisation = acting_organisation(user, perm, org)
    return Actor(user=user, organisation_id=organisation.pk), organisation


def _fail(exc: Exception, as_json: bool) -> None:
    from vigie.core.errors import VigieError, exit_status

    if not isinstance(exc, VigieError):
        raise exc
    if as_json:
        click.echo(json.dumps({"ok": False, **exc.as_problem()}, default=str))
    else:
        click.echo(f"Error: {exc.message}", err=True)
    sys.exit(exit_status(exc))


def _who(func: Any) -> Any:
    for option in reversed(
        [
            click.option("--user", "username", help="Act as this user (their permissions)."),
            click.option("--as-system", is_flag=True, help="Act as the system (audited)."),
            click.option("--org", help="The organisation (code) to act for."),
            click.option("--json", "as_json", is_flag=True, help="Print one JSON object."),
        ]
    ):
        func = option(func)
    return func


@click.group()
def finance() -> None:
    """Financial flows: transactions, red-flag alerts, goAML reports."""


@finance.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML mapping of the file's columns (default: Vigie's own column names).",
)
@click.option("--partial", is_flag=True, help="Import the good rows; report the others.")
@_who
def import_(
    path: Path,
    mapping_file: Path | None,
    partial: bool,
    username: str | None,
    as_system: bool,
    org: str | None,
    as_json: bool,
) -> None:
    """Import a CSV or XLSX file of transactions (atomic unless --partial)."""
    from vigie.finance import mapping, services

    _setup()
    try:
        actor, organisation = _actor(username, as_system, org, "finance.import")
        mapped = mapping.load(mapping_file)
        interactive = sys.stdout.isatty() and not as_json

        def progress(done: int, total: int, message: str) -> None:
            if not as_json:
                click.echo(f"{done}/{total} {message}", err=not interactive)

        result = services.import_transactions(
            actor, organisation, path, mapped, partial=partial, progress=progress
        )
    except Exception as exc:  # VigieError only; anything else is re-raised
        _fail(exc, as_json)
        return
    if as_json:
        click.echo(json.dumps({"ok": True, **result.as_dict()}))
        return
    click.echo(
        f"{result.rows} transaction(s) imported, {result.rejected} row(s) refused, "
        f"{result.accounts_new} new account(s)."
    )
    for p in result.problems[:20]:
        value = f" = {p.value!r}" if p.value is not None else ""
        click.echo(f"  line {p.line}, {p.column}{value}: {p.reason}")


@finance.command("run")
@click.option("--rule", "only", multiple=True, help="Run only this rule (repeatable).")
@_who
def run(
    only: tuple[str, ...], username: str | None, as_system: bool, org: str | None, as_json: bool
) -> None:
    """Run the red-flag rules and the account scores over the organisation's transactions."""
    from vigie.finance import services

    _setup()
    try:
        actor, organisation = _actor(username, as_system, org, "finance.view")
        result = services.run_rules(actor, organisation, list(only) or None)
    except Exception as exc:
        _fail(exc, as_json)
        return
    if as_json:
        click.echo(json.dumps({"ok": True, **result.as_dict()}))
        return
    click.echo(f"{result.alerts_new} new alert(s), {result.alerts_updated} updated.")
    for code, count in result.by_rule.items():
        click.echo(f"  {code:<28} {count:>6} account(s)  {result.seconds[code]:.2f} s")


@finance.command("alerts")
@click.option("--status", default=None, help="open, assigned, escalated, false_positive, reported")
@click.option("--limit", type=click.IntRange(1, 100000), default=100)
@_who
def alerts(
    status: str | None,
    limit: int,
    username: str | None,
    as_system: bool,
    org: str | None,
    as_json: bool,
) -> None:
    """List flagged accounts with their score and the rules that fired."""
    from vigie.finance import selectors

    _setup()
    try:
        actor, organisation = _actor(username, as_system, org, "finance.view")
    except Exception as exc:
        _fail(exc, as_json)
        return
    rows = selectors.flagged_accounts(actor, organisation, status=status, limit=limit)
    if as_json:
        click.echo(json.dumps(rows, default=str))
        return
    if not rows:
        click.echo("No alert. Import transactions, then run `vigie finance run`.")
    for r in rows:
        score = "-" if r["score"] is None else f"{r['score']:.2f}"
        click.echo(f"account #{r['account']:<8} score {score:<5} {', '.join(r['rules'])}")


@finance.command("report")
@click.option("--alert", "alert_id", required=True, help="The alert's id.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@_who
def report(
    alert_id: str,
    output: Path,
    username: str | None,
    as_system: bool,
    org: str | None,
    as_json: bool,
) -> None:
    """Write the goAML 5.0.1 suspicious-transaction report of an alert (validated)."""
    from vigie.finance import reports, selectors

    _setup()
    try:
        actor, _organisation = _actor(username, as_system, org, "finance.report")
        alert = selectors.get_alert_for(actor, alert_id)
        data = reports.goaml_str(actor, alert)
    except Exception as exc:
        _fail(exc, as_json)
        return
    output.write_bytes(data)
    if as_json:
        click.echo(json.dumps({"ok": True, "file": str(output), "bytes": len(data)}))
    else:
        click.echo(f"{output}: goAML STR, {len(data)} bytes, valid against schema 5.0.1.")


@finance.command("train")
@click.option("--rows", type=click.IntRange(10_000), default=200_000)
@click.option("--networks", type=click.IntRange(5), default=40)
def train(rows: int, networks: int) -> None:
    """Fit the account-scoring model on generated typologies (needs the ml extra)."""
    from vigie.finance import training

    _setup()
    try:
        data = training.fit(rows, networks)
    except Exception as exc:
        _fail(exc, False)
        return
    click.echo(json.dumps(data, indent=2))


commands = [finance]
