"""The ``vigie`` command. Thin: every command calls service functions.

Apps add commands with a ``cli.py`` that exports ``commands: list[click.Command]``.
"""

from __future__ import annotations

import os
import sys
import threading
import webbrowser
from typing import Any

import click

SETTINGS_DEFAULT = "vigie.settings.dev"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_DEFAULT)
    import django

    django.setup()


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


class _Vigie(click.Group):
    """Every command's :class:`VigieError` becomes its message and exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        from vigie.core.acting import CommandFailed
        from vigie.core.errors import VigieError

        try:
            return super().invoke(ctx)
        except VigieError as exc:
            raise CommandFailed(exc) from None


@click.group(
    cls=_Vigie,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="vigie")
def cli() -> None:
    """Vigie — countering trafficking in persons in armed conflict.

    Data live in VIGIE_DATA_DIR (default ~/.local/share/vigie); set DATABASE_URL for
    PostgreSQL. See docs/settings.md. Messages are in VIGIE_LANG (en, fr or ar; default en).
    """
    from django.utils import translation

    translation.activate(os.environ.get("VIGIE_LANG", "en"))


@cli.command()
def migrate() -> None:
    """Create or upgrade the database tables."""
    _migrate(verbosity=1)


def _start_worker() -> Any:
    """Run the background-job consumer in threads of this process (embedded mode)."""
    from huey.contrib.djhuey import HUEY

    if HUEY.immediate:
        return None
    from vigie.core import jobs

    jobs.recover_interrupted()
    consumer = HUEY.create_consumer(workers=2, worker_type="thread")
    consumer.start()
    return consumer


def _serve(host: str, port: int, threads: int, worker: bool) -> None:
    from waitress import serve as waitress_serve

    from vigie.wsgi import application

    consumer = _start_worker() if worker else None
    try:
        waitress_serve(application, host=host, port=port, threads=threads, ident="Vigie")
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror}. Choose another with --port."
        ) from None
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)


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
    _serve(host, port, threads, not no_worker)


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
    """Migrate, load demonstration data on first run, and serve on 127.0.0.1."""
    from vigie import demo as demo_data

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
    if not no_input and sys.stdout.isatty():
        threading.Timer(1.5, webbrowser.open, args=(url,)).start()
    _serve(host, port, 8, True)


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
    from vigie.core.models import Organisation

    org = Organisation.objects.filter(code=org_code).first() or services.create_organisation(
        None, code=org_code, name=org_name or org_code.upper()
    )
    try:
        services.create_user(
            None, organisation=org, username=username, password=password, roles=["system_admin"]
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
def keys_rotate(reencrypt_only: bool) -> None:
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
def keys_retire(key_id: str) -> None:
    """Remove KEY_ID from the keyring once no stored value uses it."""
    from vigie.core import keys as keyops

    keyops.retire(key_id)
    click.echo(f"Key {key_id} retired.")


@cli.group()
def audit() -> None:
    """Audit logs."""


@audit.command("verify")
def audit_verify() -> None:
    """Check the access log's hash chain; report every edited, missing or reordered entry."""
    from vigie.core.audit import verify_chain

    count, problems = verify_chain()
    for p in problems:
        click.echo(f"entry {p.seq}: {p.kind}: {p.message}", err=True)
    if problems:
        raise click.ClickException(
            f"access log is NOT intact: {len(problems)} problem(s) in {count} entries"
        )
    click.echo(f"Access log intact: {count} entries, chain verified.")


@cli.command()
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True)
def worker(workers: int) -> None:
    """Run background jobs (for deployments that separate web and workers)."""
    from huey.contrib.djhuey import HUEY

    from vigie.core import jobs

    jobs.recover_interrupted()
    HUEY.create_consumer(workers=workers, worker_type="thread").run()


def _add_app_commands() -> None:
    from vigie.discovery import app_modules

    for module in app_modules("cli"):
        for command in module.commands:
            cli.add_command(command)


def main() -> None:
    """The ``vigie`` command. A service's :class:`VigieError` that reaches here is printed
    (its message only: no traceback) and sets the exit status (docs/errors.md)."""
    from vigie.core.errors import VigieError, exit_status

    setup_django()
    _add_app_commands()
    try:
        cli(prog_name="vigie")
    except VigieError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(exit_status(exc))
