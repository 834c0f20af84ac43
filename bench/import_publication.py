"""The publishing transaction of a changed re-import, statement by statement (ADR 0047,
eleventh round): where the write lock's time goes.

``N`` records are imported by the CLI (``vigie generate ... --identities``, ``vigie
import``); then a file in which every row changes ``--changed-column`` (the same file as
``bench/import.py``'s) is imported in this process as a job's import whose ``finish``
raises inside the publishing transaction: the transaction rolls back and the stage is kept
for the job to resume, as after a crash. Each further run resumes that stage (no row left
to stage) and publishes it again, rolled back the same way: the same publication, measured
``--runs`` times on the same database. Every statement is timed (wall and CPU of this
process); a last run, not counted, reads each statement's plan (``EXPLAIN QUERY PLAN``,
SQLite).

Prints one JSON line: each run's publication (``publish_s``, the importer's own figure, and
the CPU of the transaction), and the statements of the last counted run that took longest,
with their plans. ``python bench/import_publication.py [--records 100000]
[--changed-column victim.family_name] [--runs 3]``
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from cases_common import VIGIE, env, setup

TOP = 20  # statements reported


class _Held(Exception):
    """Raised by ``finish`` inside the publishing transaction: roll it back, keep the stage."""


def _short(sql: str) -> str:
    return re.sub(r"\s+", " ", sql)[:240]


def _run(path: Path, org: Any, *, plans: bool) -> tuple[float, float, list[dict[str, Any]]]:
    """One publication of the stage of job "bench", rolled back: the importer's
    ``publish_s``, the CPU from the transaction's start to ``finish``, the statements."""
    from django.db import connection

    from vigie.cases.interchange import importer
    from vigie.core.actor import Actor

    statements: list[dict[str, Any]] = []
    held: dict[str, float] = {}

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        plan: list[str] = []
        if plans and connection.vendor == "sqlite" and not many:
            raw = connection.connection.cursor()
            try:
                rows = raw.execute("EXPLAIN QUERY PLAN " + sql.replace("%s", "?"), params or ())
                plan = [r[-1] for r in rows.fetchall()]
            finally:
                raw.close()
        t0, cpu0 = time.perf_counter(), time.process_time()
        try:
            return execute(sql, params, many, context)
        finally:
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            statements.append({"s": round(wall, 3), "cpu_s": round(cpu, 3), "sql": _short(sql)})
            if plan:
                statements[-1]["plan"] = plan

    def finish(report: Any) -> None:
        held["publish_s"] = report.publish_s
        held["cpu_s"] = time.process_time() - held["cpu0"]
        raise _Held

    def cpu_at_start(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.upper().startswith("BEGIN"):  # SQLite: the last one before finish publishes
            held["cpu0"] = time.process_time()
        return execute(sql, params, many, context)

    actor = Actor.system("bench", org.pk)
    try:
        with connection.execute_wrapper(timed), connection.execute_wrapper(cpu_at_start):
            importer.run_import(
                path, organisation=org, actor=actor, fmt="vigie", job="bench", finish=finish
            )
    except _Held:
        pass
    else:
        raise SystemExit("the publication was not reached")
    return held["publish_s"], held["cpu_s"], statements


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", dest="n", type=int, default=100_000)
    parser.add_argument("--changed-column", default="victim.family_name")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load_start = round(os.getloadavg()[0], 2)
    data = Path(tempfile.mkdtemp(prefix="vigie-bench-publication-"))
    try:
        setup(data)
        path = data / "cases.csv"
        gen = [VIGIE, "generate", "--records", str(args.n), "--layout", "vigie", "--identities"]
        subprocess.run(
            [*gen, "-o", str(path)], env=env(data), check=True, stdout=subprocess.DEVNULL
        )
        command = [VIGIE, "import", str(path), "--layout", "vigie", "--org", "bench"]
        subprocess.run(
            [*command, "--as-system", "--json"],
            env=env(data),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        changed = importlib.import_module("import")._changed(path, args.changed_column, data)
        os.environ.update(env(data))
        import django

        django.setup()
        from vigie.core.models import Organisation

        org = Organisation.objects.get(code="bench")
        t0 = time.perf_counter()
        runs = [_run(changed, org, plans=False)]  # stages the file, then publishes
        staging_s = time.perf_counter() - t0
        runs += [_run(changed, org, plans=False) for _ in range(args.runs - 1)]
        planned = _run(changed, org, plans=True)[2]
        last = sorted(runs[-1][2], key=lambda s: -s["s"])[:TOP]
        plans = {s["sql"]: s.get("plan", []) for s in planned}
        print(
            json.dumps(
                {
                    "bench": "import_publication",
                    "records": args.n,
                    "changed_column": args.changed_column,
                    "first_run_s_with_staging": round(staging_s, 2),
                    "publish_s": [r[0] for r in runs],
                    "publish_cpu_s": [round(r[1], 2) for r in runs],
                    "goal_publish_s": 2.0,
                    "statements_of_last_run": [s | {"plan": plans.get(s["sql"], [])} for s in last],
                    "load_average_1min_at_start": load_start,
                    "load_average_1min_at_end": round(os.getloadavg()[0], 2),
                }
            )
        )
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
