"""``vigie cases ...``: import and export case records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click


def _user(username: str | None) -> Any:
    from vigie.core.models import User

    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise click.ClickException(f"no active user {username!r}")
    return user


def _organisation(code: str | None, user: Any) -> Any:
    from vigie.core import access
    from vigie.core.models import Organisation

    if code:
        org = Organisation.objects.filter(code=code, is_active=True).first()
        if org is None:
            raise click.ClickException(f"no active organisation {code!r}")
    else:
        orgs = list(Organisation.objects.filter(is_active=True)[:2])
        home = access.home_organisation(user) if user is not None else None
        if home is not None:
            org = Organisation.objects.get(pk=home)
        elif len(orgs) == 1:
            org = orgs[0]
        else:
            raise click.ClickException("several organisations: choose one with --org CODE")
    if user is not None and not access.has_perm(user, "case.import", org.pk):
        raise click.ClickException(f"{user.username} may not import into {org.code}")
    return org


@click.group()
def cases() -> None:
    """Case records: bulk import and export."""


@cases.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["ctdc", "htcds"]), help="default: by suffix")
@click.option("--partial", is_flag=True, help="Write the valid rows; rejects go to a CSV.")
@click.option("--org", "org_code", help="Organisation code the records belong to.")
@click.option("--user", "username", help="Act as this user (checks case.import).")
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def import_(
    path: Path,
    fmt: str | None,
    partial: bool,
    org_code: str | None,
    username: str | None,
    rejects: Path | None,
    as_json: bool,
) -> None:
    """Import PATH (CTDC CSV/XLSX or HTCDS JSON) as a background job run here.

    Atomic unless --partial: if any row is invalid nothing is written, and every problem is
    listed as file, row, column, value and reason.
    """
    from vigie.cases import importer
    from vigie.core import jobs
    from vigie.core.models import Job

    user = _user(username)
    org = _organisation(org_code, user)
    fmt = fmt or importer.guess_format(path)
    if partial and rejects is None:
        rejects = path.with_name(path.stem + ".rejects.csv")
    job = jobs.start(
        "cases.import",
        user=user,
        organisation=org,
        params={
            "path": str(path.resolve()),
            "format": fmt,
            "partial": partial,
            "organisation_id": org.pk,
            "user_id": getattr(user, "pk", None),
            "rejects": str(rejects) if rejects else "",
        },
    )
    job = Job.objects.get(pk=job.pk)

    def show(j: Job) -> None:
        if not as_json and j.total:
            click.echo(f"\r  {j.percent or 0:3d}%  {j.done}/{j.total} rows", nl=False, err=True)

    job = jobs.run_now(job, show)
    if not as_json:
        click.echo("", err=True)
    result = job.result or {}
    if as_json:
        click.echo(json.dumps({"status": job.status, "error": job.error, **result}, indent=2))
    elif result:
        click.echo(importer.report_text(importer.Report(**result)), nl=False)
    if job.status != Job.Status.SUCCEEDED:
        raise click.ClickException(job.error or job.status)


@cases.command("export")
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["ctdc", "ctdc-sample", "htcds", "json", "csv", "xlsx", "parquet"]),
)
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--user", "username", required=True, help="Export what this user may see.")
@click.option("--identity", is_flag=True, help="Include identities (json, htcds; audited).")
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

    from vigie.cases import exporter, selectors

    user = _user(username)
    filters = selectors.CaseFilters(situation=situation, country=country, organisation=organisation)
    try:
        n = exporter.export(user, fmt, output, filters=filters, identity=identity)
    except PermissionDenied as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{n} case(s) written to {output}")


commands = [cases]
