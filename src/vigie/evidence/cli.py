"""`vigie evidence ...`: add, verify, export, verify-bag, public-key, sign. Thin: calls services."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from vigie.core.acting import acting
from vigie.core.actor import Actor


def _parse_when(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: expected an ISO 8601 date or date-time (2024-05-01 or 2024-05-01T14:30)"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


@click.group()
def evidence() -> None:
    """Evidence vault: add files, verify the vault, export a case for court, check a bag."""


@evidence.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--case", "case_ref", required=True, help="Reference of the case (in the organisation)."
)
@click.option(
    "--external-case",
    is_flag=True,
    help="The --case reference is outside Vigie (no case record): keep it as given.",
)
@click.option("--description", default="")
@click.option("--collected-at", help="When it was collected (ISO 8601, UTC if no offset).")
@click.option("--collected-by", default="", help="Who collected it.")
@click.option("--place", default="", help="Where it was collected.")
@click.option("--consent", default="", help="Under what consent it was obtained.")
@click.option(
    "--perpetrator",
    "perpetrators",
    multiple=True,
    help="Link to this perpetrator of the case (its number or UUID); repeatable.",
)
@click.option(
    "--incident",
    "incidents",
    multiple=True,
    help="Link to this incident of the case (its number or UUID); repeatable.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 5000),
    default=500,
    show_default=True,
    help="Files committed per transaction (one signed tree head per batch).",
)
@click.option("--derived-from", help="UUID of the item this one derives from.")
@click.option(
    "--derivation",
    type=click.Choice(["redacted", "transcript", "translation", "conversion", "other"]),
)
@acting("evidence.add")
def add(
    paths: tuple[Path, ...],
    case_ref: str,
    external_case: bool,
    description: str,
    collected_at: str | None,
    collected_by: str,
    place: str,
    consent: str,
    perpetrators: tuple[str, ...],
    incidents: tuple[str, ...],
    batch_size: int,
    derived_from: str | None,
    derivation: str | None,
    actor: Actor,
) -> None:
    """Add files to the vault (each stored once, hashed, encrypted, logged), for the
    organisation acted for (--org, or the user's only one).

    Many files are committed in batches (--batch-size per transaction, one signed tree head
    per batch); an interrupted run keeps the batches already committed, whole."""
    from vigie.core.models import Organisation
    from vigie.evidence import log, services
    from vigie.evidence.models import Item
    from vigie.evidence.store import StoreError

    org = Organisation.objects.get(pk=actor.organisation_id or 0)  # set by @acting
    source = None
    if derived_from:
        source = Item.objects.filter(uuid=derived_from).first() if len(derived_from) == 36 else None
        if source is None:
            raise click.ClickException(f"--derived-from {derived_from}: no such item")
    collection = services.Collection(
        case_ref=case_ref,
        description=description,
        collected_at=_parse_when(collected_at),
        collected_by=collected_by,
        place=place,
        consent=consent,
        external_case=external_case,
        perpetrators=list(perpetrators),
        incidents=list(incidents),
    )
    case = services.resolve_case(actor, org, collection)
    services.resolve_links(case, collection)
    if source is None:
        _add_in_batches(actor, paths, org, collection, batch_size)
        return
    failed = 0
    for path in paths:
        try:
            with path.open("rb") as handle:
                got = services.ingest(
                    actor,
                    org,
                    handle,
                    name=path.name,
                    collection=collection,
                    derived_from=source,
                    derivation=derivation or "",
                    sign=False,
                )
        except OSError as exc:
            failed += 1
            click.echo(f"{path}: cannot read: {exc.strerror}", err=True)
            continue
        except (StoreError, services.EvidenceError) as exc:
            failed += 1
            click.echo(f"{path}: {exc}", err=True)
            continue
        note = f" (same bytes as {got.duplicate_of.uuid})" if got.duplicate_of else ""
        click.echo(f"{got.item.uuid}  sha256:{got.item.blob.sha256}  {path.name}{note}")
        if got.warning:
            click.echo(f"  warning: {got.warning}", err=True)
    log.sign_tree_head()
    if failed:
        raise click.ClickException(f"{failed} of {len(paths)} file(s) not added")


def _add_in_batches(
    actor: Actor, paths: tuple[Path, ...], org: Any, collection: Any, batch_size: int
) -> None:
    from vigie.evidence import batch

    failed = 0
    for i, out in enumerate(
        batch.ingest_many(
            actor,
            org,
            [(p.name, batch.file_opener(p)) for p in paths],
            collection=collection,
            batch_size=batch_size,
        )
    ):
        path = paths[i]
        if out.error or out.item_id is None:
            failed += 1
            click.echo(f"{path}: {out.error}", err=True)
            continue
        note = f" (same bytes as {out.duplicate_of_uuid})" if out.duplicate_of_uuid else ""
        click.echo(f"{out.uuid}  sha256:{out.sha256}  {path.name}{note}")
        if out.warning:
            click.echo(f"  warning: {out.warning}", err=True)
    if failed:
        raise click.ClickException(f"{failed} of {len(paths)} file(s) not added")


@evidence.command("verify")
@click.argument("item_id", required=False)
@click.option("--all", "everything", is_flag=True, help="Every item (the default without ID).")
@click.option(
    "--witness",
    "witnesses",
    multiple=True,
    help="Also check the log against the newest checkpoint this witness holds "
    "(PATH or s3://..., written by `vigie audit checkpoint`; repeatable; default: "
    "VIGIE_WITNESS).",
)
def verify(item_id: str | None, everything: bool, witnesses: tuple[str, ...]) -> None:
    """Re-hash stored objects and check the custody log and its signatures.

    Against a witness, the log must extend the tree head it saw last (RFC 9162
    consistency proof): truncation and full rewrites are caught even by whoever holds the
    vault's signing key."""
    from vigie.evidence.models import Item
    from vigie.evidence.verify import leftover_temporary_files, unreferenced_objects, verify_all

    if item_id and everything:
        raise click.UsageError("give an item ID or --all, not both")
    item = None
    if item_id:
        item = (
            Item.objects.select_related("blob").filter(uuid=item_id).first()
            if len(item_id) == 36
            else None
        )
        if item is None:
            raise click.ClickException(f"no evidence item {item_id}")
    from django.conf import settings

    report = verify_all(item, witnesses=list(witnesses or settings.VIGIE_WITNESS))
    for p in report.problems:
        click.echo(f"FAIL {p}", err=True)
    if item is None:
        for name in unreferenced_objects():
            click.echo(
                f"note: object {name} is not referenced (an ingest stopped before "
                "its commit); it is reused if the same file is added again"
            )
        leftover, stale = leftover_temporary_files()
        if leftover:
            click.echo(
                f"note: {leftover} temporary file(s) in the vault's tmp folder, left by "
                f"interrupted ingests or in use by running ones; {stale} are over a day old "
                "and removed by the hourly cleanup (`vigie evidence cleanup-uploads`)"
            )
    summary = (
        f"{report.objects} object(s), {report.entries} custody entries, "
        f"{report.tree_heads} signed tree head(s)"
    )
    if not report.ok:
        raise click.ClickException(f"NOT intact: {len(report.problems)} problem(s) in {summary}")
    click.echo(f"Intact: {summary}.")
    for line in report.witnessed:
        click.echo(line)


@evidence.command("export")
@click.option("--case", "case_ref", required=True)
@click.option("-o", "--output", "outdir", required=True, type=click.Path(path_type=Path))
@click.option(
    "--lang",
    type=click.Choice(["en", "fr"]),
    default="en",
    show_default=True,
    help="Language of the custody report.",
)
@acting("evidence.export", needs_org=False)
def export(case_ref: str, outdir: Path, lang: str, actor: Actor) -> None:
    """Write a BagIt bag of a case's evidence, with custody proofs and a PDF report.

    Runs as a background job in this process (listed by `vigie jobs`), with a progress line."""
    from vigie.core.cli import run_in_terminal
    from vigie.core.models import Job
    from vigie.evidence import exports, tasks

    items = exports.exportable_items(actor, case_ref)
    job = Job.objects.create(
        kind=tasks.EXPORT,
        organisation=items[0].organisation,
        created_by=actor.user,
        params={
            "case": case_ref,
            "lang": lang,
            "outdir": str(outdir.resolve()),
            "user_id": actor.user.pk if actor.user is not None else None,
            "actor_name": "" if actor.user is not None else actor.label,
        },
    )
    done = run_in_terminal(job)
    result = done.result or {}
    click.echo(f"Bag of {result.get('items')} item(s) written to {result.get('bag')}")


@evidence.command("cleanup-uploads")
@click.option(
    "--older-than",
    "hours",
    type=click.FloatRange(min=0),
    default=48.0,
    show_default=True,
    help="Remove unfinished uploads idle for longer than this many hours.",
)
def cleanup_uploads(hours: float) -> None:
    """Remove abandoned resumable uploads, export archives past their keeping time, and
    temporary files of interrupted ingests over a day old."""
    from vigie.core.cli import run_in_terminal
    from vigie.core.models import Job
    from vigie.evidence import tasks

    job = Job.objects.create(kind=tasks.CLEANUP, params={"older_than_hours": hours})
    result = run_in_terminal(job).result or {}
    click.echo(
        f"Removed {result.get('uploads_removed', 0)} abandoned upload(s) and "
        f"{result.get('archives_removed', 0)} old export archive(s) and "
        f"{result.get('temporary_removed', 0)} temporary file(s)."
    )


@evidence.command("verify-bag")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--public-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The vault's public key (PEM), obtained from the vault, not from the bag.",
)
@click.option(
    "--tsa-ca",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CA certificate(s) (PEM) the tree head's RFC 3161 timestamp must chain to.",
)
@click.option(
    "--retired-keys",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The vault's retired-keys file (public halves; default: this installation's, if "
    "any): bags signed by a key retired after they were made still verify.",
)
def verify_bag(
    directory: Path, public_key: Path | None, tsa_ca: Path | None, retired_keys: Path | None
) -> None:
    """Check a bag anywhere, with only the vault's public key."""
    from vigie.core import signing
    from vigie.evidence.bag import verify_bag as check

    if retired_keys is None and public_key is not None and signing.retired_path().is_file():
        retired_keys = signing.retired_path()  # run beside the vault
    rep = check(
        directory,
        public_key.read_bytes() if public_key else None,
        tsa_ca.read_bytes() if tsa_ca else None,
        retired_keys.read_text(encoding="ascii") if retired_keys else None,
    )
    for p in rep.problems:
        click.echo(f"FAIL {p}", err=True)
    if rep.key_from_bag:
        click.echo(
            f"warning: checked with the key inside the bag (fingerprint {rep.fingerprint}); "
            "compare it with the vault's published fingerprint",
            err=True,
        )
    if rep.timestamp:
        click.echo(
            f"RFC 3161 timestamp on the tree head: {rep.timestamp} (the token, with the "
            "TSA's certificates, is in data/custody/tree-head.json)"
        )
    if rep.problems:
        raise click.ClickException(f"bag NOT valid: {len(rep.problems)} problem(s)")
    signer = f"key {rep.fingerprint}"
    if rep.retired_key:
        signer = f"key {rep.retired_key}, retired after the bag was made, succeeded by {signer}"
    click.echo(
        f"Bag valid: {rep.items} item(s), {rep.entries} custody entries in the signed log "
        f"({signer})."
    )


