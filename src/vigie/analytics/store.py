"""Where the snapshot lives: Parquet parts in ``DATA_DIR/analytics/`` and a manifest.

``manifest.json`` lists the current parts of each table; it is replaced atomically
(``os.replace``) after the new parts are written, so a reader always sees a whole snapshot:
the one before a refresh or the one after it. Appending new records writes one new part;
replacing or deleting records rewrites only the parts that hold them; more than
``MAX_PARTS`` parts are compacted into one.

A part the new manifest drops is *retired*, not deleted: a reader in another thread or process
may have read the old manifest and still be querying its files. Retired parts are deleted by
the first write ``GRACE_SECONDS`` after they were retired (ADR 0401). Writers are serialised
across threads and processes (a web process and a worker may both refresh the snapshot) by a
lock file, so no write is lost and no part being written is taken for a leftover.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from vigie.analytics import schema

TABLES = {"victims": schema.VICTIMS, "perpetrators": schema.PERPETRATORS}
MAX_PARTS = 16
GRACE_SECONDS = 600.0  # far longer than any one query over the snapshot
_lock = threading.Lock()


def default_directory() -> Path:
    from django.conf import settings

    path = Path(
        getattr(settings, "VIGIE_ANALYTICS_DIR", "") or Path(settings.DATA_DIR) / "analytics"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def _listed(manifest: dict[str, Any]) -> set[str]:
    return {p for parts in manifest["tables"].values() for p in parts}


class Store:
    def __init__(
        self, directory: Path | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.directory = Path(directory) if directory else default_directory()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.clock = clock

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One writer at a time: the thread lock within a process, the lock file across them."""
        with _lock, open(self.directory / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    @property
    def manifest_path(self) -> Path:
        return self.directory / "manifest.json"

    def manifest(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.manifest_path.read_text())
            return data
        except FileNotFoundError:
            return {"version": 0, "tables": {name: [] for name in TABLES}, "built_at": None}

    def parts(self, table: str) -> list[Path]:
        return [self.directory / p for p in self.manifest()["tables"].get(table, [])]

    def _with_masks(self, table: str, data: pa.Table, bits: dict[str, list[str]]) -> pa.Table:
        """Add the bit-mask columns of the list columns, extending ``bits`` with new codes."""
        for column in schema.MASKED[table]:
            codes = bits.setdefault(column, [])
            index = {c: i for i, c in enumerate(codes)}
            masks = []
            for values in data.column(column).to_pylist():
                m = 0
                for v in values or ():
                    if v not in index:
                        index[v] = len(codes)
                        codes.append(v)
                    if index[v] < schema.MAX_BITS:
                        m |= 1 << index[v]
                masks.append(m)
            name = f"{column}_mask"
            array = pa.array(masks, pa.int64())
            if name in data.column_names:
                data = data.set_column(data.column_names.index(name), name, array)
            else:
                data = data.append_column(name, array)
        return data

    def _write_part(self, table: str, data: pa.Table, bits: dict[str, Any]) -> str:
        name = f"{table}-{uuid.uuid4().hex[:12]}.parquet"
        tmp = self.directory / f".{name}.tmp"
        data = self._with_masks(table, data, bits.setdefault(table, {}))
        data = data.select(TABLES[table].names).cast(TABLES[table])
        pq.write_table(data, tmp, compression="zstd", row_group_size=256_000)
        os.replace(tmp, self.directory / name)
        return name

    def _commit(self, manifest: dict[str, Any], built_at: str | None = None) -> None:
        manifest["version"] = int(manifest.get("version", 0)) + 1
        if built_at is not None:
            manifest["built_at"] = built_at
        now = self.clock()
        previous = self.manifest()
        listed = _listed(manifest)
        retired = {
            name: at
            for name, at in previous.get("retired", {}).items()
            if name not in listed and now - at < GRACE_SECONDS
        }
        for name in _listed(previous) - listed:
            retired.setdefault(name, now)
        manifest["retired"] = retired
        tmp = self.directory / ".manifest.json.tmp"
        tmp.write_text(json.dumps(manifest, indent=1))
        os.replace(tmp, self.manifest_path)
        # Neither listed nor retired: expired, or left by a writer that crashed before its commit.
        for path in self.directory.glob("*.parquet"):
            if path.name not in listed and path.name not in retired:
                path.unlink(missing_ok=True)

    def replace_all(self, tables: dict[str, pa.Table], built_at: str) -> None:
        """A full rebuild: each given table becomes one new part."""
        with self._writing():
            manifest = self.manifest()
            bits = manifest.setdefault("bits", {})
            for name, data in tables.items():
                manifest["tables"][name] = [self._write_part(name, data, bits)]
            self._commit(manifest, built_at)

    def replace_from_batches(self, table: str, batches: Iterable[pa.Table], built_at: str) -> None:
        """A full rebuild of one table written batch by batch (bounded memory)."""
        name = f"{table}-{uuid.uuid4().hex[:12]}.parquet"
        tmp = self.directory / f".{name}.tmp"
        bits: dict[str, list[str]] = {}
        writer = pq.ParquetWriter(tmp, TABLES[table], compression="zstd")
        try:
            for batch in batches:
                batch = self._with_masks(table, batch, bits)
                batch = batch.select(TABLES[table].names).cast(TABLES[table])
                writer.write_table(batch, row_group_size=256_000)
        finally:
            writer.close()
        with self._writing():
            os.replace(tmp, self.directory / name)
            manifest = self.manifest()
            manifest.setdefault("bits", {})[table] = bits
            manifest["tables"][table] = [name]
            self._commit(manifest, built_at)

    def upsert(
        self,
        table: str,
        rows: pa.Table,
        delete_cases: Iterable[str] = (),
        built_at: str = "",
    ) -> None:
        """Replace every row of ``delete_cases`` and of the cases in ``rows`` by ``rows``."""
        keys = set(delete_cases) | set(rows.column("case_key").to_pylist())
        with self._writing():
            manifest = self.manifest()
            bits = manifest.setdefault("bits", {})
            parts: list[str] = list(manifest["tables"].get(table, []))
            if keys and parts:
                parts = self._drop_keys(table, parts, keys, bits)
            if rows.num_rows:
                parts.append(self._write_part(table, rows, bits))
            if len(parts) > MAX_PARTS:
                parts = [self._compact(table, parts, bits)]
            manifest["tables"][table] = parts
            self._commit(manifest, built_at or None)

    def _drop_keys(
        self, table: str, parts: list[str], keys: set[str], bits: dict[str, Any]
    ) -> list[str]:
        con = duckdb.connect()
        con.execute("CREATE TEMP TABLE k(case_key VARCHAR)")
        con.executemany("INSERT INTO k VALUES (?)", [(k,) for k in keys])
        files = [str(self.directory / p) for p in parts]
        hits = con.execute(
            "SELECT DISTINCT filename FROM read_parquet(?, filename=true) "
            "WHERE case_key IN (SELECT case_key FROM k)",
            [files],
        ).fetchall()
        touched = {Path(h[0]).name for h in hits}
        result = []
        for part in parts:
            if part not in touched:
                result.append(part)
                continue
            kept = con.sql(
                "SELECT * FROM read_parquet(?) WHERE case_key NOT IN (SELECT case_key FROM k)",
                params=[str(self.directory / part)],
            ).to_arrow_table()
            if kept is not None and kept.num_rows:
                result.append(self._write_part(table, kept, bits))
        con.close()
        return result

    def _compact(self, table: str, parts: list[str], bits: dict[str, Any]) -> str:
        con = duckdb.connect()
        data = con.sql(
            "SELECT * FROM read_parquet(?)", params=[[str(self.directory / p) for p in parts]]
        ).to_arrow_table()
        con.close()
        return self._write_part(table, data, bits)
