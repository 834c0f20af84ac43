"""``vigie suppliers import|rescreen|export`` — thin: each command calls a service."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from vigie.core.acting import acting
from vigie.core.actor import Actor


def _setup() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


@click.group()
def suppliers() -> None:
    """Supplier registry: import, continuous screening, audit export."""


@suppliers.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML mapping of the file's columns (default: the header names the targets).",
)
@json_option
@acting("suppliers.manage")
def import_(path: Path, mapping_file: Path | None, as_json: bool, actor: Actor) -> None:
    """Register the suppliers of a CSV or XLSX file (all or none; every bad row reported)."""
    from vigie.core.models import Organisation
    from vigie.suppliers import importer

    _setup()
    org = Organisation.objects.get(pk=actor.organisation_id or 0)
    result = importer.import_file(actor, org, path, mapping_path=mapping_file)
    if as_json:
        click.echo(json.dumps({"ok": not result.errors, **result.as_dict()}))
    else:
        for e in result.errors:
            click.echo(f"row {e.row}, column {e.column}, value {e.value!r}: {e.why}", err=True)
        click.echo(f"{len(result.created)} supplier(s) registered.")
    if result.errors:
        sys.exit(1)


@suppliers.command("rescreen")
@json_option
@acting("suppliers.manage")
def rescreen(as_json: bool, actor: Actor) -> None:
    """Queue the suppliers' hits of the watchlist versions in force (idempotent) and
    recompute every risk score (after new DOL lists or case statistics)."""
    from vigie.screening.models import ListVersion
    from vigie.suppliers import selectors, services, watch

    _setup()
    counts = {"new": 0, "changed": 0, "removed": 0}
    for version in ListVersion.objects.filter(status=ListVersion.Status.ACTIVE):
        for k, v in watch.alerts_for_version(version, actor).items():
            counts[k] += v
    scored = services.update_risk(actor, selectors.visible_suppliers(actor))
    if as_json:
        click.echo(json.dumps({"ok": True, "alerts": counts, "scored": scored}))
    else:
        click.echo(
            f"{counts['new']} new, {counts['changed']} changed, {counts['removed']} removed "
            f"hit(s) queued; {scored} score(s) recomputed."
        )


@suppliers.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@acting("suppliers.export")
def export(fmt: str, output: Path, actor: Actor) -> None:
    """Write the whole register with its decisions (recorded in the access log)."""
    from vigie.suppliers import exports

    _setup()
    output.write_bytes(exports.export(actor, fmt))
    click.echo(f"register written to {output}")


commands = [suppliers]
