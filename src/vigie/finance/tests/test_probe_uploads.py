"""Attacker's probe (issue 15 "uploads unencrypted on disk", ADR 0022, 0059): a transaction
file names account holders and numbers; while it waits for its import job it is kept
encrypted, and once imported it is gone from the data directory."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vigie.core.models import Job
from vigie.devtools import transactions
from vigie.finance import uploads
from vigie.testing import World

pytestmark = pytest.mark.django_db


def test_a_transaction_upload_is_encrypted_at_rest_and_removed_once_imported(
    world: World, api: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    path = tmp_path / "tx.csv"
    transactions.write(path, rows=60, accounts=20, networks=1, seed=7)
    with path.open() as fh:
        numbers = {row["from_account"] for row in csv.DictReader(fh)} - {""}
    client = api(world.users["financial_analyst"])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        sent = client.post(
            "/api/finance/files/",
            {"file": SimpleUploadedFile("tx.csv", path.read_bytes(), "text/csv")},
            format="multipart",
        )
    assert sent.status_code == 202, sent.content
    job = Job.objects.get(pk=sent.json()["job"])
    stored = Path(job.params["path"])
    assert stored.parent == uploads.upload_dir() and stored.is_file()
    data = stored.read_bytes()
    assert numbers and not any(n.encode() in data for n in numbers), "held in clear"
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert not stored.exists()


def test_the_import_works_where_plaintext_copies_go(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The converted file and DuckDB's spill name accounts in clear: they live in the
    plaintext directory (memory when it has room), not in the system's disk temp."""
    from vigie.core.actor import Actor
    from vigie.finance import importer, mapping

    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.setenv("VIGIE_PLAIN_TMP", str(plain))
    path = tmp_path / "tx.csv"
    transactions.write(path, rows=60, accounts=20, networks=1, seed=7)
    seen: list[str] = []
    actor = Actor(user=world.users["financial_analyst"], organisation_id=world.own.pk)
    importer.import_file(
        actor,
        world.own,
        path,
        mapping.load(None),
        progress=lambda done, total, message: seen.extend(p.name for p in plain.iterdir()),
    )
    assert any(name.startswith("vigie-finance-") for name in seen), seen
