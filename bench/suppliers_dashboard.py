"""Supplier dashboard with N suppliers (one product each, countries, scores, statuses, some
expired questionnaire links): p95 of the dashboard API and page through Django's full stack
(session, permission check, selectors, serializer or template), against a bare SQL baseline
of the same aggregates (risk by country, by good, the top suppliers, those waiting, the
expired links) in the same run. Target: 100,000 suppliers, p95 < 300 ms.

The aggregates by country and good are cached under the organisation's epoch, raised by
every change of its suppliers (selectors.dashboard): ``api_p95_ms`` is the steady state,
``api_after_change_p95_ms`` the first request after a change (aggregates recomputed).

Prints one JSON line. `python bench/suppliers_dashboard.py [--n 10000] [--requests 30]`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.test")
os.environ.setdefault("VIGIE_DATA_DIR", tempfile.mkdtemp(prefix="vigie-bench-"))

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from vigie.core.models import Membership, Organisation, User  # noqa: E402
from vigie.suppliers.models import Invitation, Product, Supplier  # noqa: E402
from vigie.suppliers.services import bump_dashboard  # noqa: E402

COUNTRIES = ["MM", "BD", "IN", "CI", "UZ", "TH", "BO", "CD", "CN", "BR", "FR", "KE", "NG", "PK"]
GOODS = ["bricks", "garments", "cocoa", "cotton", "shrimp", "sugarcane", "gold", "fish", "tea"]


def setup(n: int) -> Client:
    call_command("migrate", verbosity=0)
    org = Organisation.objects.create(code="bench", name="Bench")
    user = User.objects.create(username="bench-procurement")
    Membership.objects.create(user=user, organisation=org, role="procurement_officer")
    rng = random.Random(2331)
    statuses = ["active"] * 90 + ["review"] * 8 + ["blocked"] * 2
    Supplier.objects.bulk_create(
        (
            Supplier(
                organisation=org,
                reference=f"S-{i:06d}",
                name=f"Synthetic Supplier {i}",
                country=rng.choice(COUNTRIES),
                status=rng.choice(statuses),
                risk_score=rng.randint(0, 100),
            )
            for i in range(n)
        ),
        batch_size=5000,
    )
    ids = list(Supplier.objects.values_list("pk", flat=True))
    Product.objects.bulk_create(
        (
            Product(supplier_id=pk, description="goods", good=rng.choice(GOODS), country="")
            for pk in ids
        ),
        batch_size=5000,
    )
    past = timezone.now() - timedelta(days=1)
    Invitation.objects.bulk_create(
        (
            Invitation(
                organisation=org,
                supplier_id=pk,
                questionnaire="recruitment",
                version=1,
                nonce=f"n{pk}",
                expires_at=past,
            )
            for pk in ids[::50]
        ),
        batch_size=5000,
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


SQL = [
    "SELECT country, COUNT(id), MAX(risk_score) FROM suppliers_supplier WHERE organisation_id=%s"
    " AND country<>'' GROUP BY country ORDER BY 3 DESC",
    "SELECT p.good, COUNT(DISTINCT p.supplier_id), MAX(s.risk_score) FROM suppliers_product p"
    " JOIN suppliers_supplier s ON s.id=p.supplier_id WHERE s.organisation_id=%s AND p.good<>''"
    " GROUP BY p.good ORDER BY 3 DESC LIMIT 25",
    "SELECT id, reference, name, risk_score FROM suppliers_supplier WHERE organisation_id=%s"
    " ORDER BY risk_score DESC, reference LIMIT 25",
    "SELECT id, reference FROM suppliers_supplier WHERE organisation_id=%s AND status='review'"
    " ORDER BY risk_score DESC LIMIT 25",
    "SELECT COUNT(*) FROM suppliers_supplier WHERE organisation_id=%s AND status='review'",
    "SELECT i.id, s.reference FROM suppliers_invitation i JOIN suppliers_supplier s"
    " ON s.id=i.supplier_id WHERE i.organisation_id=%s AND i.status='sent'"
    " AND i.expires_at<=CURRENT_TIMESTAMP ORDER BY i.expires_at LIMIT 25",
    "SELECT COUNT(*), SUM(status='blocked') FROM suppliers_supplier WHERE organisation_id=%s",
]


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, int(q * len(s)))], 1)


def timed(fn: object, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    t = time.perf_counter()
    client = setup(args.n)
    setup_s = time.perf_counter() - t
    org_id = Organisation.objects.get(code="bench").pk

    def api() -> None:
        res = client.get("/api/suppliers/dashboard/")
        assert res.status_code == 200, res.content

    def page() -> None:
        res = client.get("/suppliers/")
        assert res.status_code == 200

    def bare() -> None:
        with connection.cursor() as cur:
            for sql in SQL:
                cur.execute(sql, [org_id])
                cur.fetchall()

    def api_after_change() -> None:
        bump_dashboard(org_id)  # as after any write: the cached aggregates are recomputed
        api()

    for f in (api, page, bare):
        f()  # warm
    api_ms, page_ms, sql_ms = (timed(f, args.requests) for f in (api, page, bare))
    cold_ms = timed(api_after_change, max(5, args.requests // 3))
    print(
        json.dumps(
            {
                "bench": "suppliers_dashboard",
                "suppliers": args.n,
                "requests": args.requests,
                "setup_s": round(setup_s, 1),
                "api_p50_ms": pct(api_ms, 0.5),
                "api_p95_ms": pct(api_ms, 0.95),
                "page_p95_ms": pct(page_ms, 0.95),
                "api_after_change_p95_ms": pct(cold_ms, 0.95),
                "bare_sql_p95_ms": pct(sql_ms, 0.95),
                "ratio_api_to_sql_p95": round(pct(api_ms, 0.95) / max(pct(sql_ms, 0.95), 0.1), 2),
                "target_p95_ms": 300,
                "database": connection.vendor,
            }
        )
    )


if __name__ == "__main__":
    main()
