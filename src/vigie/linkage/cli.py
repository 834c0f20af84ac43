"""``vigie link run|review|decide|encode|match`` — thin: each command calls a service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from vigie.core.acting import acting
from vigie.core.actor import Actor
from vigie.core.errors import Invalid

json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
kind_option = click.option(
    "--kind", type=click.Choice(["victim", "perpetrator"]), default="victim", show_default=True
)


def _setup() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


@click.group()
def link() -> None:
    """The same person across organisations: linkage, review, linkage without names."""


@link.command("run")
@kind_option
@click.option("--threshold", type=click.FloatRange(0.01, 0.99), default=None)
@click.option("--list-only", is_flag=True, help="List the links of the last run; run nothing.")
@json_option
@acting("linkage.run")
def run(kind: str, threshold: float | None, list_only: bool, as_json: bool, actor: Actor) -> None:
    """Link every record (EM-trained Splink model), rebuild the persons and list the links
    the acting user may see, each with the source record ids given at import."""
    from vigie.linkage import selectors, services

    _setup()
    result = None if list_only else services.run(actor, kind=kind, threshold=threshold)
    rows = selectors.links(actor, kind)
    if as_json:
        out: dict[str, Any] = {"ok": True, "links": rows}
        if result:
            out["run"] = result.as_dict()
        click.echo(json.dumps(out, default=str))
        return
    if result:
        click.echo(
            f"{result.records} record(s), {result.pairs} scored pair(s), "
            f"{result.persons} person(s) in {result.seconds:.1f} s."
        )
    for r in rows:
        left, right = r["left"], r["right"]
        click.echo(
            f"{r['person'] or '-':<14} {r['probability']:.3f}  "
            f"{left['organisation']}:{left['source_record_id'] or left['case']}  <->  "
            f"{right['organisation']}:{right['source_record_id'] or right['case']}"
        )


@link.command("review")
@kind_option
@click.option("--limit", type=click.IntRange(1, 1000), default=20)
@json_option
@acting("linkage.review")
def review(kind: str, limit: int, as_json: bool, actor: Actor) -> None:
    """The suggested links to review (the least certain first), and the threshold's
    trade-off between precision and recall."""
    from vigie.linkage import selectors

    _setup()
    queue = selectors.review_queue(actor, kind, limit)
    rows: list[dict[str, Any]] = [
        {
            "id": c.pk,
            "probability": round(c.probability, 4),
            "levels": selectors.level_words(c.levels),
        }
        for c in queue
    ]
    if as_json:
        click.echo(json.dumps({"queue": rows, "tradeoff": selectors.tradeoff(actor, kind)}))
        return
    for r in rows:
        levels = ", ".join(f"{k}: {v}" for k, v in r["levels"].items())
        click.echo(f"#{r['id']:<6} {r['probability']:.3f}  {levels}")


@link.command("decide")
@click.argument("link_id", type=int)
@click.argument("verdict", type=click.Choice(["match", "non_match"]))
@click.option("--reason", required=True, help="Why (no names).")
@json_option
@acting("linkage.review", needs_org=False)
def decide(link_id: int, verdict: str, reason: str, as_json: bool, actor: Actor) -> None:
    """Record a reviewer's decision on a suggested link (kept on every rerun)."""
    from vigie.linkage import selectors, services

    _setup()
    candidate = selectors.get_candidate_for(actor, link_id)
    d = services.decide(actor, candidate, verdict, reason)
    click.echo(json.dumps({"ok": True, "decision": d.verdict}) if as_json else d.verdict)


@link.command("encode")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--secret-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="The secret agreed between the organisations.",
)
@click.option("--key", default="record_key", show_default=True, help="The record key column.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def encode(path: Path, secret_file: Path, key: str, output: Path) -> None:
    """Encode a CSV of the organisation's own records into Bloom filters, locally: the
    output holds record keys and encodings, no name, date or document."""
    from vigie.linkage import encoding

    rows = _records(path)
    clks = encoding.encode_all(rows, secret_file.read_bytes().strip(), key)
    output.write_text(json.dumps({"schema": encoding.SCHEMA_ID, "clks": clks}))
    click.echo(f"{len(clks)} record(s) encoded into {output}")


def _records(path: Path) -> list[dict[str, Any]]:
    """The CSV's rows as records, read within the file limits (ADR 0050); a bad number is
    an error naming its row and column, not a traceback (ADR 0059)."""
    from django.utils.translation import gettext as _

    from vigie.core import files

    table = files.csv_rows(path)
    header = [h.strip() for h in next(table, [])]
    rows: list[dict[str, Any]] = []
    for number, cells in enumerate(table, 2):
        row: dict[str, Any] = dict(zip(header, cells, strict=False))
        for column in ("age", "recorded_year"):
            text = (row.get(column) or "").strip()
            try:
                row[column] = int(text) if text else None
            except ValueError:
                raise Invalid(
                    _("%(file)s, row %(row)d, column %(column)s: not a whole number")
                    % {"file": path.name, "row": number, "column": column},
                    code="not_a_number",
                    detail={"file": path.name, "row": number, "column": column},
                ) from None
        rows.append(row)
    return rows


@link.command("upload")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@acting("linkage.encode")
def upload(path: Path, as_json: bool, actor: Actor) -> None:
    """Upload an encoded file for the organisation (only encodings are sent)."""
    from django.utils.translation import gettext as _

    from vigie.core import files
    from vigie.linkage import encoded

    _setup()
    files.check_json(path)
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep
        raise Invalid(
            _("%(file)s is not an encoding file (JSON).") % {"file": path.name},
            code="bad_schema",
            detail={"file": path.name},
        ) from None
    e = encoded.upload(actor, payload)
    out = {"ok": True, "upload": str(e.uuid), "count": e.count}
    click.echo(json.dumps(out) if as_json else f"{e.count} encoding(s) uploaded: {e.uuid}")


@link.command("match")
@click.option("--threshold", type=click.FloatRange(0.05, 1.0), default=0.7, show_default=True)
@json_option
@acting("linkage.match")
def match(threshold: float, as_json: bool, actor: Actor) -> None:
    """As the linkage unit: match the latest upload of every organisation; print pairs of
    record keys."""
    from vigie.linkage import encoded

    _setup()
    pairs = encoded.match_uploads(actor, threshold)
    if as_json:
        click.echo(json.dumps({"ok": True, "pairs": pairs}))
        return
    for p in pairs:
        click.echo(
            f"{p['left_org']}:{p['left_key']}  {p['right_org']}:{p['right_key']}  {p['score']}"
        )


commands = [link]
