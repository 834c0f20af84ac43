"""Evidence vault speed, each figure beside its baseline measured in the same run:

- ingest of one large file (hash SHA-256 + SHA-512, encrypt, fsync, rename, one transaction)
  against `sha256sum` on the same file;
- ingest of many small files against `sha256sum` over the same files;
- ingest of many realistic small files (32-256 KB, like phone photos and documents)
  against `sha256sum` over the same files;
- `verify --all` (decrypt + re-hash every object, recompute the log) against `sha256sum`;
- inclusion-proof generation and check in a log of --log-entries leaves;
- for the small files, three reference floors in the same run, as ratios to `sha256sum`:
  the least per-file work issue 6 asks for, by the simplest Python loop and no database
  (open + read, SHA-256 and SHA-512, AES-256-GCM, append to one file, one fsync at the end);
  the same writing one file per object, as the vault's layout does; and, apart, a bare
  sqlite3 `executemany` of the rows one item needs (6: blob, metadata, item,
  case link, two custody entries) for as many items, in batches of 500, in the vault's own
  tables and indexes — together, what any ingest in this stack costs at the least;
- the time per file by stage (read+hash+encrypt+write, type detection and metadata
  extraction — these three summed over the stage threads, which run side by side —, then
  on the main thread: sync+rename, database, signing), and the wall-clock total per file,
  to show where the cost of a small file goes.

Prints one JSON line. `python bench/evidence_ingest.py [--mb 1024] [--small 10000]
[--small-kb 4] [--realistic 10000] [--log-entries 1000000]`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

WORK = Path(tempfile.mkdtemp(prefix="vigie-bench-evidence-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.dev")
os.environ["VIGIE_DATA_DIR"] = str(WORK / "data")
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from vigie.core.actor import Actor  # noqa: E402
from vigie.core.models import Organisation  # noqa: E402
from vigie.evidence import batch, merkle, services  # noqa: E402
from vigie.evidence.models import (  # noqa: E402
    Blob,
    CustodyEntry,
    Item,
    ItemLink,
    TechnicalMetadata,
)
from vigie.evidence.verify import verify_all  # noqa: E402


def _sha256sum(paths: list[Path]) -> float:
    t0 = time.perf_counter()
    for i in range(0, len(paths), 2000):
        subprocess.run(
            ["sha256sum", *map(str, paths[i : i + 2000])], check=True, stdout=subprocess.DEVNULL
        )
    return time.perf_counter() - t0


def _write_random(path: Path, size: int) -> None:
    block = os.urandom(1 << 20)
    with path.open("wb") as f:
        left = size
        while left:
            n = min(left, len(block))
            f.write(block[:n])
            left -= n
            block = block[1:] + block[:1]  # different blocks, cheaply


def _ingest_batch(org: object, paths: list[Path], case_ref: str) -> float:
    """`vigie evidence add PATH...`'s path: batches of 500, one signed tree head each."""
    collection = services.Collection(case_ref=case_ref, external_case=True)
    t0 = time.perf_counter()
    outcomes = list(
        batch.ingest_many(
            Actor.system("bench", org.pk),
            org,
            [(p.name, batch.file_opener(p)) for p in paths],
            collection=collection,
        )
    )
    elapsed = time.perf_counter() - t0
    assert all(o.item_id for o in outcomes), [o.error for o in outcomes if o.error][:3]
    return elapsed


