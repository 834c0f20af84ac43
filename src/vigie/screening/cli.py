"""``vigie lists load|show`` and ``vigie screen`` (one name, or a batch file)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vigie.core.acting import acting

if TYPE_CHECKING:
    from vigie.core.actor import Actor
    from vigie.core.models import Job


def _migrate() -> None:
    """Bring the database up to date, first checking whether it is: ``migrate`` itself sends
    the post-migrate signals (permissions, content types) even with nothing to apply, about
    a second of every ``vigie screen`` (ADR 0543)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)


@click.group()
def lists() -> None:
    """Watchlists: load a new version, show the versions in force."""


@lists.command("load")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--source",
    type=click.Choice(["un", "ofac", "ftm", "csv", "debarment"]),
    help="Default: guessed.",
)
@click.option("--code", help="Watchlist code (default: from the format, e.g. un-sc, ofac-sdn).")
@click.option("--mapping", help='CSV lists: JSON {"name": "Vendor name", "reference": "ID", ...}.')
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@acting("lists.manage", needs_org=False)
def lists_load(
    path: Path,
    source: str | None,
    code: str | None,
    mapping: str | None,
    as_json: bool,
    actor: Actor,
) -> None:
    """Load PATH as the new version of its watchlist (added, removed, amended are recorded;
    saved subjects are re-screened). A bad file changes nothing. Who loads it: --user NAME
    (a list manager) or --as-system; audited."""
    from vigie.core.models import Job

    actor.require("lists.manage")  # lists serve every organisation: held in any of them

    _migrate()
    try:
        mapping_dict = json.loads(mapping) if mapping else None
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"--mapping is not JSON: {exc}") from None
    job = Job.objects.create(
        kind="screening.load",
        created_by=actor.user,
        params={
            "path": str(path.resolve()),
            "source": source,
            "code": code,
            "mapping": mapping_dict,
        },
    )

    job = _run_here(job, as_json)
    if job.status != Job.Status.SUCCEEDED:
        if as_json:
            click.echo(json.dumps({"ok": False, "error": job.error}))
            sys.exit(1)
        raise click.ClickException(f"list not loaded: {job.error}")
    result: dict[str, Any] = job.result or {}
    if as_json:
        click.echo(json.dumps({"ok": True, **result}))
    elif result.get("unchanged_file"):
        click.echo(
            f"{result['watchlist']}: this file is already version {result['version']} (in force)."
        )
    else:
        click.echo(
            f"{result['watchlist']} version {result['version']}: {result['entries']} entries "
            f"({result['names']} names); {result['added']} added, {result['removed']} removed, "
            f"{result['amended']} amended."
        )


@lists.command("show")
@click.option("--json", "as_json", is_flag=True)
def lists_show(as_json: bool) -> None:
    """The watchlists and their versions."""
    from vigie.screening import selectors

    _migrate()
    rows = [
        {
            "watchlist": v.watchlist.code,
            "version": v.number,
            "status": v.status,
            "file": v.file_name,
            "published": v.published,
            "entries": v.entry_count,
            "added": v.added,
            "removed": v.removed,
            "amended": v.amended,
            "loaded_at": v.loaded_at.isoformat(),
        }
        for w in selectors.watchlists()
        for v in w.versions.all()
    ]
    if as_json:
        click.echo(json.dumps(rows))
        return
    if not rows:
        click.echo("No list loaded yet: vigie lists load PATH --user NAME (or --as-system)")
    for r in rows:
        click.echo(
            f"{r['watchlist']:<14} v{r['version']:<3} {r['status']:<10} {r['entries']:>6} entries  "
            f"+{r['added']} -{r['removed']} ~{r['amended']}  {r['file']} {r['published']}"
        )


