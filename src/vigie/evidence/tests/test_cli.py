"""The command line: add, verify, export, verify-bag — and a crash in the middle of an ingest."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vigie.devtools.evidence_files import jpeg_with_exif, pdf_with_title
from vigie.evidence.cli import evidence
from vigie.evidence.models import CustodyEntry, Item
from vigie.testing import World


def run(*args: str) -> Any:
    return CliRunner().invoke(evidence, list(args), catch_exceptions=False)


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    a, b = tmp_path / "photo.jpg", tmp_path / "statement.pdf"
    a.write_bytes(jpeg_with_exif("Field camera"))
    b.write_bytes(pdf_with_title("Déclaration"))
    return [a, b]


def test_add_verify_export_verify_bag(world: World, files: list[Path], tmp_path: Path) -> None:
    r = run(
        "add",
        *map(str, files),
        "--case",
        "C-1",
        "--external-case",
        "--as-system",
        "--org",
        "own-org",
        "--collected-by",
        "Agent 7",
        "--place",
        "Sinjar",
        "--collected-at",
        "2024-05-01T10:00",
        "--consent",
        "written consent, form 12",
        "--description",
        "ledger photo",
    )
    assert r.exit_code == 0, r.output
    assert Item.objects.filter(case_ref="C-1").count() == 2
    item = next(i for i in Item.objects.all() if i.original_name == "photo.jpg")  # encrypted
    assert item.place == "Sinjar" and item.collected_at.isoformat() == "2024-05-01T10:00:00+00:00"
    assert item.custody.first().actor_name.startswith("system (command line: ")
    r = run("verify", "--all")
    assert r.exit_code == 0 and "Intact: 2 object(s), 4 custody entries" in r.output
    r = run("verify", str(item.uuid))
    assert r.exit_code == 0, r.output

    bag = tmp_path / "bag"
    r = run("export", "--as-system", "--as-system", "--case", "C-1", "-o", str(bag), "--lang", "fr")
    assert r.exit_code == 0, r.output
    assert (bag / "data" / "items" / str(item.uuid) / "photo.jpg").read_bytes() == files[
        0
    ].read_bytes()
    assert (bag / "data" / "custody-report.pdf").read_bytes().startswith(b"%PDF")
    assert CustodyEntry.objects.filter(event="exported").count() == 2
    pub = tmp_path / "vault.pem"
    r = CliRunner().invoke(evidence, ["public-key"])
    pub.write_text(r.stdout)
    # Checked in a fresh folder elsewhere, with only the public key.
    fresh = tmp_path / "elsewhere" / "bag"
    shutil.copytree(bag, fresh)
    r = run("verify-bag", str(fresh), "--public-key", str(pub))
    assert r.exit_code == 0, r.output
    assert "Bag valid: 2 item(s), 6 custody entries" in r.output

    # A swapped file, an altered custody history and a forged head are each reported.
    target = fresh / "data" / "items" / str(item.uuid) / "photo.jpg"
    target.write_bytes(jpeg_with_exif("Another camera"))
    r = run("verify-bag", str(fresh), "--public-key", str(pub))
    assert r.exit_code == 1
    assert "photo.jpg" in r.output and "is not the original" in r.output

    other = tmp_path / "other" / "bag"
    shutil.copytree(bag, other)
    cfile = other / "data" / "custody" / f"{item.uuid}.json"
    data = json.loads(cfile.read_text())
    data["entries"][0]["leaf"] = data["entries"][0]["leaf"].replace("collected", "received", 1)
    cfile.write_text(json.dumps(data))
    head = other / "data" / "custody" / "tree-head.json"
    h = json.loads(head.read_text())
    h["tree_size"] += 1
    head.write_text(json.dumps(h))
    r = run("verify-bag", str(other), "--public-key", str(pub))
    assert r.exit_code == 1
    assert "tree head: signature does not verify" in r.output
    assert f"item {item.uuid}: entry 1: leaf hash does not match" in r.output
    assert "data/custody/tree-head.json" in r.output  # the bag manifest catches it too


def test_export_into_non_empty_folder_and_unknown_case(
    world: World, files: list[Path], tmp_path: Path
) -> None:
    run("add", str(files[0]), "--case", "C-1", "--external-case", "--as-system", "--org", "own-org")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    r = CliRunner().invoke(
        evidence, ["export", "--as-system", "--case", "C-1", "-o", str(tmp_path / "full")]
    )
    assert r.exit_code == 1 and "not an empty folder" in r.output
    r = CliRunner().invoke(
        evidence, ["export", "--as-system", "--case", "NOPE", "-o", str(tmp_path / "b")]
    )
    assert r.exit_code == 2 and "case NOPE: no evidence item" in r.output


def test_add_errors(world: World, tmp_path: Path) -> None:
    r = CliRunner().invoke(
        evidence,
        [
            "add",
            str(tmp_path / "missing.jpg"),
            "--case",
            "C",
            "--external-case",
            "--as-system",
            "--org",
            "own-org",
        ],
    )
    assert r.exit_code == 1 and "missing.jpg: cannot read" in r.output
    r = CliRunner().invoke(
        evidence,
        ["add", str(tmp_path), "--case", "C", "--external-case", "--as-system", "--org", "own-org"],
    )
    assert r.exit_code != 0
    f = tmp_path / "a.txt"
    f.write_text("x")
    r = CliRunner().invoke(
        evidence,
        [
            "add",
            str(f),
            "--case",
            "C",
            "--external-case",
            "--collected-at",
            "yesterday",
            "--as-system",
            "--org",
            "own-org",
        ],
    )
    assert r.exit_code == 2 and "expected an ISO 8601 date" in r.output
    assert Item.objects.count() == 0


def _vigie(data_dir: Path, *args: str, **kw: Any) -> Any:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(VIGIE_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="vigie.settings.dev")
    cmd = [sys.executable, "-c", "from vigie.cli import main; main()", *args]
    return subprocess.Popen(cmd, env=env, **kw)


@pytest.mark.slow
def test_killed_mid_ingest_leaves_no_half_item(tmp_path: Path) -> None:
    """SIGKILL while the file is being written: no item, no log entry, verify stays clean."""
    data_dir = tmp_path / "vigie"
    for args in (
        ["migrate"],
        [
            "createadmin",
            "--username",
            "op",
            "--organisation",
            "org1",
            "--password",
            "a-long-password-1",
        ],
    ):
        assert _vigie(data_dir, *args, stdout=subprocess.DEVNULL).wait(timeout=120) == 0
    fifo = tmp_path / "capture.bin"
    os.mkfifo(fifo)
    proc = _vigie(
        data_dir,
        "evidence",
        "add",
        "--as-system",
        str(fifo),
        "--case",
        "C-9",
        "--external-case",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )

    def feed() -> None:
        with fifo.open("wb") as writer:
            # The pipe holds 64 KiB and the vault reads 8 MiB batches, one ahead of the
            # batch it encrypts: once 24 MiB are written, the third batch is being read,
            # so at least the first 8 MiB were hashed, encrypted and written to its
            # temporary file.
            writer.write(os.urandom(24 * 1024 * 1024))
            proc.send_signal(signal.SIGKILL)  # the pipe is still open: mid-ingest
            proc.wait(timeout=30)

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    feeder.join(timeout=180)
    if feeder.is_alive():  # the command never read the pipe: fail rather than hang
        proc.kill()
        pytest.fail(f"vigie evidence add did not read its input: {proc.communicate()[1]!r}")
    assert proc.returncode == -signal.SIGKILL
    tmp_files = list((data_dir / "evidence" / "tmp").iterdir())
    assert len(tmp_files) == 1 and tmp_files[0].stat().st_size > 4 * 1024 * 1024
    objects = data_dir / "evidence" / "objects"
    assert not objects.exists() or not any(objects.rglob("*"))
    check = _vigie(
        data_dir, "evidence", "verify", "--all", stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    out = check.communicate(timeout=120)[0].decode()
    assert check.returncode == 0, out
    assert "Intact: 0 object(s), 0 custody entries, 0 signed tree head(s)." in out
    assert "note: 1 temporary file(s) in the vault's tmp folder" in out  # reported, kept
    # The next ingest works, and the same bytes would be stored once.
    good = tmp_path / "good.txt"
    good.write_bytes(b"after the crash")
    again = _vigie(
        data_dir,
        "evidence",
        "add",
        "--as-system",
        str(good),
        "--case",
        "C-9",
        "--external-case",
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    out = again.communicate(timeout=120)[0].decode()
    assert again.returncode == 0, out
    check = _vigie(
        data_dir, "evidence", "verify", "--all", stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    out = check.communicate(timeout=120)[0].decode()
    assert check.returncode == 0 and "Intact: 1 object(s), 2 custody entries" in out


def test_transfer(world: World, files: list[Path]) -> None:
    run("add", str(files[0]), "--case", "C-T", "--external-case", "--as-system", "--org", "own-org")
    item = Item.objects.get()
    r = run(
        "transfer", "--as-system", str(item.uuid), "--to", "other-org", "--reason", "joint team"
    )
    assert r.exit_code == 0, r.output
    item.refresh_from_db()
    assert item.organisation.code == "other-org"
    entry = item.custody.get(event="transferred")
    assert (
        entry.actor_name.startswith("system (command line: ") and entry.detail["to"] == "other-org"
    )
    r = CliRunner().invoke(
        evidence,
        ["transfer", str(item.uuid), "--to", "other-org", "--reason", "again", "--as-system"],
    )
    assert r.exit_code == 2 and "already belongs" in r.output
    # a user acts only where they hold evidence.export: not in the organisation now holding it
    r = CliRunner().invoke(
        evidence,
        [
            "transfer",
            str(item.uuid),
            "--to",
            "own-org",
            "--reason",
            "back",
            "--user",
            "u-investigator",
        ],
    )
    assert r.exit_code == 3 and "evidence.export" in r.output
