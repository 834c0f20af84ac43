"""Web-import uploads hold case records: stale ones are removed, those an import still reads
are kept."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vigie.cases.cli import cases
from vigie.core.models import Job
from vigie.testing import World

pytestmark = pytest.mark.django_db


def _file(folder: Path, name: str, hours_old: float) -> Path:
    path = folder / name
    path.write_text("case_id,sex\nA-1,F\n", encoding="utf-8")
    when = time.time() - hours_old * 3600
    os.utime(path, (when, when))
    return path


def test_stale_uploads_go_and_files_in_use_stay(
    world: World, settings: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings.DATA_DIR = tmp_path
    folder = tmp_path / "imports"
    folder.mkdir()
    stale = _file(folder, "stale.csv", 72)
    stale_mapping = _file(folder, "stale.mapping.yaml", 72)
    fresh = _file(folder, "fresh.csv", 1)
    queued = _file(folder, "queued.csv", 72)
    Job.objects.create(kind="cases.import", organisation=world.own, params={"path": str(queued)})
    with caplog.at_level("INFO", logger="vigie.cases"):
        result = CliRunner().invoke(cases, ["cleanup-uploads", "--older-than", "48"])
    assert result.exit_code == 0, result.output
    assert "Removed 2 stale import upload(s)" in result.output
    assert not stale.exists() and not stale_mapping.exists()
    assert fresh.exists() and queued.exists()
    assert "removed the stale import upload stale.csv" in caplog.text
    job = Job.objects.get(kind="cases.cleanup_uploads")
    assert job.status == "succeeded" and job.result == {"uploads_removed": 2, "stages_discarded": 0}
