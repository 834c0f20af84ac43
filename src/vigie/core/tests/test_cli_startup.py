"""The command line starts without Django for help, and each command sets Django up itself
(ADR 0061)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from vigie.cli import app_cli_modules
from vigie.core.cli import JOB_STATUSES
from vigie.core.models import Job

# Runs the command in a fresh interpreter, then prints which heavy modules it had imported.
PROBE = """
import json, sys
sys.argv = ["vigie", *json.loads(sys.argv[1])]
from vigie.cli import main
try:
    main()
except SystemExit:
    pass
heavy = ("django.db.models", "django.apps.registry", "duckdb", "pyarrow", "rigour",
         "rest_framework", "reportlab", "vigie.settings.base")
print(json.dumps([m for m in heavy if m in sys.modules]), file=sys.stderr)
"""


def _probe(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VIGIE_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)  # a fresh SQLite database, whatever the suite runs on
    return subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("args", [["--help"], ["cases", "import", "--help"], ["jobs", "--help"]])
def test_help_imports_neither_django_models_nor_analytics(tmp_path: Path, args: list[str]) -> None:
    result = _probe(args, tmp_path / "data")
    assert "Usage: vigie" in result.stdout
    loaded = json.loads(result.stderr.strip().splitlines()[-1])
    assert loaded == []
    # Nor does help create a data directory (reading the settings would).
    assert not (tmp_path / "data").exists()


def test_help_lists_every_apps_commands(tmp_path: Path) -> None:
    result = _probe(["--help"], tmp_path)
    for command in ("import", "export", "stats", "report", "screen", "lists", "evidence", "jobs"):
        assert f"  {command} " in result.stdout


def test_cli_modules_found_on_disk_are_the_enabled_apps() -> None:
    enabled = [f"{app}.cli" for app in settings.VIGIE_APPS]
    found = app_cli_modules()
    assert set(found) <= set(enabled)
    assert "vigie.core.cli" in found and "vigie.cases.cli" in found


def test_job_statuses_spelled_out_for_help_are_the_models() -> None:
    assert set(JOB_STATUSES) == {status.value for status in Job.Status}


def test_a_command_on_an_unmigrated_database_says_to_migrate(tmp_path: Path) -> None:
    result = _probe(["jobs", "list"], tmp_path)
    assert "vigie migrate" in result.stderr
    assert "Traceback" not in result.stderr