def _floor_files(paths: list[Path], out: Path, *, one_per_object: bool = False) -> float:
    """The least per-file work the issue asks for, simplest loop, no database: read, SHA-256,
    SHA-512, AES-256-GCM (one key; the vault derives one per object), append to one file,
    one fsync at the end. ``one_per_object``: each into its own new file in ``out`` (the
    vault's layout, ADR 0601, without its folders), one ``sync`` at the end. Seconds."""
    aead = AESGCM(os.urandom(32))
    if one_per_object:
        out.mkdir()
    t0 = time.perf_counter()
    with open(os.devnull if one_per_object else out, "wb") as sink:
        for n, path in enumerate(paths):
            with path.open("rb") as f:
                data = f.read()
            hashlib.sha256(data).digest()
            hashlib.sha512(data).digest()
            sealed = aead.encrypt(n.to_bytes(12, "big"), data, None)
            if one_per_object:
                (out / f"{n}").write_bytes(sealed)
            else:
                sink.write(sealed)
        sink.flush()
        if one_per_object:
            os.sync()
        else:
            os.fsync(sink.fileno())
    elapsed = time.perf_counter() - t0
    if one_per_object:
        shutil.rmtree(out)
    else:
        out.unlink()
    return elapsed


def _floor_rows(items: int, db: Path) -> float:
    """A bare sqlite3 ``executemany`` of the 6 rows one item needs (blob, technical metadata,
    item, case link, "collected" and "received" custody entries; batch.py writes the same),
    for ``items`` items, 500 per transaction, into the vault's own tables and indexes (their
    DDL copied from the migrated database), WAL and synchronous=NORMAL as the vault. No
    foreign keys (the referenced tables are not there), no Merkle tree, no lookups. Seconds."""
    from django.db import connection

    tables = [m._meta.db_table for m in (Blob, TechnicalMetadata, Item, ItemLink, CustodyEntry)]
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(tables))
        cursor.execute(
            f"SELECT sql FROM sqlite_master WHERE tbl_name IN ({marks}) AND sql IS NOT NULL",  # noqa: S608
            tables,
        )
        ddl = [sql for (sql,) in cursor.fetchall()]
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    for sql in sorted(ddl, key=lambda s: not s.startswith("CREATE TABLE")):
        con.execute(sql)

    def cols(model: type, names: list[str]) -> str:
        return ", ".join(f'"{model._meta.get_field(n).column}"' for n in names)  # type: ignore[attr-defined]

    def insert(model: type, names: list[str]) -> str:
        table = model._meta.db_table  # type: ignore[attr-defined]
        marks = ", ".join("?" * len(names))
        return f'INSERT INTO "{table}" ({cols(model, names)}) VALUES ({marks})'  # noqa: S608

    blob_sql = insert(Blob, ["id", "sha256", "sha512", "size", "key_id", "mime_type", "type_name",
                             "extension", "stored_at"])  # fmt: skip
    meta_sql = insert(TechnicalMetadata, ["blob", "extractor", "data", "problems"])
    item_sql = insert(Item, ["id", "uuid", "organisation", "case_ref", "blob", "original_name",
                             "description", "collected_at", "collected_by", "place", "consent",
                             "source", "derivation", "duplicate_of", "sealed", "sealed_at",
                             "sealed_by", "added_by", "added_at"])  # fmt: skip
    link_sql = insert(ItemLink, ["item", "kind", "reference", "case", "perpetrator", "incident"])
    entry_sql = insert(CustodyEntry, ["seq", "at", "item", "item_uuid", "sha256", "event",
                                      "actor", "actor_name", "organisation_code", "detail",
                                      "leaf_hash"])  # fmt: skip
    now = "2026-12-02 18:00:00.000000"
    secret = "gAAAAA" + "x" * 90  # the size of an encrypted identifying field
    meta = json.dumps({"note": "no extractor for this type or too large"})
    t0 = time.perf_counter()
    for start in range(0, items, 500):
        blobs, metas, rows, links, entries = [], [], [], [], []
        for i in range(start + 1, min(start + 500, items) + 1):
            sha, u = hashlib.sha256(i.to_bytes(8, "big")).hexdigest(), uuid.uuid4().hex
            blobs.append((i, sha, sha * 2, 4096, "k1", "application/octet-stream",
                          "Binary data", "bin", now))  # fmt: skip
            metas.append((i, "none", meta, ""))
            rows.append((i, u, 1, "SMALL", i, f"f{i:05d}.bin", secret, None, secret, secret,
                         secret, None, "", None, 0, None, None, None, now))  # fmt: skip
            links.append((i, "case", "SMALL", None, None, None))
            collected = json.dumps({"collected_at": "", "record_sha256": sha})
            received = json.dumps({"sha512": sha * 2, "size": 4096, "name": f"f{i:05d}.bin",
                                   "type": "application/octet-stream", "duplicate_of": "",
                                   "source": ""})  # fmt: skip
            entries.append((2 * i - 1, now, i, u, sha, "collected", None, "bench", "bench",
                            collected, sha))  # fmt: skip
            entries.append((2 * i, now, i, u, sha, "received", None, "bench", "bench",
                            received, sha))  # fmt: skip
        con.execute("BEGIN IMMEDIATE")
        for sql, params in ((blob_sql, blobs), (meta_sql, metas), (item_sql, rows),
                            (link_sql, links), (entry_sql, entries)):  # fmt: skip
            con.executemany(sql, params)
        con.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed


