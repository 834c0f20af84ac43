"""The ``vigie`` command. Thin: every command calls service functions.

Apps add commands with a ``cli.py`` that exports ``commands: list[click.Command]``. Those
modules import only click at module level (Django, models and heavy libraries inside the
commands): ``vigie --help`` and any ``--help`` list the commands without starting Django,
which is set up just before a command runs (ADR 0061).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vigie.core.acting import acting
from vigie.core.errors import VigieError, exit_status
from vigie.serving import StopSignals, serve_until_stopped, start_worker, stop_worker

if TYPE_CHECKING:
    from vigie.core.actor import Actor

SETTINGS_DEFAULT = "vigie.settings.dev"


def setup_django() -> None:
    """Start Django once (a test process has already), then speak the user's language."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_DEFAULT)
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()
    from django.utils import translation

    translation.activate(os.environ.get("VIGIE_LANG", "en"))


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


class CommandFailed(click.ClickException):
    """A :class:`VigieError` on the command line: click prints ``Error: <message>`` on
    standard error and exits with the error model's status (docs/errors.md)."""

    def __init__(self, error: VigieError) -> None:
        super().__init__(error.message)
        self.error = error
        self.exit_code = exit_status(error)  # type: ignore[misc]


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="vigie")
def cli() -> None:
    """Vigie — countering trafficking in persons in armed conflict.

    Data live in VIGIE_DATA_DIR (default ~/.local/share/vigie); set DATABASE_URL for
    PostgreSQL. See docs/settings.md. Messages are in VIGIE_LANG (en, fr or ar; default en).
    """


@cli.command()
def migrate() -> None:
    """Create or upgrade the database tables."""
    _migrate(verbosity=1)


PORT = click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
HOST = click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Keep 127.0.0.1 unless a TLS proxy is in front.",
)


@cli.command()
@PORT
@HOST
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option("--no-worker", is_flag=True, help="Do not run background jobs in this process.")
def serve(port: int, host: str, threads: int, no_worker: bool) -> None:
    """Serve Vigie (and run background jobs) until interrupted."""
    click.echo(f"Vigie at http://{host}:{port}/ — Ctrl+C to stop.")
    serve_until_stopped(host, port, threads, not no_worker)


@cli.command()
@PORT
@HOST
@click.option("--no-input", is_flag=True, help="Never prompt and never open a browser.")
@click.option(
    "--records",
    type=click.IntRange(0, 1_000_000),
    default=500,
    show_default=True,
    help="Synthetic case records to generate on first run.",
)
@click.option("--seed", type=int, default=2331, show_default=True)
def demo(port: int, host: str, no_input: bool, records: int, seed: int) -> None:
    """Migrate, load demonstration data on first run, and serve on 127.0.0.1.

    The demo users hold roles that require two-factor authentication; the policy is off
    in this command (every page says so) so that they can log in with the demo password
    alone (ADR 0042). `vigie serve` on the same data directory enforces it.
    """
    from django.conf import settings

    from vigie import demo as demo_data

    settings.VIGIE_MFA_ENFORCED = False

    click.echo("Preparing the database…")
    _migrate()
    if demo_data.is_loaded():
        click.echo("Demonstration data already loaded in this data directory.")
    else:
        click.echo(f"Loading demonstration data (seed {seed}, {records} records)…")
        demo_data.load(seed=seed, records=records, echo=click.echo)
    from vigie.core.demo import USERS

    password = demo_data.demo_password()
    url = f"http://{host}:{port}/"
    click.echo("")
    click.echo(f"Vigie is running at {url}  (Ctrl+C to stop)")
    click.echo(f"Demo logins (password for all: {password}):")
    for username, org, roles, *_rest in USERS:
        click.echo(f"  {username:<16} {org:<8} {', '.join(roles)}")
    click.echo(f"The password is also in {demo_data.credentials_file()}")
    click.echo("Two-factor authentication is NOT required in this demonstration (ADR 0042).")
    if not no_input and sys.stdout.isatty():
        import threading
        import webbrowser

        threading.Timer(1.5, webbrowser.open, args=(url,)).start()
    serve_until_stopped(host, port, 8, True)


