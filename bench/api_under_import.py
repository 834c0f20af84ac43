"""API latency while a large import runs (issue 15: goal p95 at most 2x), in the same run:

1. ``vigie serve`` on loopback (SQLite in a temporary data directory, embedded worker);
2. baseline: two clients read ``/api/cases/?limit=20`` and ``/api/evidence/items/`` with a
   read token, and a third creates small cases through ``POST /api/cases/`` with a write
   token (a writer needs SQLite's write lock: it is what a long import transaction blocks),
   for ``--seconds``;
3. the same two clients while ``vigie import`` of ``--rows`` synthetic CTDC-sample rows
   (atomic, the default) runs against the same database, until it finishes.

Every status is counted (a 5xx is a failure of the goal whatever the latency). Prints one
JSON line. ``python bench/api_under_import.py [--rows 100000] [--seconds 10]``.

With ``--changed-reimport`` a generated Vigie-layout file is first imported with no client
running, and the clients then run during the import of the same file with every victim's
family name changed:
every case is staged as a copy and its victim rows are rewritten when it is published,
which is the longest hold of the write lock an import has (ADR 0047). The maximum latency
by kind shows that hold as the clients felt it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests
from cases_common import VIGIE, env

SETUP = (
    "import django; django.setup();"
    "from django.core.management import call_command;"
    "call_command('migrate', interactive=False, verbosity=0);"
    "from vigie.testing import build_world;"
    "from vigie.core import tokens;"
    "from vigie.core.actor import Actor;"
    "w = build_world();"
    "a = Actor(w.users['case_manager']);"
    "print(tokens.issue(a, name='bench', access='read')[1]);"
    "print(tokens.issue(a, name='bench-w', access='write')[1])"
)
PATHS = ("/api/cases/?limit=20", "/api/evidence/items/")
WRITE = "/api/cases/"


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def case(n: int) -> dict[str, Any]:
    """A small case created by the writing client (no identity)."""
    return {
        "reference": f"api-{n}-{time.monotonic_ns()}",
        "source_type": "case_management",
        "country": "IQ",
        "victims": [{"key": "v1", "sex": "female", "age_at_identification": 16}],
    }


def load(
    base: str, tokens: tuple[str, str], until: Any, kinds: dict[str, list[float]] | None = None
) -> tuple[list[float], Counter[int]]:
    """Two clients reading and one writing until ``until()`` is true; latencies (ms) and
    statuses (and, in ``kinds``, the latencies of reads and of writes apart)."""
    latencies: list[float] = []
    kinds = kinds if kinds is not None else {}
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def client(path: str) -> None:
        write = path == WRITE
        token = tokens[1] if write else tokens[0]
        n = 0
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {token}"
            while not until():
                n += 1
                started = time.perf_counter()
                if write:
                    status = session.post(base + path, json=case(n), timeout=120).status_code
                else:
                    status = session.get(base + path, timeout=120).status_code
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)
                    kinds.setdefault("write" if write else "read", []).append(latencies[-1])
                    statuses[status] += 1

    threads = [threading.Thread(target=client, args=(p,)) for p in (*PATHS, WRITE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses


def changed_copy(source: Path, target: Path) -> Path:
    """The same rows, each victim's family name revised: every case becomes a copy whose
    victim rows are rewritten at publication (the longest hold, ADR 0047)."""
    with source.open(encoding="utf-8", newline="") as src:
        rows = list(csv.reader(src))
    at = rows[0].index("victim.family_name")
    with target.open("w", encoding="utf-8", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerow(rows[0])
        for row in rows[1:]:
            row[at] = f"{row[at]} revised".strip()
            writer.writerow(row)
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--changed-reimport", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from vigie.core.tests.hostile import write_ctdc_sample
    from vigie.core.tests.serving import free_port, wait_listening

    work = Path(tempfile.mkdtemp(prefix="vigie-bench-api-"))
    data = work / "data"
    out = subprocess.run(
        [sys.executable, "-c", SETUP], env=env(data), capture_output=True, text=True, check=True
    ).stdout.split()
    token = (out[-2], out[-1])
    importing_cmd = [VIGIE, "import", "--json", "--org", "own-org", "--user", "u-case_manager"]
    if not args.changed_reimport:
        source = write_ctdc_sample(work / "cases.csv", args.rows)
    else:
        source = work / "cases.csv"
        generate = ["generate", "--records", str(args.rows), "--layout", "vigie", "--identities"]
        subprocess.run(
            [VIGIE, *generate, "-o", str(source)], env=env(data), check=True, capture_output=True
        )
        importing_cmd += ["--layout", "vigie"]
        first = [*importing_cmd, str(source)]
        subprocess.run(first, env=env(data), check=True, capture_output=True)
        source = changed_copy(source, work / "cases-changed.csv")
    port = free_port()
    log = work / "server.log"
    server = subprocess.Popen(
        [VIGIE, "serve", "--port", str(port)],
        env=env(data) | {"VIGIE_LOG_LEVEL": "ERROR", "VIGIE_MFA_ENFORCED": "0"},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_listening(port, server)
        base = f"http://127.0.0.1:{port}"
        requests.get(base + PATHS[0], headers={"Authorization": f"Bearer {token[0]}"}, timeout=60)
        deadline = time.monotonic() + args.seconds
        idle_kinds: dict[str, list[float]] = {}
        idle, idle_status = load(base, token, lambda: time.monotonic() > deadline, idle_kinds)
        started = time.monotonic()
        load_before = os.getloadavg()
        importing = subprocess.Popen(
            [*importing_cmd, str(source)],
            env=env(data),
            stdout=(work / "import.json").open("wb"),
            stderr=subprocess.DEVNULL,
        )
        busy_kinds: dict[str, list[float]] = {}
        busy, busy_status = load(base, token, lambda: importing.poll() is not None, busy_kinds)
        import_s = time.monotonic() - started
        failed = importing.wait() != 0
        load_after = os.getloadavg()
        # CPU of every waited-for child (setup and the import; the server is not waited yet).
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        import_cpu_s = children.ru_utime + children.ru_stime
    finally:
        server.terminate()
        server.wait(30)
    ratio = p95(busy) / p95(idle)
    report = (work / "import.json").read_text("utf-8")
    counts = json.loads(report[report.index("{") :]) if "{" in report else {}
    causes = sorted(
        {
            line.strip()[:160]
            for line in log.read_text("utf-8", "replace").splitlines()
            if "Error:" in line and not line.startswith(" ")
        }
    )
    print(
        json.dumps(
            {
                "bench": "api_under_import",
                "rows": args.rows,
                "changed_reimport": args.changed_reimport,
                "import_s": round(import_s, 1),
                "import_failed": failed,
                "import_report": {k: counts.get(k) for k in ("created", "updated", "unchanged")},
                "children_cpu_s": round(import_cpu_s, 1),
                "loadavg_before": round(load_before[0], 2),
                "loadavg_after": round(load_after[0], 2),
                "baseline_requests": len(idle),
                "baseline_p50_ms": round(statistics.median(idle), 1),
                "baseline_p95_ms": round(p95(idle), 1),
                "during_import_requests": len(busy),
                "during_import_p50_ms": round(statistics.median(busy), 1),
                "during_import_p95_ms": round(p95(busy), 1),
                "p95_ratio": round(ratio, 2),
                "p95_ms_by_kind": {
                    kind: {
                        "baseline": round(p95(idle_kinds.get(kind) or [0.0]), 1),
                        "during_import": round(p95(busy_kinds.get(kind) or [0.0]), 1),
                        "during_import_requests": len(busy_kinds.get(kind) or []),
                        "during_import_max": round(max(busy_kinds.get(kind) or [0.0]), 1),
                    }
                    for kind in ("read", "write")
                },
                "goal_ratio": 2.0,
                "statuses_baseline": dict(idle_status),
                "statuses_during_import": dict(busy_status),
                "server_error_causes": causes[:5],
                "server_errors": sum(n for s, n in busy_status.items() if s >= 500)
                + sum(n for s, n in idle_status.items() if s >= 500),
            }
        )
    )


if __name__ == "__main__":
    main()
