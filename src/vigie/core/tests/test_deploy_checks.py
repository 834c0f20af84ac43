"""`vigie check --deploy` refuses what docs/settings.md says it refuses: keys in the data
directory, no audit key outside it, no witness, SQLite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import connection

from vigie.cli import cli

VIGIE = [sys.executable, "-c", "from vigie.cli import main; main()"]
OURS = ("vigie.E101", "vigie.E102", "vigie.E103", "vigie.E104", "vigie.E105")


def deploy_check() -> str:
    result = CliRunner().invoke(cli, ["check", "--deploy"])
    assert result.exit_code != 0
    return result.output


@pytest.fixture
def outside(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Everything configured as production wants it, apart from the database engine."""
    secure = tmp_path / "secure"
    secure.mkdir()
    (secure / "audit.key").write_text("ef" * 32)
    settings.VIGIE_AUDIT_KEY_FILE = str(secure / "audit.key")
    settings.VIGIE_SECRETS_FROM_DATA_DIR = []
    monkeypatch.setenv(
        "VIGIE_EVIDENCE_KEYS", '{"active": "e1", "keys": {"e1": "' + "12" * 32 + '"}}'
    )
    settings.VIGIE_EVIDENCE_SIGNING_KEY = str(secure / "signing-key.pem")
    settings.VIGIE_WITNESS = [str(tmp_path / "auditor")]
    return secure


@pytest.mark.django_db
def test_defaults_fail_each_deploy_check() -> None:
    out = deploy_check()
    on_sqlite = connection.vendor == "sqlite"  # the suite also runs on PostgreSQL
    for code in OURS:
        assert (code in out) == (on_sqlite or code != "vigie.E101"), (code, out)
    assert ("SQLite" in out) == on_sqlite
    assert "secrets.json" in out and "witness" in out


@pytest.mark.django_db
def test_keys_outside_pass_all_but_the_database(outside: Path) -> None:
    out = deploy_check()
    assert ("vigie.E101" in out) == (connection.vendor == "sqlite")
    for code in OURS[1:]:
        assert code not in out, (code, out)


@pytest.mark.django_db
def test_secret_in_data_dir_fails(outside: Path, settings: Any) -> None:
    settings.VIGIE_SECRETS_FROM_DATA_DIR = ["field_keys"]
    assert "vigie.E102" in deploy_check()


@pytest.mark.django_db
def test_evidence_keys_in_data_dir_fail(outside: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIGIE_EVIDENCE_KEYS")
    out = deploy_check()
    assert "vigie.E102" in out and "evidence" in out


@pytest.mark.django_db
def test_signing_key_in_data_dir_fails(outside: Path, settings: Any) -> None:
    settings.VIGIE_EVIDENCE_SIGNING_KEY = str(Path(settings.DATA_DIR) / "keys" / "sign.pem")
    assert "vigie.E103" in deploy_check()


@pytest.mark.django_db
def test_audit_key_in_data_dir_fails(outside: Path, settings: Any) -> None:
    settings.VIGIE_AUDIT_KEY_FILE = ""
    assert "vigie.E104" in deploy_check()
    settings.VIGIE_AUDIT_KEY_FILE = str(Path(settings.DATA_DIR) / "audit.key")
    assert "vigie.E104" in deploy_check()


@pytest.mark.django_db
def test_no_witness_fails(outside: Path, settings: Any) -> None:
    settings.VIGIE_WITNESS = []
    assert "vigie.E105" in deploy_check()
    settings.VIGIE_WITNESS = [str(Path(settings.DATA_DIR) / "witness")]
    assert "vigie.E105" in deploy_check()


def _production(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        # SQLite unless a test names a database (the suite may itself run on PostgreSQL)
        **{
            k: v
            for k, v in os.environ.items()
            if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")
        },
        "VIGIE_DATA_DIR": str(tmp_path / "data"),
        "ALLOWED_HOSTS": "vigie.example.org",
        "DJANGO_SETTINGS_MODULE": "vigie.settings.production",
        **extra,
    }
    return subprocess.run(
        [*VIGIE, "check", "--deploy"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_production_settings_with_sqlite_and_keys_beside_the_database_fail(
    tmp_path: Path,
) -> None:
    result = _production(tmp_path)
    assert result.returncode == 1
    for code in OURS:
        assert code in result.stdout + result.stderr


def test_production_settings_with_everything_outside_pass_our_checks(tmp_path: Path) -> None:
    secure = tmp_path / "secure"
    secure.mkdir()
    (secure / "audit.key").write_text("ef" * 32)
    result = _production(
        tmp_path,
        DATABASE_URL="postgres://vigie:x@127.0.0.1:1/vigie",
        VIGIE_SECRET_KEY="a-long-random-secret-for-the-test-" + "0123456789abcdef" * 3,
        VIGIE_FIELD_KEYS='{"active": "k1", "keys": {"k1": "' + "34" * 32 + '"}}',
        VIGIE_BLIND_INDEX_KEY="56" * 32,
        VIGIE_EVIDENCE_KEYS='{"active": "e1", "keys": {"e1": "' + "78" * 32 + '"}}',
        VIGIE_EVIDENCE_SIGNING_KEY=str(secure / "signing-key.pem"),
        VIGIE_AUDIT_KEY_FILE=str(secure / "audit.key"),
        VIGIE_WITNESS=str(tmp_path / "auditor"),
        # request bodies wait in memory (ADR 0054); the directory need not exist yet
        VIGIE_TEMP_DIR=f"/dev/shm/vigie-{tmp_path.name}",  # noqa: S108
    )
    out = result.stdout + result.stderr
    for code in OURS:
        assert code not in out, out
    # Django's own deploy checks pass too; only the (absent) database is left to report.
    assert "System check identified no issues" in out, out
    assert "database unreachable" in out


@pytest.mark.django_db
def test_check_reports_unusable_keys(settings: Any, tmp_path: Path) -> None:
    settings.VIGIE_AUDIT_KEY_FILE = str(tmp_path / "missing.key")
    bad = tmp_path / "sign.pem"
    bad.write_text("not a key")
    settings.VIGIE_EVIDENCE_SIGNING_KEY = str(bad)
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 1
    assert "audit key:" in result.output and "missing.key" in result.output
    assert "signing key:" in result.output
