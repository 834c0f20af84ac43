"""``vigie graph export|import|stats|path|rebuild|xref`` — thin: each command calls the
network app's selectors, analysis, interchange or services."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from vigie.core.acting import acting
from vigie.core.actor import Actor

PERM = "network.view"
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


def _setup() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _scope(actor: Actor) -> Any:
    from vigie.network import selectors

    return selectors.scope_for(actor)


@click.group()
def graph() -> None:
    """Networks: the graph of people, groups, phones, accounts and places in the records."""


@graph.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["ftm", "graphml", "gexf"]), default="ftm",
    show_default=True, help="FollowTheMoney JSON lines, or GraphML/GEXF for Gephi.",
)  # fmt: skip
@click.option("--node", type=int, help="Only this node's neighbourhood.")
@click.option("--depth", type=click.IntRange(1, 4), default=2, show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path))
@acting(PERM, needs_org=False)
def export(fmt: str, node: int | None, depth: int, output: Path | None, actor: Actor) -> None:
    """Export what you may see of the graph (identities only where you may see them; the
    export is recorded in the access log)."""
    from vigie.network import interchange

    _setup()
    data = interchange.export(_scope(actor), fmt, node, depth)
    if output:
        output.write_bytes(data)
        click.echo(f"{len(data)} bytes written to {output}", err=True)
    else:
        sys.stdout.buffer.write(data)


@graph.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@acting("network.import")
def import_(path: Path, as_json: bool, actor: Actor) -> None:
    """Import FollowTheMoney entities (JSON lines) as links recorded by your organisation."""
    from vigie.network import services

    _setup()
    with path.open(encoding="utf-8") as lines:
        record = services.import_ftm(actor, lines, path.name)
    out = {"import": str(record.uuid), "entities": record.entities, "links": record.edges}
    click.echo(json.dumps(out) if as_json else f"{record.entities} entities, {record.edges} links")


@graph.command("stats")
@json_option
@acting(PERM, needs_org=False)
def stats(as_json: bool, actor: Actor) -> None:
    """Components, brokers (betweenness) and communities of what you may see."""
    from vigie.network import analysis

    _setup()
    result = analysis.stats(_scope(actor))
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    click.echo(
        f"{result['nodes']} nodes, {result['edges']} links, {result['components']} components"
    )
    for b in result["brokers"]:
        click.echo(f"broker {b['node']['id']} {b['node']['label']} {b['betweenness']}")
    for c in result["communities"]:
        click.echo(f"community of {c['size']} around {c['hub']['id']} {c['hub']['label']}")


@graph.command("path")
@click.argument("source", type=int)
@click.argument("target", type=int)
@json_option
@acting(PERM, needs_org=False)
def path_(source: int, target: int, as_json: bool, actor: Actor) -> None:
    """The shortest chain of links you may see between two nodes."""
    from vigie.network import analysis

    _setup()
    drawn = analysis.path(_scope(actor), source, target)
    if as_json:
        click.echo(json.dumps(drawn.as_dict(), ensure_ascii=False))
        return
    for e in drawn.edges:
        a, b = drawn.nodes[e["source"]]["label"], drawn.nodes[e["target"]]["label"]
        click.echo(f"{a} -{e['kind']}- {b}  ({e['record_type']}, {e['organisation']})")


def _run(kind: str, actor: Actor) -> dict[str, Any]:
    from vigie.core import jobs
    from vigie.network import services

    job = jobs.run_now(services.start_job(actor, kind))
    if job.status != job.Status.SUCCEEDED:
        raise click.ClickException(job.error or job.status)
    return dict(job.result or {})


@graph.command("rebuild")
@json_option
@acting(PERM, needs_org=False)
def rebuild(as_json: bool, actor: Actor) -> None:
    """Read every case, evidence item and account into the graph again."""
    from vigie.network import tasks

    _setup()
    click.echo(json.dumps(_run(tasks.REBUILD, actor)))


@graph.command("xref")
@json_option
@acting(PERM, needs_org=False)
def xref(as_json: bool, actor: Actor) -> None:
    """Cross-reference every person, organisation and group with the watchlists in force."""
    from vigie.network import tasks

    _setup()
    click.echo(json.dumps(_run(tasks.XREF, actor)))


commands = [graph]
