"""``vigie finance import|run|alerts|precision|report`` — thin: each command calls a service."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from vigie.core.acting import acting
from vigie.core.actor import Actor


def _setup() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _organisation(actor: Actor) -> Any:
    from vigie.core.models import Organisation

    return Organisation.objects.get(pk=actor.organisation_id or 0)


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


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
@json_option
@acting("finance.import")
def import_(
    path: Path, mapping_file: Path | None, partial: bool, as_json: bool, actor: Actor
) -> None:
    """Import a CSV or XLSX file of transactions (atomic unless --partial)."""
    from vigie.finance import mapping, services

    _setup()
    interactive = sys.stdout.isatty() and not as_json

    def progress(done: int, total: int, message: str) -> None:
        if not as_json:
            click.echo(f"{done}/{total} {message}", err=not interactive)

    result = services.import_transactions(
        actor,
        _organisation(actor),
        path,
        mapping.load(mapping_file),
        partial=partial,
        progress=progress,
    )
    if as_json:
        click.echo(json.dumps({"ok": True, **result.as_dict()}))
        return
    click.echo(
        f"{result.rows} transaction(s) imported, {result.rejected} row(s) refused, "
        f"{result.accounts_new} new account(s)."
    )
    for p in result.problems[:20]:
        click.echo(f"  line {p.line}, {p.cell()}: {p.reason}")


@finance.command("run")
@click.option("--rule", "only", multiple=True, help="Run only this rule (repeatable).")
@json_option
@acting("finance.view")
def run(only: tuple[str, ...], as_json: bool, actor: Actor) -> None:
    """Run the red-flag rules and the account scores over the organisation's transactions."""
    from vigie.finance import services

    _setup()
    result = services.run_rules(actor, _organisation(actor), list(only) or None)
    if as_json:
        click.echo(json.dumps({"ok": True, **result.as_dict()}))
        return
    click.echo(f"{result.alerts_new} new alert(s), {result.alerts_updated} updated.")
    for code, count in result.by_rule.items():
        click.echo(f"  {code:<28} {count:>6} account(s)  {result.seconds[code]:.2f} s")


@finance.command("alerts")
@click.option("--status", default=None, help="open, assigned, escalated, false_positive, reported")
@click.option("--limit", type=click.IntRange(1, 100000), default=100)
@json_option
@acting("finance.view")
def alerts(status: str | None, limit: int, as_json: bool, actor: Actor) -> None:
    """List flagged accounts with their score and the rules that fired."""
    from vigie.finance import selectors

    _setup()
    rows = selectors.flagged_accounts(actor, _organisation(actor), status=status, limit=limit)
    if as_json:
        click.echo(json.dumps(rows, default=str))
        return
    if not rows:
        click.echo("No alert. Import transactions, then run `vigie finance run`.")
    for r in rows:
        score = "-" if r["score"] is None else f"{r['score']:.2f}"
        click.echo(f"account #{r['account']:<8} score {score:<5} {', '.join(r['rules'])}")


@finance.command("precision")
@json_option
@acting("finance.view")
def precision(as_json: bool, actor: Actor) -> None:
    """Backtest each rule: the analysts' dispositions of its alerts and its precision (the
    share escalated or reported over everything decided)."""
    from vigie.finance import services

    _setup()
    rows = services.rule_precision(actor, _organisation(actor))
    if as_json:
        click.echo(json.dumps(rows))
        return
    if not rows:
        click.echo("No alert yet.")
    for r in rows:
        share = "-" if r["precision"] is None else f"{r['precision']:.3f}"
        click.echo(
            f"{r['rule']:<28} precision {share:<6} {r['alerts']:>6} alert(s): "
            f"{r['escalated']} escalated, {r['reported']} reported, "
            f"{r['false_positive']} false positive(s)"
        )


@finance.command("report")
@click.option("--alert", "alert_id", required=True, help="The alert's id.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@json_option
@acting("finance.report")
def report(alert_id: str, output: Path, as_json: bool, actor: Actor) -> None:
    """Write the goAML 5.0.1 suspicious-transaction report of an alert (validated)."""
    from vigie.finance import reports, selectors

    _setup()
    data = reports.goaml_str(actor, selectors.get_alert_for(actor, alert_id))
    output.write_bytes(data)
    if as_json:
        click.echo(json.dumps({"ok": True, "file": str(output), "bytes": len(data)}))
    else:
        click.echo(f"{output}: goAML STR, {len(data)} bytes, valid against schema 5.0.1.")


@finance.command("rfi")
@click.option("--alert", "alert_id", required=True, help="The alert's id.")
@click.option("--to", "unit", required=True, help="The unit you ask (its name).")
@click.option("--country", required=True, help="Its country, ISO 3166 alpha-2 (e.g. TN).")
@click.option("--question", "questions", multiple=True, required=True, help="Repeat per question.")
@click.option("--urgent", is_flag=True, help="Ask for an answer within 7 days (else 30).")
@click.option(
    "--terrorism-financing", "tf", is_flag=True, help="Say the flows may finance terrorism."
)
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@json_option
@acting("finance.report")
def rfi(
    alert_id: str,
    unit: str,
    country: str,
    questions: tuple[str, ...],
    urgent: bool,
    tf: bool,
    lang: str,
    output: Path,
    as_json: bool,
    actor: Actor,
) -> None:
    """Write a request for information to another FIU (Egmont style, PDF) from an alert."""
    from vigie.finance import rfi as requests
    from vigie.finance import selectors

    _setup()
    alert = selectors.get_alert_for(actor, alert_id)
    req = requests.Request(
        unit, country, list(questions), "urgent" if urgent else "normal", tf, lang
    )
    data = requests.build(actor, alert, req, requesting_unit=alert.organisation.name)
    output.write_bytes(data)
    if as_json:
        click.echo(json.dumps({"ok": True, "file": str(output), "bytes": len(data)}))
    else:
        click.echo(f"{output}: request for information to {unit}, {len(data)} bytes.")


@finance.command("train")
@click.option("--rows", type=click.IntRange(10_000), default=200_000)
@click.option("--networks", type=click.IntRange(5), default=40)
def train(rows: int, networks: int) -> None:
    """Fit the account-scoring model on generated typologies (needs the ml extra)."""
    from vigie.finance import training

    _setup()
    data = training.fit(rows, networks)
    click.echo(json.dumps(data, indent=2))


commands = [finance]