def _small_files(folder: Path, sizes: list[int]) -> list[Path]:
    folder.mkdir()
    paths = []
    for i, size in enumerate(sizes):
        path = folder / f"f{i:05d}.bin"
        path.write_bytes(os.urandom(size))
        paths.append(path)
    return paths


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--mb", type=int, default=1024)
    p.add_argument("--small", type=int, default=10_000)
    p.add_argument("--small-kb", type=int, default=4)
    p.add_argument("--realistic", type=int, default=10_000, help="files of 32-256 KB")
    p.add_argument("--log-entries", type=int, default=1_000_000)
    a = p.parse_args()
    call_command("migrate", verbosity=0)
    org = Organisation.objects.create(code="bench", name="Bench")
    out: dict[str, object] = {"bench": "evidence_ingest", "load_avg_1m": os.getloadavg()[0]}

    # 1. Many tiny files (the batched path of `vigie evidence add PATH...`).
    paths = _small_files(WORK / "small", [a.small_kb * 1024] * a.small)
    base = _sha256sum(paths)
    floor_files_s = _floor_files(paths, WORK / "floor.bin")
    floor_objects_s = _floor_files(paths, WORK / "floor", one_per_object=True)
    floor_rows_s = _floor_rows(a.small, WORK / "floor.sqlite3")
    batch.TIMINGS.clear()
    ingest_s = _ingest_batch(org, paths, "SMALL")
    per_file_ms = {k: round(1000 * v / a.small, 3) for k, v in sorted(batch.TIMINGS.items())}
    out |= {
        "stage_threads": batch.STAGE_THREADS,
        "small_files": a.small,
        "small_kb": a.small_kb,
        "small_files_per_s": round(a.small / ingest_s, 1),
        "small_sha256sum_files_per_s": round(a.small / base, 1),
        "small_ratio_to_sha256sum": round(base / ingest_s, 3),
        "small_ms_per_file": round(1000 * ingest_s / a.small, 3),
        "small_sha256sum_ms_per_file": round(1000 * base / a.small, 3),
        "small_ms_per_file_by_stage": per_file_ms,
        # Reference floors (no vault code): the least work per file, and the rows.
        "small_floor_files_ratio_to_sha256sum": round(base / floor_files_s, 3),
        "small_floor_files_ms_per_file": round(1000 * floor_files_s / a.small, 3),
        "small_floor_one_file_per_object_ratio_to_sha256sum": round(base / floor_objects_s, 3),
        "small_floor_one_file_per_object_ms_per_file": round(1000 * floor_objects_s / a.small, 3),
        "small_floor_rows_ratio_to_sha256sum": round(base / floor_rows_s, 3),
        "small_floor_rows_ms_per_item": round(1000 * floor_rows_s / a.small, 3),
        "small_floor_both_ratio_to_sha256sum": round(base / (floor_files_s + floor_rows_s), 3),
    }
    shutil.rmtree(WORK / "small")

    # 2. verify --all over those items (decrypt + re-hash every object, recompute the log).
    t0 = time.perf_counter()
    report = verify_all()
    verify_s = time.perf_counter() - t0
    assert report.ok, report.problems
    out |= {
        "verify_all_items": report.objects,
        "verify_all_entries": report.entries,
        "verify_all_s": round(verify_s, 2),
        "verify_items_per_s": round(report.objects / verify_s, 1),
        "verify_ratio_to_sha256sum": round(base / verify_s, 3),
    }

    # 3. Realistic small files: phone photos and documents of 32-256 KB.
    if a.realistic:
        rng = random.Random(6)
        sizes = [rng.randint(32, 256) * 1024 for _ in range(a.realistic)]
        paths = _small_files(WORK / "realistic", sizes)
        base = _sha256sum(paths)
        batch.TIMINGS.clear()
        ingest_s = _ingest_batch(org, paths, "REAL")
        total_mb = sum(sizes) / (1 << 20)
        out |= {
            "realistic_files": a.realistic,
            "realistic_kb_range": [32, 256],
            "realistic_total_mb": round(total_mb, 1),
            "realistic_files_per_s": round(a.realistic / ingest_s, 1),
            "realistic_mb_s": round(total_mb / ingest_s, 1),
            "realistic_sha256sum_mb_s": round(total_mb / base, 1),
            "realistic_ratio_to_sha256sum": round(base / ingest_s, 3),
            "realistic_ms_per_file": round(1000 * ingest_s / a.realistic, 3),
            "realistic_sha256sum_ms_per_file": round(1000 * base / a.realistic, 3),
            "realistic_ms_per_file_by_stage": {
                k: round(1000 * v / a.realistic, 3) for k, v in sorted(batch.TIMINGS.items())
            },
        }
        shutil.rmtree(WORK / "realistic")

    # 4. One large file (single-file path: one fsync + rename, one transaction).
    big = WORK / "big.bin"
    _write_random(big, a.mb << 20)
    base = min(_sha256sum([big]) for _ in range(2))  # warm cache, best of two
    collection = services.Collection(case_ref="BENCH", external_case=True)
    t0 = time.perf_counter()
    with big.open("rb") as f:
        services.ingest(
            Actor.system("bench", org.pk), org, f, name="big.bin", collection=collection
        )
    ingest_s = time.perf_counter() - t0
    out |= {
        "large_mb": a.mb,
        "large_ingest_mb_s": round(a.mb / ingest_s, 1),
        "large_sha256sum_mb_s": round(a.mb / base, 1),
        "large_ratio_to_sha256sum": round(base / ingest_s, 3),
    }
    big.unlink()

    # 5. Inclusion proofs in a log of --log-entries leaves.
    leaves = [os.urandom(32) for _ in range(a.log_entries)]
    t0 = time.perf_counter()
    tree = merkle.Tree(leaves)
    build_s = time.perf_counter() - t0
    root = tree.root()
    rng = random.Random(2331)
    idx = [rng.randrange(a.log_entries) for _ in range(2000)]
    t0 = time.perf_counter()
    proofs = [tree.inclusion_proof(i) for i in idx]
    gen_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ok = all(
        merkle.verify_inclusion(leaves[i], i, a.log_entries, pr, root)
        for i, pr in zip(idx, proofs, strict=True)
    )
    check_s = time.perf_counter() - t0
    assert ok
    out |= {
        "log_entries": a.log_entries,
        "log_tree_build_s": round(build_s, 2),
        "inclusion_proof_ms": round(1000 * gen_s / len(idx), 4),
        "inclusion_check_ms": round(1000 * check_s / len(idx), 4),
    }
    out["load_avg_1m_end"] = os.getloadavg()[0]
    print(json.dumps(out))
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