@click.command()
@click.argument("name", required=False)
@click.option("--birth-date", default="", help="YYYY-MM-DD or YYYY.")
@click.option("--country", default="", help="Nationality or country (name or ISO code).")
@click.option("--document", default="", help="Passport or identity document number.")
@click.option("--type", "schema", type=click.Choice(["person", "organization"]), default=None)
@click.option("--batch", "batch_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--threshold", type=click.FloatRange(0, 1), default=None)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes for --batch (default: one per core, at most 8).",
)
@click.option(
    "--perpetrators",
    is_flag=True,
    help="Screen the perpetrators recorded in cases not yet screened (or changed since).",
)
@click.option("--org", "org_code", help="With --perpetrators: one organisation's cases (code).")
@click.option(
    "--since",
    help="With --perpetrators: cases created or changed since this ISO date or time.",
)
@click.option("--json", "as_json", is_flag=True)
def screen(
    name: str | None,
    birth_date: str,
    country: str,
    document: str,
    schema: str | None,
    batch_file: Path | None,
    output: Path | None,
    threshold: float | None,
    workers: int | None,
    perpetrators: bool,
    org_code: str | None,
    since: str | None,
    as_json: bool,
) -> None:
    """Screen NAME (or every row of --batch FILE, CSV or XLSX with a name column) against the
    lists loaded with `vigie lists load`."""
    from django.core.exceptions import ValidationError

    from vigie.screening import batch, engine, selectors, services

    _migrate()
    limit = engine.THRESHOLD if threshold is None else threshold
    if not selectors.versions_in_force().exists():
        raise click.ClickException(
            "no watchlist loaded: run `vigie lists load PATH --user NAME` first"
        )
    if perpetrators:
        _screen_perpetrators(org_code, since, as_json)
        return
    if org_code or since:
        raise click.ClickException("--org and --since go with --perpetrators")
    index = selectors.screening_index()
    if batch_file is not None:
        out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
        try:
            counts = batch.run(
                index,
                batch_file,
                out,
                fmt="json" if as_json else "csv",
                threshold=limit,
                workers=workers or batch.default_workers(),
            )
        except batch.BatchFileError as exc:
            raise click.ClickException(str(exc)) from None
        finally:
            if output:
                out.close()
        if output or not as_json:
            click.echo(
                f"{counts['rows']} rows screened, {counts['with_matches']} with potential matches, "
                f"{counts['errors']} refused.",
                err=True,
            )
        return
    if not name:
        raise click.ClickException("give a NAME or --batch FILE")
    try:
        query = services.make_query(name, schema, birth_date, country, document)
    except ValidationError as exc:
        raise click.ClickException(" ".join(exc.messages)) from None
    results = index.screen(query, threshold=limit)
    if as_json:
        click.echo(
            json.dumps(
                {"query": query.__dict__, "matches": [r.as_dict() for r in results]},
                ensure_ascii=False,
            )
        )
        return
    if not results:
        click.echo(f"No potential match for {name!r} at threshold {limit:.2f}.")
    for r in results:
        click.echo(f"{r.score:.3f}  {r.entry.watchlist} {r.entry.reference}  {r.entry.caption}")
        for reason in r.explanation["reasons"]:
            click.echo(f"         - {reason}")


def _run_here(job: Job, as_json: bool) -> Job:
    """Run a queued job in this process, with a progress line on a terminal's stderr unless
    JSON output was asked for."""
    from vigie.core import jobs

    show = not as_json and sys.stderr.isatty()

    def listener(j: Job) -> None:
        if show:
            pct = f"{j.percent}%" if j.percent is not None else "…"
            click.echo(f"\r  {pct} {j.message}"[:100].ljust(100), nl=False, err=True)

    job = jobs.run_now(job, listener)
    if show:
        click.echo("", err=True)
    return job


def _screen_perpetrators(org_code: str | None, since: str | None, as_json: bool) -> None:
    """Run a ``screening.perpetrators_batch`` job here, with a progress line."""
    from datetime import datetime

    from django.utils import timezone

    from vigie.core.models import Job, Organisation

    params: dict[str, Any] = {}
    organisation = None
    if org_code:
        organisation = Organisation.objects.filter(code=org_code).first()
        if organisation is None:
            raise click.ClickException(f"--org {org_code}: no such organisation")
        params["organisation"] = organisation.pk
    if since:
        try:
            moment = datetime.fromisoformat(since)
        except ValueError:
            raise click.ClickException(f"--since {since!r}: not an ISO date or time") from None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        params["since"] = moment.isoformat()
    job = Job.objects.create(
        kind="screening.perpetrators_batch", organisation=organisation, params=params
    )

    job = _run_here(job, as_json)
    if job.status != Job.Status.SUCCEEDED:
        raise click.ClickException(f"perpetrators not screened: {job.error}")
    result: dict[str, Any] = job.result or {}
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(
        f"{result.get('perpetrators', 0)} perpetrators: {result.get('screened', 0)} screened, "
        f"{result.get('unchanged', 0)} unchanged, {result.get('skipped', 0)} without a name; "
        f"{result.get('new_alerts', 0)} new potential matches."
    )


commands = [lists, screen]
