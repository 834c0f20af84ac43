"""Service directory search over 50,000 services (1 to 3 areas each, 12 countries, admin1
and admin2 names): p95 of ``vigie.identification.directory.search`` (the ORM query, rows
read), against the same SQL run bare through the database cursor in the same run.

``python bench/service_search.py [--services 50000] [--queries 300]`` prints one JSON line.
Target: p95 under 100 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from identification_common import p, start

COUNTRIES = ["LY", "NG", "IQ", "SY", "YE", "SO", "SD", "SS", "CD", "CF", "ML", "AF"]
TYPES = [
    "shelter", "medical", "psychosocial", "legal_aid", "documentation", "family_tracing",
    "voluntary_return", "reintegration", "livelihood",
]  # fmt: skip
SEXES = ["", "", "", " female ", " male "]
LANGS = [" ar en ", " en fr ", " ar ", " en ha ", " fr ", " ar ku "]
STATUSES = ["", "", " refugee asylum_seeker ", " migrant ", " idp "]


def build(n: int, rng: random.Random) -> None:
    from vigie.identification.models import Service, ServiceArea

    if Service.objects.count() >= n:
        return
    batch = []
    for i in range(n):
        child = rng.random() < 0.2
        batch.append(
            Service(
                provider_name=f"Provider {i % 900}",
                service_type=rng.choice(TYPES),
                name=f"Service {i}",
                min_age=0 if child else rng.choice([None, 18]),
                max_age=17 if child else None,
                sexes=rng.choice(SEXES),
                legal_statuses=rng.choice(STATUSES),
                languages=rng.choice(LANGS),
                capacity=rng.choice([None, 10, 50]),
            )
        )
    Service.objects.bulk_create(batch, batch_size=2000)
    areas = []
    for s in Service.objects.only("id", "service_type"):
        country = rng.choice(COUNTRIES)
        for _ in range(rng.randint(1, 3)):
            a1 = f"R{rng.randint(1, 15)}"
            a2 = f"{a1}-D{rng.randint(1, 12)}" if rng.random() < 0.6 else ""
            areas.append(
                ServiceArea(
                    service_id=s.pk,
                    service_type=s.service_type,
                    country=country,
                    admin1=a1 if rng.random() < 0.85 else "",
                    admin2=a2,
                )
            )
    ServiceArea.objects.bulk_create(areas, batch_size=5000)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--services", type=int, default=50000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--data", help="reuse this data directory")
    args = ap.parse_args()
    start(args.data)
    from django.db import connection

    from vigie.identification import directory

    rng = random.Random(2331)
    t = time.perf_counter()
    build(args.services, rng)
    build_s = round(time.perf_counter() - t, 1)
    needs = []
    for _ in range(args.queries):
        a1 = f"R{rng.randint(1, 15)}"
        needs.append(
            directory.Need(
                service_type=rng.choice(TYPES),
                country=rng.choice(COUNTRIES),
                admin1=a1,
                admin2=f"{a1}-D{rng.randint(1, 12)}" if rng.random() < 0.5 else "",
                age=rng.choice([None, 9, 16, 30]),
                sex=rng.choice(["", "female", "male"]),
                legal_status=rng.choice(["", "refugee", "migrant"]),
                language=rng.choice(["", "ar", "en"]),
            )
        )
    # interleaved, so that both read the same warm pages
    orm, bare, rows = [], [], []
    for need in needs:
        qs = directory.search(need)
        sql, params = qs.query.sql_with_params()
        t = time.perf_counter()
        found = list(qs)
        orm.append((time.perf_counter() - t) * 1000)
        rows.append(len(found))
        t = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(sql, params)
            cur.fetchall()
        bare.append((time.perf_counter() - t) * 1000)
    print(
        json.dumps(
            {
                "bench": "service_search",
                "services": args.services,
                "build_s": build_s,
                "queries": len(needs),
                "rows_p50": sorted(rows)[len(rows) // 2],
                "search_ms": {"p50": p(orm, 50), "p95": p(orm, 95)},
                "bare_sql_ms": {"p50": p(bare, 50), "p95": p(bare, 95)},
                "ratio_p95": round(p(orm, 95) / max(p(bare, 95), 1e-6), 2),
                "target_p95_ms": 100,
            }
        )
    )


if __name__ == "__main__":
    main()
