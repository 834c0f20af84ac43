"""Court bags: every payload file in every manifest, a signed list of what was exported,
each problem printed once; leftover temporary files reported by verify."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vigie.evidence import store
from vigie.evidence.cli import evidence
from vigie.evidence.tests.factories import add
from vigie.testing import World


def run(*args: str) -> Any:
    return CliRunner().invoke(evidence, list(args), catch_exceptions=False)


@pytest.fixture
def bag(world: World, tmp_path: Path) -> tuple[Path, Path, list[str]]:
    uuids = [
        str(add(world, f"file {i}".encode() * 50, name=f"f{i}.txt", case="C-1").item.uuid)
        for i in range(3)
    ]
    out = tmp_path / "bag"
    r = run("export", "--case", "C-1", "-o", str(out), "--as-system", "--org", world.own.code)
    assert r.exit_code == 0, r.output
    pub = tmp_path / "vault.pem"
    pub.write_text(CliRunner().invoke(evidence, ["public-key"]).stdout)
    return out, pub, uuids


def _rewrite_manifests(bag: Path) -> None:
    """Recompute Payload-Oxum and the tag manifests, as someone hiding a change would."""
    files = [p for p in (bag / "data").rglob("*") if p.is_file()]
    octets = sum(p.stat().st_size for p in files)
    info = bag / "bag-info.txt"
    lines = [
        f"Payload-Oxum: {octets}.{len(files)}" if x.startswith("Payload-Oxum:") else x
        for x in info.read_text().splitlines()
    ]
    info.write_text("\n".join(lines) + "\n")
    for alg in ("sha256", "sha512"):
        tag = bag / f"tagmanifest-{alg}.txt"
        names = [n.split(maxsplit=1)[1] for n in tag.read_text().splitlines()]
        tag.write_text(
            "".join(f"{hashlib.new(alg, (bag / n).read_bytes()).hexdigest()}  {n}\n" for n in names)
        )


def _drop_lines(manifest: Path, needle: str) -> None:
    kept = [x for x in manifest.read_text().splitlines() if needle not in x]
    manifest.write_text("\n".join(kept) + "\n")


def test_intact_bag_is_valid_with_its_signed_contents(bag: Any) -> None:
    out, pub, _uuids = bag
    assert (out / "data" / "custody" / "contents.json").exists()
    r = run("verify-bag", str(out), "--public-key", str(pub))
    assert r.exit_code == 0, r.output
    assert "Bag valid: 3 item(s)" in r.output


def test_file_missing_from_one_manifest_is_reported(bag: Any) -> None:
    out, pub, uuids = bag
    _drop_lines(out / "manifest-sha256.txt", f"data/items/{uuids[1]}/")
    _rewrite_manifests(out)
    r = run("verify-bag", str(out), "--public-key", str(pub))
    assert r.exit_code == 1, r.output
    assert f"data/items/{uuids[1]}/f1.txt is not in manifest-sha256.txt" in r.output


def test_item_removed_entirely_is_named(bag: Any) -> None:
    out, pub, uuids = bag
    gone = uuids[0]
    shutil.rmtree(out / "data" / "items" / gone)
    (out / "data" / "custody" / f"{gone}.json").unlink()
    for alg in ("sha256", "sha512"):
        _drop_lines(out / f"manifest-{alg}.txt", gone)
    _rewrite_manifests(out)
    r = run("verify-bag", str(out), "--public-key", str(pub))
    assert r.exit_code == 1, r.output
    assert f"item {gone}: listed in the signed contents but missing from the bag" in r.output


def test_removed_signed_contents_is_reported(bag: Any) -> None:
    out, pub, _uuids = bag
    (out / "data" / "custody" / "contents.json").unlink()
    for alg in ("sha256", "sha512"):
        _drop_lines(out / f"manifest-{alg}.txt", "contents.json")
    _rewrite_manifests(out)
    r = run("verify-bag", str(out), "--public-key", str(pub))
    assert r.exit_code == 1
    assert "no signed list of the exported items" in r.output


def test_each_problem_printed_once(bag: Any) -> None:
    out, pub, uuids = bag
    target = out / "data" / "items" / uuids[2] / "f2.txt"
    target.write_bytes(b"changed")
    r = run("verify-bag", str(out), "--public-key", str(pub))
    assert r.exit_code == 1
    fails = [x for x in r.output.splitlines() if x.startswith("FAIL")]
    assert len(fails) == len(set(fails)), fails
    about = [x for x in fails if "f2.txt" in x and "manifest" in x]
    assert len(about) == 1, fails
    (out / "data" / "items" / uuids[0] / "f0.txt").unlink()
    r = run("verify-bag", str(out), "--public-key", str(pub))
    fails = [x for x in r.output.splitlines() if x.startswith("FAIL")]
    assert [x for x in fails if uuids[0] in x] == [
        f"FAIL bag: data/items/{uuids[0]}/f0.txt is listed in the manifests but missing from "
        "the bag"
    ]


def test_bag_module_uses_only_bagit_public_api() -> None:
    source = (Path(__file__).parent.parent / "bag.py").read_text()
    assert "._validate" not in source


def test_verify_reports_leftover_temporary_files(world: World) -> None:
    add(world, b"one file", name="one.txt")
    vault = store.default_store()
    vault.tmp.mkdir(parents=True, exist_ok=True)
    for i in range(3):
        (vault.tmp / f"ingest-{i:016x}").write_bytes(b"x" * 10)
    r = run("verify", "--all")
    assert "3 temporary file(s)" in r.output
    old = time.time() - 3 * 86400
    for p in vault.tmp.iterdir():
        os.utime(p, (old, old))
    r = run("cleanup-uploads")
    assert r.exit_code == 0, r.output
    assert not list(vault.tmp.iterdir())
    assert "temporary file" not in run("verify", "--all").output


def test_signed_contents_is_signed_by_the_vault_key(bag: Any) -> None:
    out, pub, _uuids = bag
    contents = json.loads((out / "data" / "custody" / "contents.json").read_text())
    assert contents["key_id"] and contents["signature"]
    contents["items"] = contents["items"][1:]
    (out / "data" / "custody" / "contents.json").write_text(json.dumps(contents))
    for alg in ("sha256", "sha512"):
        m = out / f"manifest-{alg}.txt"
        lines = [
            (
                f"{hashlib.new(alg, (out / 'data/custody/contents.json').read_bytes()).hexdigest()}"
                "  data/custody/contents.json"
                if "contents.json" in x
                else x
            )
            for x in m.read_text().splitlines()
        ]
        m.write_text("\n".join(lines) + "\n")
    _rewrite_manifests(out)
    r = run("verify-bag", str(out), "--public-key", str(pub))
    assert r.exit_code == 1
    assert "signed contents: signature does not verify" in r.output
