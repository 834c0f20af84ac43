"""The snapshot's files under concurrent use: readers of an older manifest keep their files
for a grace period, and writers in different processes lose no update (ADR 0401)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import duckdb

from vigie.analytics.engine import Engine, Query
from vigie.analytics.store import GRACE_SECONDS, Store
from vigie.devtools import analytics_rows


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _seeded(tmp_path: Path, clock: Clock) -> tuple[Store, list[dict[str, Any]]]:
    store = Store(tmp_path, clock=clock)
    rows = analytics_rows.victim_rows(300, seed=3)
    store.replace_all({"victims": analytics_rows.victims_table(rows)}, "t0")
    return store, rows


def _parquet_names(store: Store) -> set[str]:
    return {p.name for p in store.directory.glob("*.parquet")}


def test_a_reader_of_the_old_manifest_still_reads_after_a_refresh(tmp_path: Path) -> None:
    clock = Clock()
    store, rows = _seeded(tmp_path, clock)
    old = [str(p) for p in store.parts("victims")]
    reader = duckdb.connect()
    reader.read_parquet(old).create_view("v")
    before = reader.execute("SELECT count(*) FROM v").fetchone()
    engine = Engine(store)
    assert engine.count(Query()) == sum(r["weight"] for r in rows)

    # Every case rewritten: the one old part leaves the manifest.
    store.upsert("victims", analytics_rows.victims_table(rows[:10]), [r["case_key"] for r in rows])
    assert not set(old) & {str(p) for p in store.parts("victims")}
    assert reader.execute("SELECT count(*) FROM v").fetchone() == before
    assert engine.count(Query()) == sum(r["weight"] for r in rows[:10])
    assert list(store.manifest()["retired"]) == [Path(old[0]).name]


def test_retired_parts_are_deleted_once_the_grace_period_is_over(tmp_path: Path) -> None:
    clock = Clock()
    store, rows = _seeded(tmp_path, clock)
    first = _parquet_names(store)
    store.upsert("victims", analytics_rows.victims_table(rows[:5]), [r["case_key"] for r in rows])
    second = set(store.manifest()["tables"]["victims"])
    assert _parquet_names(store) == first | second

    clock.now += GRACE_SECONDS - 1
    store.upsert("victims", analytics_rows.victims_table(rows[5:6]), [r["case_key"] for r in rows])
    assert first <= _parquet_names(store)

    clock.now += 2
    store.upsert("victims", analytics_rows.victims_table(rows[6:7]), [r["case_key"] for r in rows])
    listed = set(store.manifest()["tables"]["victims"])
    assert not first & _parquet_names(store)
    assert _parquet_names(store) == listed | set(store.manifest()["retired"])
    assert first.isdisjoint(store.manifest()["retired"])


def test_a_part_no_manifest_ever_listed_is_removed_at_the_next_write(tmp_path: Path) -> None:
    clock = Clock()
    store, rows = _seeded(tmp_path, clock)
    leftover = tmp_path / "victims-0123456789ab.parquet"  # a writer died before its commit
    leftover.write_bytes(b"PAR1")
    store.upsert("victims", analytics_rows.victims_table(rows[:1]))
    assert not leftover.exists()


def _append(directory: str, start: int, count: int) -> None:
    store = Store(Path(directory))
    for i in range(start, start + count):
        row = analytics_rows.victim_rows(1, seed=i)[0] | {"case_key": f"case-{i}"}
        store.upsert("victims", analytics_rows.victims_table([row]))


def test_writers_in_two_processes_lose_no_update(tmp_path: Path) -> None:
    Store(tmp_path)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append, args=(str(tmp_path), n * 100, 12)) for n in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
        assert w.exitcode == 0
    files = [str(p) for p in Store(tmp_path).parts("victims")]
    keys = duckdb.sql("SELECT DISTINCT case_key FROM read_parquet(?)", params=[files]).fetchall()
    assert len(keys) == 24
