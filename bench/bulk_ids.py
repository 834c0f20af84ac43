"""Ids for bulk-inserted rows: reserved by hand, then one ``executemany`` (what
``vigie.cases.interchange.bulk_write`` does), against letting the database give them and
reading them back with ``INSERT ... VALUES (...), (...) RETURNING id`` (what Django's
``bulk_create`` does on SQLite 3.35+ and PostgreSQL), in the same run, on SQLite.

The table is shaped like ``cases_victim`` (40 columns, an AUTOINCREMENT key, a foreign key
and three secondary indexes), and each measure writes ``--rows`` rows in batches of 2,000
(the import's batch) into an empty table, in one transaction per batch. ``executemany``
with ``RETURNING`` is not a third option: Python's sqlite3 runs it and returns no row.

Prints one JSON line. ``python bench/bulk_ids.py [--rows 100000]`` (see ADR 0323).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import sys
import time
from typing import Any

COLUMNS = 40
BATCH = 2000
MAX_PARAMS = 999  # Django's max_query_params on SQLite: bulk_create's batch size follows


def _table(db: sqlite3.Connection) -> None:
    cols = ", ".join(f"c{i} TEXT" for i in range(COLUMNS - 2))
    db.execute(
        "CREATE TABLE victim (id INTEGER PRIMARY KEY AUTOINCREMENT, case_id INTEGER NOT NULL, "
        f"{cols})"
    )
    for i in range(3):
        db.execute(f"CREATE INDEX victim_c{i} ON victim (c{i})")
    db.execute("CREATE INDEX victim_case ON victim (case_id)")


def _rows(n: int) -> list[tuple[Any, ...]]:
    return [(i, *(f"value {i % 97} {j}" for j in range(COLUMNS - 2))) for i in range(n)]


def _by_hand(db: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> list[int]:
    ids: list[int] = []
    names = ", ".join(["id", "case_id", *(f"c{i}" for i in range(COLUMNS - 2))])
    marks = ", ".join(["?"] * COLUMNS)
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        with db:
            db.execute("UPDATE victim SET id = id WHERE id < 0")  # the write lock first
            top = db.execute("SELECT max(id) FROM victim").fetchone()[0] or 0
            seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'victim'").fetchone()
            top = max(top, seq[0] if seq else 0)
            fresh = range(top + 1, top + 1 + len(chunk))
            db.executemany(
                f"INSERT INTO victim ({names}) VALUES ({marks})",  # noqa: S608
                [(pk, *r) for pk, r in zip(fresh, chunk, strict=True)],
            )
            ids.extend(fresh)
    return ids


def _returning(db: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> list[int]:
    ids: list[int] = []
    names = ", ".join(["case_id", *(f"c{i}" for i in range(COLUMNS - 2))])
    one = "(" + ", ".join(["?"] * (COLUMNS - 1)) + ")"
    per = max(1, MAX_PARAMS // (COLUMNS - 1))
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        with db:
            for at in range(0, len(chunk), per):
                part = chunk[at : at + per]
                sql = f"INSERT INTO victim ({names}) VALUES {', '.join([one] * len(part))} "  # noqa: S608
                flat = [v for r in part for v in r]
                ids.extend(r[0] for r in db.execute(sql + "RETURNING id", flat))
    return ids


def _measure(fn: Any, rows: list[tuple[Any, ...]]) -> tuple[float, float, list[int]]:
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("PRAGMA journal_mode = MEMORY")
    _table(db)
    db.isolation_level = ""
    t0, c0 = time.perf_counter(), time.process_time()
    ids = fn(db, rows)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert db.execute("SELECT count(*) FROM victim").fetchone()[0] == len(rows)
    db.close()
    return seconds, cpu, ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    n = parser.parse_args().rows
    rows = _rows(n)
    hand_s, hand_cpu, hand_ids = _measure(_by_hand, rows)
    ret_s, ret_cpu, ret_ids = _measure(_returning, rows)
    assert hand_ids == list(range(1, n + 1)) and sorted(ret_ids) == hand_ids
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "bench": "bulk_ids",
                "rows": n,
                "columns": COLUMNS,
                "sqlite": sqlite3.sqlite_version,
                "python": sys.version.split()[0],
                "reserved_by_hand_executemany_s": round(hand_s, 3),
                "reserved_by_hand_cpu_s": round(hand_cpu, 3),
                "insert_returning_multirow_s": round(ret_s, 3),
                "insert_returning_cpu_s": round(ret_cpu, 3),
                "ratio_returning_over_hand_cpu": round(ret_cpu / hand_cpu, 3),
                "returning_ids_in_row_order": ret_ids == hand_ids,
                "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
                "load": os.getloadavg()[0],
                "command": "python bench/bulk_ids.py --rows " + str(n),
            }
        )
    )


if __name__ == "__main__":
    main()
