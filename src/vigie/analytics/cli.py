"""``vigie stats ...`` and ``vigie report annex``: thin wrappers over the selectors.

Run at the server as its operator, statistics cover every organisation; ``--user NAME`` applies
that user's permissions and scope instead. Every figure is disclosure-controlled either way.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["csv", "json", "xlsx"]), default="csv", show_default=True
)
OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File (default: stdout).",
)
FILTER = click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="K=V",
    help="period=2017 or 2016-2018, situation, country, origin, organisation, source, sex, "
    "age_group, form; several values with commas. Repeatable.",
)
MODE = click.option(
    "--mode", type=click.Choice(["suppress", "dp"]), default="suppress", show_default=True
)
EPSILON = click.option("--epsilon", type=float, default=None, help="DP mode: epsilon (default 1).")
USER = click.option("--user", "username", default=None, help="Apply this user's access.")
UNIT = click.option(
    "--unit",
    type=click.Choice(["records", "persons"]),
    default="records",
    show_default=True,
    help="persons: records linked as one person (vigie link run) count once.",
)


def _user(username: str | None) -> Any:
    """The user whose access applies, or the system (every organisation, still
    disclosure-controlled) without ``--user``."""
    from vigie.core.actor import Actor
    from vigie.core.models import User

    if username is None:
        return Actor.system("command line: vigie stats")
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise click.ClickException(f"--user {username}: no active user of that name")
    return user


def _filters(pairs: tuple[str, ...]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.ClickException(f"--filter {pair!r}: expected KEY=VALUE, e.g. country=LY")
        result.setdefault(key.strip(), []).append(value)
    return result


def _emit(data: bytes, output: Path | None, fmt: str) -> None:
    if output is None:
        if fmt == "xlsx":
            raise click.ClickException("--format xlsx needs -o FILE")
        sys.stdout.write(data.decode("utf-8"))
        return
    output.write_bytes(data)
    click.echo(f"Written {output} ({len(data)} bytes).", err=True)


def _run(fn: Any) -> Any:
    from django.core.exceptions import PermissionDenied

    from vigie.analytics.engine import QueryError
    from vigie.analytics.privacy import BudgetExceeded

    try:
        return fn()
    except (QueryError, BudgetExceeded) as exc:
        raise click.ClickException(str(exc)) from None
    except PermissionDenied:
        raise click.ClickException("this user may not do that") from None


@click.group()
def stats() -> None:
    """Typology, routes and trends (disclosure-controlled), the snapshot, microdata."""


@stats.command("typology")
@click.option("--by", default="", help="Dimensions, e.g. sex,age_group (at most 3).")
@click.option("--table", type=click.Choice(["victims", "perpetrators"]), default="victims")
@FILTER
@MODE
@EPSILON
@FORMAT
@OUTPUT
@USER
@UNIT
def typology_cmd(
    by: str,
    table: str,
    filters: tuple[str, ...],
    mode: str,
    epsilon: float | None,
    fmt: str,
    output: Path | None,
    username: str | None,
    unit: str,
) -> None:
    """Counts of persons by any dimensions, with every margin."""
    from vigie.analytics import exports, selectors

    user = _user(username)
    release = _run(
        lambda: selectors.typology(
            user, selectors.parse_request(by, _filters(filters), mode, epsilon, table, unit)
        )
    )
    _emit(exports.render(release, fmt, "typology"), output, fmt)


@stats.command("trends")
@click.option("--by", default="", help="Further dimensions after year (at most 2).")
@FILTER
@MODE
@EPSILON
@FORMAT
@OUTPUT
@USER
@UNIT
def trends_cmd(
    by: str,
    filters: tuple[str, ...],
    mode: str,
    epsilon: float | None,
    fmt: str,
    output: Path | None,
    username: str | None,
    unit: str,
) -> None:
    """Counts of persons by year (and further dimensions)."""
    from vigie.analytics import exports, selectors

    user = _user(username)
    release = _run(
        lambda: selectors.trends(
            user, selectors.parse_request(by, _filters(filters), mode, epsilon, unit=unit)
        )
    )
    _emit(exports.render(release, fmt, "trends"), output, fmt)


@stats.command("routes")
@FILTER
@MODE
@EPSILON
@FORMAT
@OUTPUT
@USER
@UNIT
def routes_cmd(
    filters: tuple[str, ...],
    mode: str,
    epsilon: float | None,
    fmt: str,
    output: Path | None,
    username: str | None,
    unit: str,
) -> None:
    """Flows origin -> destination (classified by UN M49 regions), route legs, transit."""
    from vigie.analytics import exports, selectors

    user = _user(username)
    routes = _run(
        lambda: selectors.routes(
            user, selectors.parse_request((), _filters(filters), mode, epsilon, unit=unit)
        )
    )
    releases = {
        "flows": routes.flows,
        "route_types": routes.route_types,
        "legs": routes.legs,
        "transit": routes.transit,
    }
    _emit(exports.render_many(releases, fmt), output, fmt)


@stats.command("refresh")
def refresh_cmd() -> None:
    """Rebuild the analytic snapshot from the case records."""
    from vigie.analytics import snapshot

    result = snapshot.rebuild()
    click.echo(
        f"Snapshot rebuilt: {result['victims']} victim rows, {result['perpetrators']} "
        f"perpetrator rows."
    )


@stats.command("microdata")
@click.option("--k", type=click.IntRange(2, 1000), default=11, show_default=True)
@OUTPUT
def microdata_cmd(k: int, output: Path | None) -> None:
    """k-anonymous victim microdata for researchers (CSV)."""
    import csv
    import io

    from vigie.analytics import microdata, snapshot
    from vigie.core import cells

    export = microdata.k_anonymise(snapshot.victim_dicts(), k=k)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(export.columns))
    writer.writeheader()
    writer.writerows(cells.csv_dict(row) for row in export.rows)
    _emit(buf.getvalue().encode(), output, "csv")
    levels = ", ".join(f"{q}={lvl}" for q, lvl in export.levels.items() if lvl)
    click.echo(
        f"{len(export.rows)} rows; {export.suppressed} suppressed; generalised: {levels or 'none'}",
        err=True,
    )


@stats.command("load-glotip")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_glotip_cmd(path: Path) -> None:
    """Load UNODC GLOTIP figures (data_glotip_*.xlsx) to compare with Vigie's records."""
    from vigie.analytics import glotip

    try:
        n = glotip.load(path)
    except glotip.GlotipError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"GLOTIP figures loaded for {n} countries.")


