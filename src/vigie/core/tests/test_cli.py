from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vigie.cli import cli
from vigie.core.models import Membership

VIGIE = [sys.executable, "-c", "from vigie.cli import main; main()"]


def _run(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "VIGIE_DATA_DIR": str(data_dir), **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [*VIGIE, *args], capture_output=True, text=True, env=environment, timeout=120, check=False
    )


def test_help_lists_commands(tmp_path: Path) -> None:
    result = _run(["--help"], tmp_path)
    assert result.returncode == 0
    for command in ("demo", "serve", "migrate", "createadmin", "keys", "check", "audit"):
        assert command in result.stdout


def test_bad_arguments_exit_nonzero_with_message(tmp_path: Path) -> None:
    result = _run(["demo", "--port", "99999"], tmp_path)
    assert result.returncode == 2
    assert "--port" in result.stderr and "99999" in result.stderr
    result = _run(["no-such-command"], tmp_path)
    assert result.returncode == 2
    assert "No such command" in result.stderr


@pytest.mark.slow
def test_fresh_data_dir_migrates_checks_and_creates_admin(tmp_path: Path) -> None:
    assert _run(["migrate"], tmp_path).returncode == 0
    result = _run(
        ["createadmin", "--username", "root", "--organisation", "unodc"],
        tmp_path,
        VIGIE_ADMIN_PASSWORD="a-strong-pass-2331",
    )
    assert result.returncode == 0, result.stderr
    check = _run(["check"], tmp_path)
    assert check.returncode == 0, check.stderr
    assert "No problems found" in check.stdout
    secrets_file = tmp_path / "secrets.json"
    assert oct(secrets_file.stat().st_mode & 0o777) == "0o600"
    keys = _run(["keys", "status"], tmp_path)
    assert keys.returncode == 0 and "k1 (active)" in keys.stdout


@pytest.mark.django_db
def test_createadmin_refuses_weak_password(world: Any) -> None:
    result = CliRunner().invoke(
        cli, ["createadmin", "--username", "weak", "--organisation", "own-org", "--password", "123"]
    )
    assert result.exit_code == 1
    assert "too short" in result.output
    assert not Membership.objects.filter(user__username="weak").exists()


def test_docs_roles_table_matches_the_code_list() -> None:
    from pathlib import Path

    from vigie.core.roles import markdown_table

    doc = Path(__file__).resolve().parents[4] / "docs" / "roles.md"
    assert doc.read_text(encoding="utf-8") == markdown_table(), (
        "docs/roles.md is stale: run `vigie roles --markdown > docs/roles.md`"
    )


def _leaves(command: Any) -> list[Any]:
    import click

    if isinstance(command, click.Group):
        return [leaf for sub in command.commands.values() for leaf in _leaves(sub)]
    return [command]


def test_one_error_handler_for_every_command() -> None:
    """Issue 14: a VigieError becomes a message and an exit status in one place, the
    per-command wrapper of ADR 0061 — not also a group class, an `acting` wrapper or a
    command's own try/except."""
    import click

    from vigie import cli as vigie_cli
    from vigie.core import acting
    from vigie.core.errors import Conflict

    vigie_cli._add_app_commands()
    assert type(vigie_cli.cli) is click.Group
    assert not hasattr(acting, "CommandFailed")
    leaves = _leaves(vigie_cli.cli)
    assert len(leaves) > 40
    unwrapped = [c.name for c in leaves if not hasattr(c.callback, "__wrapped__")]
    assert unwrapped == []

    @click.command()
    def clash() -> None:
        raise Conflict("the record changed meanwhile")

    vigie_cli._with_django(clash)
    result = CliRunner().invoke(clash, [])
    assert result.exit_code == 5 and result.output == "Error: the record changed meanwhile\n"


@pytest.mark.django_db
def test_key_commands_say_who_acts() -> None:
    """Issue 14: rotating or retiring field keys rewrites every identity: --user (with
    system.keys.manage) or --as-system, audited."""
    from vigie import cli as vigie_cli
    from vigie.testing import build_world

    vigie_cli._add_app_commands()
    build_world()
    runner = CliRunner()
    assert runner.invoke(cli, ["keys", "retire", "k999"]).exit_code == 2
    denied = runner.invoke(cli, ["keys", "retire", "k999", "--user", "u-org_admin"])
    assert denied.exit_code == 3 and "system.keys.manage" in denied.output
    refused = runner.invoke(cli, ["keys", "retire", "k999", "--as-system"])
    assert refused.exit_code == 5, refused.output  # KeyOperationRefused: not in the keyring
