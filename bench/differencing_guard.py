"""The statistics dashboard with the differencing guard against the same requests without it,
in the same run (issue 15: a filtered dashboard request within 2x of no guard, under 300 ms on
the demo-sized snapshot).

An analyst of one organisation asks ``/stats/data/`` (the charts' JSON: every panel, guarded)
for a sequence of filters, like the dashboard's browser test and a little more (drill down
into a country, then sex and period, then other filters), through Django's test client in
one process on a synthetic snapshot of ``--rows`` victims. Each mode has its own copy of the
snapshot (its own engine: cold caches, the same work); the requests are interleaved, each one
without then with the guard, so that both see the same machine load. "Without the guard":
the same request with the guard answering "nothing to suppress" and writing no ledger entry.

Then the first request after a snapshot refresh (both copies rewritten: a new snapshot version,
the same rows), when the guard has the earlier queries' published cells to list again for the
new version, against the same request without the guard, then the request after it
(``after_refresh_*``; the guard's ledger holds every query of the rounds before).

Prints one JSON line. ``python bench/differencing_guard.py [--rows 6000] [--rounds 2]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.test")
os.environ.setdefault("VIGIE_DATA_DIR", tempfile.mkdtemp(prefix="vigie-bench-guard-"))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from vigie.analytics import selectors  # noqa: E402
from vigie.analytics.models import PrivacyLedgerEntry  # noqa: E402
from vigie.analytics.store import Store  # noqa: E402
from vigie.devtools import analytics_rows  # noqa: E402
from vigie.testing import build_world  # noqa: E402

# The browser test's requests (unfiltered, a country, then sex and period), then more filters.
FILTERS: list[str] = [
    "",
    "country=LY",
    "country=LY&sex=female&period=2017-2020",
    "sex=male",
    "period=2018",
    "country=IQ&age_group=9-17",
    "form=forced_labour",
    "country=LY&sex=female&period=2017-2021",
    "country=SY&sex=female",
    "age_group=18-20&period=2016-2022",
]


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def request(client: Client, query: str, snapshot: str, guarded: bool) -> tuple[float, float]:
    """One dashboard request on ``snapshot``, with the guard or without; (wall, CPU) s."""
    settings.VIGIE_ANALYTICS_DIR = snapshot
    guard = selectors._guard
    if not guarded:
        selectors._guard = no_guard  # type: ignore[assignment]
    try:
        c, t = cpu(), time.perf_counter()
        response = client.get(f"/stats/data/?{query}")
        elapsed = time.perf_counter() - t, cpu() - c
    finally:
        selectors._guard = guard  # type: ignore[assignment]
    assert response.status_code == 200, (query, response.content[:300])
    return elapsed


def no_guard(*_args: Any, **_kwargs: Any) -> set[Any]:
    return set()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=6000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", interactive=False, verbosity=0)
    world = build_world()
    settings.VIGIE_ANALYTICS_DIR = tempfile.mkdtemp(prefix="vigie-bench-guard-snapshot-")
    rows = analytics_rows.victim_rows(args.rows, seed=5)
    for r in rows:
        r["organisation"] = world.own.code
    perps = analytics_rows.perpetrator_rows(max(1, args.rows // 12), seed=5)
    for p in perps:
        p["organisation"] = world.own.code
    tables = {
        "victims": analytics_rows.victims_table(rows),
        "perpetrators": analytics_rows.perpetrators_table(perps),
    }
    Store(Path(settings.VIGIE_ANALYTICS_DIR)).replace_all(tables, "2026-11-23T10:00:00Z")
    # The same snapshot twice: each mode has its own engine (cold caches, the same work).
    copy = tempfile.mkdtemp(prefix="vigie-bench-guard-snapshot-")
    shutil.copytree(settings.VIGIE_ANALYTICS_DIR, copy, dirs_exist_ok=True)
    snapshots = {False: copy, True: settings.VIGIE_ANALYTICS_DIR}
    client = Client()
    client.force_login(world.users["analyst"])
    load_before = os.getloadavg()[0]
    # interleaved, request by request, so that both modes see the same machine load
    times: dict[bool, dict[str, list[float]]] = {
        mode: {"wall": [], "cpu": [], "browser_filtered": []} for mode in (False, True)
    }
    ratios: list[float] = []
    for _ in range(args.rounds):
        for query in FILTERS:
            pair = {}
            for guarded in (False, True):
                wall, used = request(client, query, snapshots[guarded], guarded)
                pair[guarded] = wall
                if query:
                    times[guarded]["wall"].append(wall)
                    times[guarded]["cpu"].append(used)
                if query == FILTERS[2]:
                    times[guarded]["browser_filtered"].append(wall)
            if query:
                ratios.append(pair[True] / pair[False])
    without, with_guard = times[False], times[True]
    ledger_with = PrivacyLedgerEntry.objects.count()
    # A snapshot refresh (a new version of the same rows), then two more filtered requests.
    for snapshot in snapshots.values():
        Store(Path(snapshot)).replace_all(tables, "2026-11-23T11:00:00Z")
    refresh: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for query in (FILTERS[3], FILTERS[5]):
        for guarded in (False, True):
            refresh[guarded].append(request(client, query, snapshots[guarded], guarded))
    load_after = os.getloadavg()[0]

    def ms(values: list[float]) -> float:
        return round(1000 * statistics.median(values), 1)

    print(
        json.dumps(
            {
                "bench": "differencing_guard",
                "rows": args.rows,
                "rounds": args.rounds,
                "filtered_requests": len(with_guard["wall"]),
                "no_guard_p50_ms": ms(without["wall"]),
                "no_guard_max_ms": round(1000 * max(without["wall"]), 1),
                "guard_p50_ms": ms(with_guard["wall"]),
                "guard_max_ms": round(1000 * max(with_guard["wall"]), 1),
                "p50_ratio": round(
                    statistics.median(with_guard["wall"]) / statistics.median(without["wall"]), 2
                ),
                "request_ratio_p50": round(statistics.median(ratios), 2),
                "request_ratio_max": round(max(ratios), 2),
                "no_guard_cpu_p50_ms": ms(without["cpu"]),
                "guard_cpu_p50_ms": ms(with_guard["cpu"]),
                "browser_filtered_no_guard_ms": [
                    round(1000 * x, 1) for x in without["browser_filtered"]
                ],
                "browser_filtered_guard_ms": [
                    round(1000 * x, 1) for x in with_guard["browser_filtered"]
                ],
                "after_refresh_first_no_guard_ms": round(1000 * refresh[False][0][0], 1),
                "after_refresh_first_guard_ms": round(1000 * refresh[True][0][0], 1),
                "after_refresh_first_ratio": round(refresh[True][0][0] / refresh[False][0][0], 2),
                "after_refresh_first_cpu_ratio": round(
                    refresh[True][0][1] / max(refresh[False][0][1], 1e-6), 2
                ),
                "after_refresh_second_no_guard_ms": round(1000 * refresh[False][1][0], 1),
                "after_refresh_second_guard_ms": round(1000 * refresh[True][1][0], 1),
                "after_refresh_second_ratio": round(refresh[True][1][0] / refresh[False][1][0], 2),
                "goal": "guard p50 <= 2x no guard and < 300 ms",
                "ledger_entries": ledger_with,
                "loadavg": [round(load_before, 2), round(load_after, 2)],
            }
        )
    )


if __name__ == "__main__":
    main()
