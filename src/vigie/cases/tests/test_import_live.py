"""A long atomic import on the embedded SQLite database, followed and cancelled from another
process: its progress is visible while its transaction is open, and a cancel request goes
through although the import holds the database's write lock (vigie.core.jobfiles)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

VIGIE = [sys.executable, "-c", "from vigie.cli import main; main()"]
SETUP = (
    "import django; django.setup();"
    "from django.core.management import call_command;"
    "call_command('migrate', interactive=False, verbosity=0);"
    "from vigie.core.models import Organisation;"
    "Organisation.objects.create(code='live', name='Live')"
)


def _env(data: Path) -> dict[str, str]:
    # the embedded database, whatever the suite runs on: the write lock is SQLite's
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return env | {"VIGIE_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "vigie.settings.dev"}


def _vigie(args: list[str], data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*VIGIE, *args], env=_env(data), capture_output=True, text=True, timeout=120, check=False
    )


def _running_import(data: Path, deadline: float) -> dict[str, Any]:
    """The running import job once it has reported progress (rows done > 0)."""
    while time.monotonic() < deadline:
        listing = _vigie(["jobs", "list", "--status", "running", "--json"], data)
        assert listing.returncode == 0, listing.stderr
        for line in listing.stdout.splitlines():
            row = json.loads(line)
            if row["kind"] == "cases.import" and row["done"] > 0:
                return dict(row)
        time.sleep(0.5)
    raise AssertionError("the running import's progress never became visible")


@pytest.mark.slow
def test_atomic_import_progress_is_visible_and_it_can_be_cancelled(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-c", SETUP], env=_env(tmp_path), check=True, timeout=300)
    csv = tmp_path / "cases.csv"
    made = _vigie(["generate", "--records", "60000", "--layout", "vigie", "-o", str(csv)], tmp_path)
    assert made.returncode == 0, made.stderr
    importing = subprocess.Popen(
        [*VIGIE, "import", str(csv), "--layout", "vigie", "--org", "live", "--as-system", "--json"],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        job = _running_import(tmp_path, time.monotonic() + 240)
        assert job["done"] < job["total"] == 60000
        cancelled = _vigie(["jobs", "cancel", job["id"], "--as-system"], tmp_path)
        assert cancelled.returncode == 0, cancelled.stderr
        assert "cancellation requested" in cancelled.stdout
        out, err = importing.communicate(timeout=240)
    finally:
        importing.kill()
    assert importing.returncode != 0
    assert json.loads(out)["status"] == "cancelled", err
    db = sqlite3.connect(tmp_path / "vigie.sqlite3")
    assert db.execute("SELECT count(*) FROM cases_case").fetchone() == (0,)
    assert db.execute("SELECT status FROM core_job WHERE kind = 'cases.import'").fetchall() == [
        ("cancelled",)
    ]
    assert not list((tmp_path / "job-progress").iterdir())
