"""Bulk import throughput: `vigie.cases.importer` (CSV parsing, CTDC mapping, validation,
three tables per row, filter index) against a bare sqlite3 `executemany` of the same rows
into one equivalent table, in the same run, on SQLite files in a temporary directory.

Prints one JSON line. `python bench/cases_import.py [--n 20000]`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sqlite3
import tempfile
import time
from pathlib import Path

DATA = Path(tempfile.mkdtemp(prefix="vigie-bench-import-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.dev")
os.environ["VIGIE_DATA_DIR"] = str(DATA)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from vigie.cases import generate, importer, layouts  # noqa: E402
from vigie.cases.models import Case  # noqa: E402
from vigie.core.models import Organisation  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000)
    n = parser.parse_args().n
    call_command("migrate", interactive=False, verbosity=0)
    org, _ = Organisation.objects.get_or_create(code="bench", defaults={"name": "Bench"})
    path = DATA / "ctdc.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(layouts.CTDC_COLUMNS)
        writer.writerows(generate.ctdc_rows(random.Random(2331), n))

    t0 = time.perf_counter()
    report = importer.run_import(path, organisation=org, fmt="ctdc")
    vigie_s = time.perf_counter() - t0
    assert report.written and report.created == n, report.problems[:3]
    assert Case.objects.count() == n

    bare = sqlite3.connect(DATA / "bare.sqlite3")
    columns = ", ".join(f'"{c}" TEXT' for c in layouts.CTDC_COLUMNS)
    bare.execute(f"CREATE TABLE ctdc (id INTEGER PRIMARY KEY, {columns})")
    marks = ", ".join("?" for _ in layouts.CTDC_COLUMNS)
    t0 = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh)
        next(rows)
        with bare:
            bare.executemany(f"INSERT INTO ctdc VALUES (NULL, {marks})", rows)  # noqa: S608
    bare_s = time.perf_counter() - t0
    assert bare.execute("SELECT count(*) FROM ctdc").fetchone()[0] == n

    print(
        json.dumps(
            {
                "bench": "cases_import",
                "rows": n,
                "vigie_rows_per_s": round(n / vigie_s),
                "bare_sqlite_executemany_rows_per_s": round(n / bare_s),
                "ratio_vs_bare": round((n / vigie_s) / (n / bare_s), 4),
                "vigie_s": round(vigie_s, 2),
                "bare_s": round(bare_s, 3),
                "tables_written_per_row": 3,
                "mode": "atomic",
            }
        )
    )


if __name__ == "__main__":
    main()