@cli.command()
@click.option("--username", required=True)
@click.option(
    "--organisation", "org_code", required=True, help="Organisation code; created if new."
)
@click.option("--name", "org_name", default="", help="Organisation name, if it is created.")
@click.option(
    "--password",
    envvar="VIGIE_ADMIN_PASSWORD",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Read from VIGIE_ADMIN_PASSWORD, else prompted.",
)
def createadmin(username: str, org_code: str, org_name: str, password: str) -> None:
    """Create a system administrator (the first account of a new installation)."""
    from django.core.exceptions import ValidationError

    from vigie.core import services
    from vigie.core.actor import Actor
    from vigie.core.models import Organisation

    org = Organisation.objects.filter(code=org_code).first() or services.create_organisation(
        Actor.system("createadmin"), code=org_code, name=org_name or org_code.upper()
    )
    try:
        services.create_user(
            Actor.system("createadmin"),
            organisation=org,
            username=username,
            password=password,
            roles=["system_admin"],
        )
    except ValidationError as exc:
        raise click.ClickException(" ".join(exc.messages)) from None
    click.echo(f"System administrator {username} created in {org.code}.")


@cli.command()
@click.option("--deploy", is_flag=True, help="Also run the production deployment checks.")
def check(deploy: bool) -> None:
    """Check configuration, database, keys and (with --deploy) production security settings."""
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    from vigie.core import checks

    try:
        call_command("check", deploy=deploy, fail_level="WARNING")
    except SystemCheckError as exc:
        raise click.ClickException(str(exc)) from None
    problems = checks.vigie_checks()
    for line in problems:
        click.echo(f"! {line}", err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) found")
    click.echo("No problems found.")


@cli.group()
def keys() -> None:
    """Field-encryption keys: status, rotation, retirement."""


@keys.command("status")
def keys_status() -> None:
    """Show the keyring and how many stored values each key encrypts."""
    from django.conf import settings

    from vigie.core import keys as keyops

    usage = keyops.usage()
    conf = settings.VIGIE_FIELD_KEYS
    for kid in conf["keys"]:
        mark = " (active)" if kid == conf["active"] else ""
        click.echo(f"{kid}{mark}: {usage.get(kid, 0)} values")


@keys.command("rotate")
@click.option(
    "--reencrypt-only", is_flag=True, help="Do not add a key; finish moving to the active one."
)
@acting("system.keys.manage", needs_org=False)
def keys_rotate(reencrypt_only: bool, actor: Actor) -> None:
    """Add a new active key and re-encrypt every value under it (batched, resumable)."""
    from vigie.core import keys as keyops

    def progress(label: str, done: int) -> None:
        click.echo(f"\r  {label}: {done} values re-encrypted", nl=False)

    result = keyops.rotate(reencrypt_only=reencrypt_only, progress=progress)
    click.echo("")
    verb = "Resumed and finished" if result.resumed else "Finished"
    click.echo(f"{verb}: {result.rewritten} values now under key {result.key_id}.")


@keys.command("retire")
@click.argument("key_id")
@acting("system.keys.manage", needs_org=False)
def keys_retire(key_id: str, actor: Actor) -> None:
    """Remove KEY_ID from the keyring once no stored value uses it."""
    from vigie.core import keys as keyops

    keyops.retire(key_id)
    click.echo(f"Key {key_id} retired.")


@cli.group()
def audit() -> None:
    """Audit logs."""


@audit.command("verify")
@click.option(
    "--witness",
    "witnesses",
    multiple=True,
    help="Also check against the newest checkpoint this witness holds (PATH or s3://...; "
    "repeatable; default: VIGIE_WITNESS).",
)
def audit_verify(witnesses: tuple[str, ...]) -> None:
    """Check the access log's keyed chain; report every edited, missing or reordered entry.

    Against a witness, the entry it saw last must still be there with the MAC it saw: a
    truncated or rewritten log is caught even by whoever holds the audit key."""
    from django.conf import settings

    from vigie.core.audit import verify_chain, verify_witness

    count, problems = verify_chain()
    lines = [f"entry {p.seq}: {p.kind}: {p.message}" for p in problems]
    summaries = []
    for target in witnesses or settings.VIGIE_WITNESS:
        summary, witnessed = verify_witness(target)
        lines.extend(witnessed)
        if summary:
            summaries.append(f"Witness {target}: {summary}.")
    for line in lines:
        click.echo(line, err=True)
    if lines:
        raise click.ClickException(
            f"access log is NOT intact: {len(lines)} problem(s) in {count} entries"
        )
    click.echo(f"Access log intact: {count} entries, chain verified.")
    for line in summaries:
        click.echo(line)


@audit.command("rotate-key")
def audit_rotate_key() -> None:
    """Start a new audit key (the access log's MAC key); older keys stay in the key file
    only to verify the entries made with them. The log must verify first."""
    from vigie.core.audit import AuditKeyProblem, rotate_key
    from vigie.core.errors import VigieError, exit_status

    try:
        old, new = rotate_key()
    except AuditKeyProblem as exc:
        raise click.ClickException(str(exc)) from None
    except VigieError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise click.exceptions.Exit(exit_status(exc)) from None
    click.echo(f"Audit key rotated: {old} retired (kept to verify), {new} active.")


