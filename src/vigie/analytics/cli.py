"""``vigie stats ...`` and ``vigie report annex``: thin wrappers over the selectors.

Every command says who acts (``vigie.core.acting``, audited): ``--user NAME`` applies that
user's permissions and scope; ``--as-system`` covers every organisation, as the operator of
the installation. Every figure is disclosure-controlled either way.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vigie.core.acting import acting

if TYPE_CHECKING:
    from vigie.core.actor import Actor

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
UNIT = click.option(
    "--unit",
    type=click.Choice(["records", "persons"]),
    default="records",
    show_default=True,
    help="persons: records linked as one person (vigie link run) count once.",
)


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
@UNIT
@acting("stats.view", needs_org=False)
def typology_cmd(
    by: str,
    table: str,
    filters: tuple[str, ...],
    mode: str,
    epsilon: float | None,
    fmt: str,
    output: Path | None,
    unit: str,
    actor: Actor,
) -> None:
    """Counts of persons by any dimensions, with every margin."""
    from vigie.analytics import exports, selectors

    request = selectors.parse_request(by, _filters(filters), mode, epsilon, table, unit)
    release = selectors.typology(actor, request)
    _emit(exports.render(release, fmt, "typology"), output, fmt)


@stats.command("trends")
@click.option("--by", default="", help="Further dimensions after year (at most 2).")
@FILTER
@MODE
@EPSILON
@FORMAT
@OUTPUT
@UNIT
@acting("stats.view", needs_org=False)
def trends_cmd(
    by: str,
    filters: tuple[str, ...],
    mode: str,
    epsilon: float | None,
    fmt: str,
    output: Path | None,
    unit: str,
    actor: Actor,
) -> None:
    """Counts of persons by year (and further dimensions)."""
    from vigie.analytics import exports, selectors

    release = selectors.trends(
        actor, selectors.parse_request(by, _filters(filters), mode, epsilon, unit=unit)
    )
    _emit(exports.render(release, fmt, "trends"), output, fmt)


@stats.command("routes")
@FILTER
@MODE
@EPSILON
@FORMAT
@OUTPUT
@UNIT
@acting("stats.view", needs_org=False)
def routes_cmd(
    filters: tuple[str, ...],
    mode: str,
    epsilon: float | None,
    fmt: str,
    output: Path | None,
    unit: str,
    actor: Actor,
) -> None:
    """Flows origin -> destination (classified by UN M49 regions), route legs, transit."""
    from vigie.analytics import exports, selectors

    routes = selectors.routes(
        actor, selectors.parse_request((), _filters(filters), mode, epsilon, unit=unit)
    )
    releases = {
        "flows": routes.flows,
        "route_types": routes.route_types,
        "legs": routes.legs,
        "transit": routes.transit,
    }
    _emit(exports.render_many(releases, fmt), output, fmt)


@stats.command("refresh")
@acting("stats.publish", needs_org=False)
def refresh_cmd(actor: Actor) -> None:
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
@acting("stats.publish", needs_org=False)
def microdata_cmd(k: int, output: Path | None, actor: Actor) -> None:
    """k-anonymous victim microdata for researchers (CSV), of the records the actor may see."""
    import csv
    import io

    from vigie.analytics import microdata, selectors
    from vigie.core import cells

    export = microdata.k_anonymise(selectors.microdata_rows(actor), k=k)
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
@acting("stats.publish", needs_org=False)
def load_glotip_cmd(path: Path, actor: Actor) -> None:
    """Load UNODC GLOTIP figures (data_glotip_*.xlsx) to compare with Vigie's records."""
    from vigie.analytics import glotip

    n = glotip.load(path)
    click.echo(f"GLOTIP figures loaded for {n} countries.")


@stats.command("ledger")
@acting("audit.view", needs_org=False)
def ledger_cmd(actor: Actor) -> None:
    """The privacy-budget ledger of differentially private releases."""
    from vigie.analytics import privacy, selectors

    for e in selectors.visible_ledger(actor)[:200]:
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
@acting("stats.publish", needs_org=False)
def annex_cmd(period: str, lang: str, fmt: str, output: Path, actor: Actor) -> None:
    """The statistical annex of a Secretary-General's report (tables, figures, notes)."""
    from vigie.analytics.annex import build

    data = build(actor, period, lang, fmt)
    output.write_bytes(data)
    click.echo(f"Written {output} ({len(data)} bytes).")


commands: list[click.Command] = [stats, report]