@evidence.command("transfer")
@click.argument("item_id")
@click.option("--to", "org_code", required=True, help="Code of the receiving organisation.")
@click.option("--reason", required=True, help="Why custody passes (recorded in the log).")
@acting("evidence.export", needs_org=False)
def transfer(item_id: str, org_code: str, reason: str, actor: Actor) -> None:
    """Hand custody of an item to another organisation."""
    from vigie.core.models import Organisation
    from vigie.evidence import services
    from vigie.evidence.models import Item

    item = Item.objects.filter(uuid=item_id).first() if len(item_id) == 36 else None
    if item is None:
        raise click.ClickException(f"no evidence item {item_id}")
    to = Organisation.objects.filter(code=org_code, is_active=True).first()
    if to is None:
        raise click.ClickException(f"no active organisation with code {org_code!r}")
    services.transfer_item(actor.with_organisation(item.organisation_id), item, to, reason)
    click.echo(f"Custody of {item.uuid} passed to {org_code}.")


@evidence.command("public-key")
def public_key() -> None:
    """Print the vault's log public key (PEM) and its fingerprint, to publish."""
    from vigie.evidence import keys

    sys.stdout.write(keys.public_key_pem())
    click.echo(f"fingerprint (SHA-256): {keys.log_id()}", err=True)


@evidence.command("sign")
@click.option("--tsa", "tsa_url", default="", help="Also timestamp at this RFC 3161 authority.")
def sign(tsa_url: str) -> None:
    """Sign the current custody log root now."""
    from vigie.evidence import log

    head = log.sign_tree_head(tsa_url)  # a TsaError is the handler's (exit status 1)
    if head is None:
        click.echo("The custody log is empty.")
        return
    click.echo(f"Signed tree head: size {head.tree_size}, root {head.root_hash}")


commands = [evidence]
