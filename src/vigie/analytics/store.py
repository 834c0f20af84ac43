"""Where the snapshot lives: Parquet parts in ``DATA_DIR/analytics/`` and a manifest.

``manifest.json`` lists the current parts of each table; it is replaced atomically
(``os.replace``) after the new parts are written, so a reader always sees a whole snapshot:
the one before a refresh or the one after it. Appending new records writes one new part;
replacing or deleting records rewrites only the parts that hold them; more than
``MAX_PARTS`` parts are compacted into one. Files no manifest lists are removed on the next
write (readers hold the old list only for the duration of one query).
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from vigie.analytics import schema

TABLES = {"victims": schema.VICTIMS, "perpetrators": schema.PERPETRATORS}
MAX_PARTS = 16
_lock = threading.Lock()


def default_directory() -> Path:
    from django.conf import settings

    path = Path(
        getattr(settings, "VIGIE_ANALYTICS_DIR", "") or Path(settings.DATA_DIR) / "analytics"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


class Store:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory) if directory else default_directory()
        self.directory.mkdir(parents=True, exist_ok=True)

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

    def _write_part(self, table: str, data: pa.Table) -> str:
        name = f"{table}-{uuid.uuid4().hex[:12]}.parquet"
        tmp = self.directory / f".{name}.tmp"
        pq.write_table(data.cast(TABLES[table]), tmp, compression="zstd", row_group_size=256_000)
        os.replace(tmp, self.directory / name)
        return name

    def _commit(self, manifest: dict[str, Any], built_at: str | None = None) -> None:
        manifest["version"] = int(manifest.get("version", 0)) + 1
        if built_at is not None:
            manifest["built_at"] = built_at
        tmp = self.directory / ".manifest.json.tmp"
        tmp.write_text(json.dumps(manifest, indent=1))
        os.replace(tmp, self.manifest_path)
        listed = {p for parts in manifest["tables"].values() for p in parts}
        for path in self.directory.glob("*.parquet"):
            if path.name not in listed:
                path.unlink(missing_ok=True)

    def replace_all(self, tables: dict[str, pa.Table], built_at: str) -> None:
        """A full rebuild: each given table becomes one new part."""
        with _lock:
            manifest = self.manifest()
            for name, data in tables.items():
                manifest["tables"][name] = [self._write_part(name, data)]
            self._commit(manifest, built_at)

    def upsert(
        self, table: str, rows: pa.Table, delete_keys: Iterable[str] = (), built_at: str = ""
    ) -> None:
        """Replace the rows whose ``row_key`` is in ``rows`` or ``delete_keys``; add the others."""
        keys = set(delete_keys) | set(rows.column("row_key").to_pylist())
        with _lock:
            manifest = self.manifest()
            parts: list[str] = list(manifest["tables"].get(table, []))
            if keys and parts:
                parts = self._drop_keys(table, parts, keys)
            if rows.num_rows:
                parts.append(self._write_part(table, rows))
            if len(parts) > MAX_PARTS:
                parts = [self._compact(table, parts)]
            manifest["tables"][table] = parts
            self._commit(manifest, built_at or None)

    def _drop_keys(self, table: str, parts: list[str], keys: set[str]) -> list[str]:
        con = duckdb.connect()
        con.execute("CREATE TEMP TABLE k(row_key VARCHAR)")
        con.executemany("INSERT INTO k VALUES (?)", [(k,) for k in keys])
        files = [str(self.directory / p) for p in parts]
        hits = con.execute(
            "SELECT DISTINCT filename FROM read_parquet(?, filename=true) "
            "WHERE row_key IN (SELECT row_key FROM k)",
            [files],
        ).fetchall()
        touched = {Path(h[0]).name for h in hits}
        result = []
        for part in parts:
            if part not in touched:
                result.append(part)
                continue
            kept = con.sql(
                "SELECT * FROM read_parquet(?) WHERE row_key NOT IN (SELECT row_key FROM k)",
                params=[str(self.directory / part)],
            ).to_arrow_table()
            if kept is not None and kept.num_rows:
                result.append(self._write_part(table, kept))
        con.close()
        return result

    def _compact(self, table: str, parts: list[str]) -> str:
        con = duckdb.connect()
        data = con.sql(
            "SELECT * FROM read_parquet(?)", params=[[str(self.directory / p) for p in parts]]
        ).to_arrow_table()
        con.close()
        return self._write_part(table, data)