@stats.command("ledger")
def ledger_cmd() -> None:
    """The privacy-budget ledger of differentially private releases."""
    from vigie.analytics import privacy
    from vigie.analytics.models import PrivacyLedgerEntry

    for e in PrivacyLedgerEntry.objects.select_related("user")[:200]:
        who = e.user.username if e.user else "operator"
        click.echo(f"{e.created_at:%Y-%m-%d %H:%M}  eps={e.epsilon:<6g} {who:<16} {e.label}")
    click.echo(f"Spent {privacy.budget_spent():g} of {privacy.budget_total():g}.")


@click.group()
def report() -> None:
    """Reports built from the records."""


@report.command("annex")
@click.option("--period", required=True, help="A year or a range, e.g. 2017 or 2016-2017.")
@click.option("--lang", type=click.Choice(["en", "fr", "ar"]), default="en", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["pdf", "xlsx"]), default="pdf")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@USER
def annex_cmd(period: str, lang: str, fmt: str, output: Path, username: str | None) -> None:
    """The statistical annex of a Secretary-General's report (tables, figures, notes)."""
    from vigie.analytics.annex import build

    user = _user(username)
    data = _run(lambda: build(user, period, lang, fmt))
    output.write_bytes(data)
    click.echo(f"Written {output} ({len(data)} bytes).")


commands: list[click.Command] = [stats, report]
