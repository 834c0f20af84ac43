"""An import through the command line reaches the statistics: the snapshot's "changed
case(s) waiting" count is the number of cases imported until the refresh job has run, then 0
(issue 14: 104 CTDC records used to leave it at 0, the snapshot stale)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner

from vigie import cli as vigie_cli
from vigie.analytics.models import PendingRefresh
from vigie.cases.models import Case
from vigie.core.models import Job
from vigie.testing import World

SAMPLE = Path(__file__).parent / "fixtures" / "ctdc_sample.csv"


def _vigie() -> click.Group:
    vigie_cli._add_app_commands()
    return vigie_cli.cli


def _waiting(api: Any, world: World) -> int:
    response = api(world.users["analyst"]).get("/api/stats/snapshot/")
    assert response.status_code == 200, response.content
    return int(response.json()["pending_cases"])


def test_cli_import_makes_the_waiting_count_true(
    world: World, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assert _waiting(api, world) == 0
    args = ["import", str(SAMPLE), "--org", "own-org", "--user", "u-analyst", "--json"]
    with django_capture_on_commit_callbacks() as committed:
        result = CliRunner().invoke(_vigie(), args)
    assert result.exit_code == 0, result.output
    imported = Case.objects.filter(organisation=world.own).count()
    assert imported == 104
    # the import's commit: its change events are sent, the cases noted, a refresh queued
    with django_capture_on_commit_callbacks() as noted:
        for callback in committed:
            callback()
    assert _waiting(api, world) == imported
    assert Job.objects.filter(kind="analytics.refresh", status=Job.Status.QUEUED).exists()
    with django_capture_on_commit_callbacks(execute=True):
        for callback in noted:
            callback()  # the refresh job runs
    assert _waiting(api, world) == 0
    assert not PendingRefresh.objects.exists()
    refreshed = Job.objects.get(kind="analytics.refresh")
    assert refreshed.status == Job.Status.SUCCEEDED and refreshed.result == {"cases": imported}


def test_a_cli_write_says_who_acts(world: World, tmp_path: Path) -> None:
    result = CliRunner().invoke(_vigie(), ["import", str(SAMPLE), "--org", "own-org"])
    assert result.exit_code == 2
    assert "--user NAME" in result.output and "--as-system" in result.output
    assert not Case.objects.exists()


def test_an_import_killed_earlier_does_not_stay_running(world: World) -> None:
    """A `vigie import` killed mid-way leaves its job "running"; the next import marks it
    failed (to be run again) once its heartbeat is stale."""
    from datetime import timedelta

    from django.utils import timezone

    killed = Job.objects.create(
        kind="cases.import",
        organisation=world.own,
        status=Job.Status.RUNNING,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    args = ["import", str(SAMPLE), "--org", "own-org", "--as-system", "--dry-run"]
    result = CliRunner().invoke(_vigie(), args)
    assert result.exit_code == 0, result.output
    killed.refresh_from_db()
    assert killed.status == Job.Status.FAILED and "interrupted" in killed.error
