"""Token-authenticated API requests while another writer holds SQLite's write lock.

Issue 15: an import holding the write lock made every token request fail with 500 "database
is locked" (each request wrote ``last_used_at`` and waited the busy timeout, 10 s). Now the
write happens at most once per ``VIGIE_TOKEN_USE_INTERVAL`` and never waits (ADR 0040).

In a fresh data directory (file database, WAL, the production connection options), through
Django's test ``Client`` (full middleware, token authentication, permission layer): GET
``/api/me/`` ``--requests`` times with no other writer (the baseline, same run), then the same
with a second sqlite3 connection holding ``BEGIN IMMEDIATE`` plus a write — as an atomic
import does — for the whole run, once with the default interval and once with
``VIGIE_TOKEN_USE_INTERVAL=0`` (a write attempted on every request). Prints one JSON line:
p50/p95 in ms, errors (5xx) per scenario, and the p95 ratio locked / baseline.
``python bench/token_auth_lock.py [--requests 200]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _setup(data_dir: str) -> None:
    os.environ["VIGIE_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "vigie.settings.dev"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _run(client: Any, secret: str, n: int) -> dict[str, Any]:
    times, errors = [], 0
    for _ in range(n):
        started = time.perf_counter()
        response = client.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {secret}")
        times.append((time.perf_counter() - started) * 1000)
        errors += response.status_code >= 500
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
        "errors_5xx": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vigie-bench-token-") as data_dir:
        _setup(data_dir)
        from django.conf import settings
        from django.test import Client

        from vigie.core import tokens
        from vigie.core.actor import Actor
        from vigie.core.models import Membership, Organisation, User

        org = Organisation.objects.create(code="bench", name="Bench")
        user = User.objects.create(username="bench.analyst")
        Membership.objects.create(user=user, organisation=org, role="analyst")
        _token, secret = tokens.issue(Actor(user), name="bench")
        client = Client()
        _run(client, secret, 5)  # warm-up
        baseline = _run(client, secret, args.requests)

        importer = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        importer.execute("BEGIN IMMEDIATE")
        importer.execute(
            "INSERT INTO core_keyrotation (new_key_id, started_at, progress, rewritten) "
            "VALUES ('bench', '2026-01-01', '{}', 0)"
        )
        try:
            locked = _run(client, secret, args.requests)
            settings.VIGIE_TOKEN_USE_INTERVAL = 0
            locked_every = _run(client, secret, args.requests)
        finally:
            importer.rollback()
            importer.close()
        print(
            json.dumps(
                {
                    "bench": "token_auth_lock",
                    "requests": args.requests,
                    "baseline_no_writer": baseline,
                    "writer_holds_lock": locked,
                    "writer_holds_lock_write_every_request": locked_every,
                    "p95_ratio_locked_vs_baseline": round(locked["p95_ms"] / baseline["p95_ms"], 2),
                    "p95_ratio_every_request_vs_baseline": round(
                        locked_every["p95_ms"] / baseline["p95_ms"], 2
                    ),
                }
            )
        )


if __name__ == "__main__":
    main()
