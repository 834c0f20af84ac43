"""``vigie import``, ``vigie export``, ``vigie generate`` (and ``vigie cases import|export``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from vigie.core.acting import acting
from vigie.core.actor import Actor
from vigie.core.cli import ProgressLine
from vigie.core.errors import VigieError, exit_status


def _user(username: str | None) -> Any:
    from vigie.core.models import User

    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise click.ClickException(
            f"no active user {username!r} (see `vigie users list --as-system`)"
        )
    return user


@click.group()
def cases() -> None:
    """Case records: bulk import and export."""


@cases.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--layout",
    "--format",
    "fmt",
    type=click.Choice(["vigie", "htcds", "ctdc"]),
    help="File layout (default: the mapping's, else HTCDS for .json, else from the header row).",
)
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML mapping file: source column -> field, source value -> code.",
)
@click.option(
    "--partial",
    is_flag=True,
    help="Write the valid rows; rejected rows go to a CSV in the data directory (or --rejects).",
)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where --partial writes the rejected rows (they may hold personal data).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--dry-run", is_flag=True, help="Validate the whole file and report; write nothing.")
@acting("case.import")
def import_(
    path: Path,
    fmt: str | None,
    partial: bool,
    rejects: Path | None,
    as_json: bool,
    actor: Actor,
    dry_run: bool = False,
    mapping_file: Path | None = None,
) -> None:
    """Import PATH (Vigie or CTDC CSV/XLSX, HTCDS JSON, or any table with --mapping).

    Runs as a background job here.

    The records go to the organisation acted for (--org, or the user's only one).
    Atomic unless --partial: if any row is invalid nothing is written, and every problem is
    listed as file, row, column, value and reason. --dry-run validates the whole file and
    prints the same report without writing anything (exit status 1 if any row is invalid).
    """
    from vigie.cases.interchange import checking, mapping, readers
    from vigie.core import jobs
    from vigie.core.models import Job, Organisation

    org = Organisation.objects.get(pk=actor.organisation_id or 0)  # set by @acting
    jobs.recover_interrupted()  # an import killed earlier is marked failed, not "running"
    rules = None
    if mapping_file is not None:
        try:
            rules = mapping.load(mapping_file)
        except mapping.MappingError as exc:
            raise click.ClickException(str(exc)) from None
        base = "ctdc" if rules.layout.startswith("ctdc") else rules.layout
        if fmt and fmt != base:
            raise click.ClickException(
                f"--layout {fmt} but the mapping file {mapping_file.name} is for {rules.layout}"
            )
        fmt = base
    fmt = fmt or readers.guess_format(path)
    if dry_run:
        _dry_run(path, fmt, org, actor, as_json, rules)
        return
    if partial and rejects is None:
        rejects = _rejects_file(path)
    job = jobs.start(
        "cases.import",
        user=actor,
        organisation=org,
        params={
            "path": str(path.resolve()),
            "format": fmt,
            "partial": partial,
            "organisation_id": org.pk,
            "user_id": actor.user.pk if actor.user is not None else None,
            "system_reason": actor.reason,
            "rejects": str(rejects) if rejects else "",
            "mapping": str(mapping_file.resolve()) if mapping_file else "",
        },
    )
    job = Job.objects.get(pk=job.pk)
    line = ProgressLine()

    def show(j: Job) -> None:
        if not as_json and j.total:
            line.show(f"  {j.percent or 0:3d}%  {j.done}/{j.total} rows")

    job = jobs.run_now(job, show)
    if not as_json:
        line.end()
    result = job.result or {}
    if as_json:
        click.echo(json.dumps({"status": job.status, "error": job.error, **result}, indent=2))
    elif result:
        click.echo(checking.report_text(checking.Report(**result)), nl=False)
    if job.status != Job.Status.SUCCEEDED:
        raise click.ClickException(job.error or job.status)


def _rejects_file(path: Path) -> Path:
    """The rejected rows of a --partial import, in the data directory: they hold the source's
    values, which may identify people, so not beside an input that may sit anywhere."""
    from django.conf import settings
    from django.utils import timezone

    folder = Path(settings.DATA_DIR) / "import-rejects"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{path.stem}-{timezone.now():%Y%m%dT%H%M%S}.rejects.csv"


def _dry_run(path: Path, fmt: str, org: Any, actor: Actor, as_json: bool, rules: Any) -> None:
    from vigie.cases.interchange import checking, importer, readers

    try:
        report = importer.run_import(
            path, organisation=org, actor=actor, fmt=fmt, dry_run=True, mapping=rules
        )
    except readers.ImportFailed as exc:
        if as_json:
            click.echo(json.dumps({"status": "failed", "error": str(exc)}, indent=2))
        raise click.ClickException(str(exc)) from None
    except VigieError as exc:  # a file over the limits (vigie.core.files)
        if as_json:
            click.echo(json.dumps({"status": "failed", "error": str(exc)}, indent=2))
        click.echo(f"Error: {exc}", err=True)
        raise click.exceptions.Exit(exit_status(exc)) from None
    if as_json:
        status = "invalid" if report.rejected else "valid"
        click.echo(json.dumps({"status": status, "error": "", **report.as_dict()}, indent=2))
    else:
        click.echo(checking.report_text(report), nl=False)
    if report.rejected:
        raise click.exceptions.Exit(1)


@cases.command("cleanup-uploads")
@click.option(
    "--older-than",
    "hours",
    type=click.FloatRange(min=0),
    default=48.0,
    show_default=True,
    help="Remove web-import uploads untouched for longer than this many hours.",
)
def cleanup_uploads(hours: float) -> None:
    """Remove the files left by unfinished web imports (queued or running imports keep theirs)."""
    from vigie.cases import tasks
    from vigie.core.cli import run_in_terminal
    from vigie.core.models import Job

    job = Job.objects.create(kind=tasks.CLEANUP, params={"older_than_hours": hours})
    result = run_in_terminal(job).result or {}
    click.echo(f"Removed {result.get('uploads_removed', 0)} stale import upload(s).")


@cases.command("rebuild-terms")
def rebuild_terms() -> None:
    """Rebuild the case list's filter terms of every case from its stored filter index and
    text (after a restore, or a write that bypassed Vigie). Idempotent; by batches."""
    from django.db import transaction

    from vigie.cases.search import terms

    line = ProgressLine()

    def progress(done: int, total: int) -> None:
        line.show(f"{done}/{total} cases")

    with transaction.atomic():
        n = terms.rebuild(progress=progress)
    line.end()
    click.echo(f"Rebuilt the filter terms of {n} case(s).")


@cases.command("export")
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(
        [
            "ctdc",
            "ctdc-sample",
            "htcds",
            "htcds-csv",
            "htcds-xlsx",
            "json",
            "csv",
            "xlsx",
            "parquet",
        ]
    ),
)
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--user", "username", required=True, help="Export what this user may see.")
@click.option(
    "--identity", is_flag=True, help="Include identities (json and htcds formats; audited)."
)
@click.option("--situation", default="")
@click.option("--country", default="")
@click.option("--organisation", default="")
def export(
    fmt: str,
    output: Path,
    username: str,
    identity: bool,
    situation: str,
    country: str,
    organisation: str,
) -> None:
    """Export the case records USER may see, without identities unless --identity."""
    from django.core.exceptions import PermissionDenied

    from vigie.cases import selectors
    from vigie.cases.interchange import exporter

    user = _user(username)
    filters = selectors.CaseFilters(situation=situation, country=country, organisation=organisation)
    try:
        n = exporter.export(user, fmt, output, filters=filters, identity=identity)
    except PermissionDenied as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{n} case(s) written to {output}")


@click.command("generate")
@click.option("--records", "n", type=click.IntRange(0), required=True, help="Rows to write.")
@click.option("--seed", type=int, default=2331, show_default=True)
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--layout", type=click.Choice(["ctdc", "vigie", "htcds"]), default="ctdc", show_default=True
)
@click.option(
    "--identities",
    is_flag=True,
    help="vigie layout: add synthetic names and dates of birth (encrypted on import).",
)
def generate_(n: int, seed: int, output: Path, layout: str, identities: bool = False) -> None:
    """Write N synthetic case records (never real people) to a CSV file, streamed.

    The htcds layout is the HTCDS v2.0 spreadsheet: XLSX when OUTPUT ends in .xlsx.
    Deterministic for a given seed; the file imports with `vigie import FILE --layout LAYOUT`.
    """
    from vigie.devtools import case_records

    if identities and layout != "vigie":
        raise click.UsageError("--identities needs --layout vigie")
    written = case_records.write_file(output, n, seed, layout, identities)
    click.echo(f"{written} synthetic record(s) written to {output} ({layout} layout)")


def _alias(command: click.Command) -> click.Command:
    """The same command (callback and options) at the top level: `vigie import` ..."""
    return click.Command(
        command.name,
        callback=command.callback,
        params=command.params,
        help=command.help,
        short_help=command.short_help,
    )


commands = [cases, _alias(import_), _alias(export), generate_]
