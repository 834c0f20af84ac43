"""Caseload page with 100,000 referrals: p95 of GET /caseload/ through Django's test Client
(full middleware, session, permission checks, template), its query count (constant: the same
at every volume), and a baseline in the same run: the page's own SQL statements run bare
through the database cursor.

Data: 20 organisations, 5,000 cases, ``--referrals`` referrals among them in every state
(a third past their deadline), 20,000 case-plan items. ``python bench/caseload.py
[--referrals 100000] [--repeat 30]`` prints one JSON line. Target: p95 under 200 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time

from identification_common import p, start

STATES = ["sent", "acknowledged", "accepted", "declined", "delivered", "closed"]


def build(n: int, rng: random.Random) -> tuple[object, object]:
    from django.utils import timezone

    from vigie.cases.models import Case
    from vigie.core.models import Membership, Organisation, User
    from vigie.identification.models import PlanItem, Referral

    orgs = [
        Organisation.objects.get_or_create(code=f"cl-{i}", defaults={"name": f"Org {i}"})[0]
        for i in range(20)
    ]
    user, _ = User.objects.get_or_create(username="cl-officer")
    Membership.objects.get_or_create(user=user, organisation=orgs[0], role="field_officer")
    if Referral.objects.count() >= n:
        return user, orgs[0]
    Case.objects.bulk_create(
        [
            Case(organisation=orgs[i % 20], reference=f"CL-{i}", source_type="case_management")
            for i in range(5000)
        ],
        batch_size=2000,
    )
    cases = list(Case.objects.values_list("id", "organisation_id"))
    now = timezone.now()
    refs = []
    for _ in range(n):
        case_id, org_id = rng.choice(cases)
        to = rng.choice([o for o in orgs if o.pk != org_id])
        state = rng.choice(STATES)
        sent = now - dt.timedelta(hours=rng.randint(1, 24 * 120))
        due = (
            None
            if state in ("declined", "delivered", "closed")
            else sent + dt.timedelta(hours=rng.choice([24, 72, 168, 336]))
        )
        answered = (
            sent + dt.timedelta(hours=rng.randint(1, 96))
            if state not in ("sent", "acknowledged")
            else None
        )
        refs.append(
            Referral(
                organisation_id=org_id, receiving_organisation=to, case_id=case_id,
                service_type="medical",
                state=state, due_at=due, sent_at=sent, answered_at=answered,
                sent_by=user if org_id == orgs[0].pk else None,
                answer_seconds=int((answered - sent).total_seconds()) if answered else None,
                delivery_seconds=(
                    int((answered - sent).total_seconds()) + 48 * 3600
                    if state == "delivered" and answered else None
                ),
            )
        )  # fmt: skip
    Referral.objects.bulk_create(refs, batch_size=5000)
    PlanItem.objects.bulk_create(
        [
            PlanItem(
                organisation_id=org_id, case_id=case_id, need="medical",
                assigned_to=user if org_id == orgs[0].pk else None,
                follow_up_date=now.date() + dt.timedelta(days=rng.randint(-30, 30)),
            )
            for case_id, org_id in (rng.choice(cases) for _ in range(20000))
        ],
        batch_size=5000,
    )  # fmt: skip
    return user, orgs[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--referrals", type=int, default=100000)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--data", help="reuse this data directory")
    args = ap.parse_args()
    start(args.data)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    t = time.perf_counter()
    user, _org = build(args.referrals, random.Random(2331))
    build_s = round(time.perf_counter() - t, 1)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)  # type: ignore[arg-type]
    client.get("/caseload/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/caseload/").status_code == 200
    statements = [q["sql"] for q in ctx.captured_queries]
    page, bare = [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        client.get("/caseload/")
        page.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        with connection.cursor() as cur:
            for sql in statements:
                cur.execute(sql)
                cur.fetchall()
        bare.append((time.perf_counter() - t) * 1000)
    print(
        json.dumps(
            {
                "bench": "caseload",
                "referrals": args.referrals,
                "build_s": build_s,
                "queries_per_page": len(statements),
                "page_ms": {"p50": p(page, 50), "p95": p(page, 95)},
                "bare_sql_ms": {"p50": p(bare, 50), "p95": p(bare, 95)},
                "ratio_p95": round(p(page, 95) / max(p(bare, 95), 1e-6), 2),
                "target_p95_ms": 200,
            }
        )
    )


if __name__ == "__main__":
    main()
