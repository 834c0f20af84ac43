"""A small synthetic network (never real people): a few demo cases in three organisations
that share a phone number, a recruiter's group and a driver, a FollowTheMoney file with a
vehicle and an account, then the graph read from every case."""

from __future__ import annotations

import json
import random
from typing import Any

from vigie.cases import services as cases
from vigie.cases.models import Case
from vigie.core.actor import Actor
from vigie.network import extract, services, tasks

PHONES = ["+234 803 555 0101", "+234 803 555 0102", "+234 803 555 0199"]
GIVEN = ["Amina", "Hauwa", "Fatima", "Zainab", "Grace", "Blessing"]
FAMILY = ["Example", "Sample", "Testperson", "Placeholder"]


def network_records(rng: random.Random, n: int = 6) -> list[dict[str, Any]]:
    """Case records whose victims share phones and whose perpetrators share a group."""
    out = []
    for i in range(n):
        out.append(
            {
                "reference": f"DEMO-NET-{i + 1:03d}",
                "summary": "Synthetic network demonstration record.",
                "source_type": "case_management",
                "source_record_id": f"demo-net-{i + 1:03d}",
                "conflict_situation": "lake_chad_basin",
                "conflict_context": "in_conflict_zone",
                "country": "NG",
                "area": rng.choice(["Borno", "Adamawa", "Yobe"]),
                "event_date_start": f"2016-{1 + i:02d}-1{i}",
                "victims": [
                    {
                        "key": "v1",
                        "sex": "female",
                        "given_name": rng.choice(GIVEN),
                        "family_name": rng.choice(FAMILY),
                        "phone": PHONES[i % 2] if i < 4 else PHONES[2],
                    }
                ],
                "perpetrators": [
                    {
                        "kind": "group",
                        "group_code": "boko_haram",
                        "perpetrator_type": "terrorist_group",
                    },
                    {"kind": "person", "name": f"Driver Example {i % 3}", "victim": "v1"},
                ],
            }
        )
    return out


def _link(pk: str, subject: str, obj: str, role: str, **more: list[str]) -> dict[str, Any]:
    props = {"subject": [subject], "object": [obj], "role": [role], **more}
    return {"id": pk, "schema": "UnknownLink", "properties": props}


FTM = [
    {"id": "veh-1", "schema": "Vehicle", "properties": {"registrationNumber": ["ABC-123-XY"]}},
    {"id": "acc-1", "schema": "BankAccount", "properties": {"accountNumber": ["NG00DEMO0001"]}},
    {
        "id": "per-1",
        "schema": "Person",
        "properties": {"name": ["Recruiter Example"], "phone": [PHONES[0]]},
    },
    _link("l1", "per-1", "veh-1", "drives", date=["2016-03-01"]),
    _link("l2", "per-1", "acc-1", "holds"),
]


def load(ctx: Any) -> None:
    owners = [ctx.organisations[c] for c in ("iom", "unhcr", "ntf-ng") if c in ctx.organisations]
    if not owners or Case.objects.filter(source_record_id__startswith="demo-net-").exists():
        return
    for i, record in enumerate(network_records(random.Random(ctx.seed))):
        org = owners[i % len(owners)]
        cases.save_record(Actor.system("demo data", org.pk), org, record)
    task_force = ctx.organisations.get("ntf-ng")
    if task_force is not None:
        lines = [json.dumps(e) + "\n" for e in FTM]
        services.import_ftm(
            Actor.system("demo data", task_force.pk), lines, "demo-network.ftm.json"
        )
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    edges = 0
    for start in range(0, len(ids), tasks.BATCH):
        edges += tasks.read(extract.CASE, ids[start : start + tasks.BATCH])[1]
    ctx.echo(f"  network: {edges} links read from {len(ids)} cases, and a FollowTheMoney file")