@audit.command("rotate-signing-key")
def audit_rotate_signing_key() -> None:
    """Start a new Ed25519 signing key (custody tree heads, checkpoints, court bags). The old
    key endorses the new one; its public half is kept to verify what it signed before."""
    from vigie.core import signing
    from vigie.core.errors import VigieError, exit_status

    try:
        record = signing.rotate()
    except signing.SigningKeyProblem as exc:
        raise click.ClickException(str(exc)) from None
    except VigieError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise click.exceptions.Exit(exit_status(exc)) from None
    click.echo(
        f"Signing key rotated: {record.key_id} retired (kept to verify), "
        f"{record.successor} active. Publish the new fingerprint."
    )


@audit.command("checkpoint")
@click.option(
    "--to",
    "targets",
    multiple=True,
    help="A witness: a directory or file an auditor keeps, or s3://bucket/prefix "
    "(repeatable; default: VIGIE_WITNESS).",
)
def audit_checkpoint(targets: tuple[str, ...]) -> None:
    """Export signed checkpoints of the access log and of the custody log to witnesses.

    Each checkpoint (log, size, head, time, signature; the custody one with an RFC 9162
    consistency proof from the previous one) is appended; the worker does it every hour
    when VIGIE_WITNESS is set."""
    from django.conf import settings

    from vigie.core import witness

    made = witness.export(list(targets) or list(settings.VIGIE_WITNESS))
    for cp in made:
        click.echo(f"{cp.log}: {cp.size} entries, head {cp.head} (signed {cp.when()})")
    if not made:
        click.echo("Both logs are empty: nothing to witness yet.")


@cli.command()
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True)
def worker(workers: int) -> None:
    """Run background jobs (for deployments that separate web and workers)."""
    stop = StopSignals()  # a signal during start-up is kept for when it is done (ADR 0058)
    consumer = start_worker(workers)
    if consumer is None:
        raise click.ClickException("HUEY is immediate here: jobs run inside each request.")
    try:
        stop.arm()
        while not consumer.stop_flag.wait(1.0):  # huey's loop is replaced by our signals
            pass
    except SystemExit:
        pass
    finally:
        stop_worker(consumer)


def app_cli_modules() -> list[str]:
    """``vigie.<app>.cli`` for each app that has one, found on disk as the Makefile finds apps
    (a package with an apps.py): reading settings.VIGIE_APPS would configure Django, create
    the data directory and take seconds. A test checks that both agree."""
    root = Path(__file__).parent
    return sorted(
        f"vigie.{path.parent.name}.cli"
        for path in root.glob("*/cli.py")
        if (path.parent / "apps.py").exists()
    )


_PREPARED: set[int] = set()


def _with_django(command: click.Command) -> None:
    """Set Django up when ``command`` (or, in a group, a command under it) runs, and turn
    its :class:`VigieError` into :class:`CommandFailed`. Group callbacks are left alone:
    they run before the subcommand reads ``--help`` (and do no work that can fail so)."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _with_django(sub)
        return
    callback = command.callback
    if callback is None or id(command) in _PREPARED:
        return
    _PREPARED.add(id(command))
    command.callback = _after_setup(callback)


def _after_setup(callback: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        setup_django()
        from django.db import DatabaseError

        try:
            return callback(*args, **kwargs)
        except VigieError as exc:
            # The one place a VigieError becomes the command's message and exit status.
            raise CommandFailed(exc) from None
        except DatabaseError as exc:
            if _missing_tables(exc):
                raise click.ClickException(
                    "the database has no Vigie tables yet: run `vigie migrate` (or `vigie demo`)"
                    " with the same VIGIE_DATA_DIR / DATABASE_URL."
                ) from None
            raise

    return run


def _missing_tables(exc: Exception) -> bool:
    text = str(exc)
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def _add_app_commands() -> None:
    """Add every app's commands to ``vigie`` and wrap them (idempotent; tests call it too, so
    that an app's group invoked on its own behaves as under ``vigie``)."""
    for name in app_cli_modules():
        for command in import_module(name).commands:
            cli.add_command(command)
    _with_django(cli)


_with_django(cli)


def main() -> None:
    """The ``vigie`` command: Django is set up only when a command runs (ADR 0061); a
    command's :class:`VigieError` is printed and sets the exit status (docs/errors.md)."""
    _add_app_commands()
    cli(prog_name="vigie")
