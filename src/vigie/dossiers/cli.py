"""``vigie dossier list|create|export`` — thin: each command calls a service or selector.

Who acts: ``--user NAME [--org CODE]`` or ``--as-system`` (vigie.core.acting, audited).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from vigie.core.acting import acting
from vigie.core.actor import Actor


def _setup() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


@click.group()
def dossier() -> None:
    """Designation dossiers for sanctions panels of experts (resolution 2331, paras 12-14)."""


@dossier.command("list")
@click.option("--status", type=click.Choice(["draft", "under_review", "submitted"]))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array.")
@acting("dossier.view", needs_org=False)
def list_(status: str | None, as_json: bool, actor: Actor) -> None:
    """The dossiers the actor may see (subjects' names shown: the listing is recorded)."""
    from vigie.dossiers import selectors

    _setup()
    rows = list(selectors.visible_dossiers(actor, status)[:500])
    selectors.record_list_view(actor, rows)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "uuid": str(d.uuid),
                        "reference": d.reference,
                        "regime": d.regime,
                        "status": d.status,
                        "name": d.primary_name,
                    }
                    for d in rows
                ],
                ensure_ascii=False,
            )
        )
        return
    for d in rows:
        click.echo(f"{d.reference}  {d.uuid}  {d.regime:<5} {d.status:<13} {d.primary_name}")
    if not rows:
        click.echo("No dossier.")


@dossier.command("create")
@click.option("--regime", required=True, help="Regime code: 1970, 2140, 2127, 1533, 2206, 1267.")
@click.option("--kind", type=click.Choice(["individual", "entity"]), default="individual")
@click.option("--name", "primary_name", required=True, help="The person's or entity's name.")
@click.option("--narrative", default="", help="Narrative summary of reasons for listing.")
@click.option("--nationality", "nationalities", multiple=True, help="ISO code (repeatable).")
@acting("dossier.edit")
def create(
    regime: str,
    kind: str,
    primary_name: str,
    narrative: str,
    nationalities: tuple[str, ...],
    actor: Actor,
) -> None:
    """Open a draft dossier; prints its reference and id."""
    from vigie.dossiers import services

    _setup()
    d = services.create_dossier(
        actor, kind=kind, regime=regime, primary_name=primary_name,
        narrative=narrative, nationalities=list(nationalities),
    )  # fmt: skip
    click.echo(f"{d.reference} {d.uuid}")


@dossier.command("export")
@click.argument("dossier_id")
@click.option("--format", "fmt", type=click.Choice(["pdf", "xml"]), default="pdf")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="en")
@click.option(
    "--with-identities",
    is_flag=True,
    help="Add victims' identities in a confidential annex of the PDF, for cases whose "
    "organisation lets you export them (recorded).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@acting("dossier.export", needs_org=False)
def export(
    dossier_id: str,
    fmt: str,
    lang: str,
    with_identities: bool,
    output: Path | None,
    actor: Actor,
) -> None:
    """Export dossier DOSSIER_ID (its uuid or reference) as the draft listing form (PDF) or a
    Consolidated List entry (XML). Every export is recorded in the access log."""
    from vigie.dossiers import exports, selectors
    from vigie.dossiers.models import Dossier

    _setup()
    key = dossier_id
    if not _is_uuid(dossier_id):
        found = Dossier.objects.filter(reference=dossier_id).values_list("uuid", flat=True).first()
        key = str(found) if found else "00000000-0000-0000-0000-000000000000"
    d = selectors.get_dossier_for(actor, key, "dossier.export")
    out = exports.export(
        actor.with_organisation(d.organisation_id), d, fmt, lang, identities=with_identities
    )
    target = output or Path(out.filename)
    target.write_bytes(out.content)
    click.echo(f"{target} sha256 {out.sha256}")


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


commands = [dossier]
