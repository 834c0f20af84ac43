"""The link chart of a 10,000-node neighbourhood served by the API, against networkx directly.

Builds a synthetic graph in the database (one organisation, ``--cases`` case nodes around a
hub, each with its people and phone numbers, plus random shared numbers and a separate
component), then times ``GET /api/network/graph/?node=hub&depth=2`` for an investigator
(visibility by source record, identities decrypted, the access-log entry) through Django's
whole request stack. Baseline in the same run on the same graph: every edge read from the
database into a networkx graph, ``nx.ego_graph(hub, radius=2)``, the nodes' captions read
and ``json.dumps`` of nodes and edges (no visibility, no audit). Prints one JSON line.

    python bench/network_chart.py [--cases 100 --per-case 99]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--per-case", type=int, default=99)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="vigie-bench-network-"))
    os.environ["VIGIE_DATA_DIR"] = str(tmp / "data")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.dev")
    import django

    django.setup()
    import networkx as nx
    from django.core.management import call_command
    from django.test.utils import setup_test_environment
    from rest_framework.test import APIClient

    from vigie.core.models import Membership, Organisation, User
    from vigie.network.models import Edge, Node

    setup_test_environment()
    from django.conf import settings

    settings.VIGIE_MFA_ENFORCED = False  # the benchmark times the chart, not a second factor
    call_command("migrate", verbosity=0)
    org = Organisation.objects.create(code="bench-net", name="Bench network")
    user = User.objects.create(username="bench-investigator")
    Membership.objects.create(user=user, organisation=org, role="investigator")
    rng = random.Random(2331)

    t = time.perf_counter()
    nodes = [Node(key="hub", kind="group", caption="Hub group", identifying=False)]
    for c in range(args.cases):
        nodes.append(Node(key=f"case:{c}", kind="case", caption=f"BENCH-{c}", identifying=False))
        for p in range(args.per_case):
            kind = "person" if p % 3 else "phone"
            caption = f"Person {c}-{p}" if kind == "person" else f"+2348{c:04d}{p:05d}"
            nodes.append(Node(key=f"{kind}:{c}:{p}", kind=kind, caption=caption))
    outside = [Node(key=f"outside:{i}", kind="person", caption=f"Outside {i}") for i in range(2000)]
    Node.objects.bulk_create(nodes + outside, batch_size=1000)
    ids = dict(Node.objects.values_list("key", "pk"))
    hub = ids["hub"]

    def edge(a: int, b: int, kind: str) -> Edge:
        return Edge(
            source_id=a, target_id=b, kind=kind, organisation=org,
            record_type="cases.case", record_id=str(a), recorded_by=user,
        )  # fmt: skip

    edges = []
    for c in range(args.cases):
        case = ids[f"case:{c}"]
        edges.append(edge(ids["hub"], case, "perpetrator_in"))
        for p in range(args.per_case):
            kind = "person" if p % 3 else "phone"
            edges.append(edge(ids[f"{kind}:{c}:{p}"], case, "victim_in"))
    inner = [n.key for n in nodes[1:] if not n.key.startswith("case:")]
    for _ in range(args.cases * 20):  # numbers and people shared between cases
        a, b = rng.sample(inner, 2)
        edges.append(edge(ids[a], ids[b], "has_phone"))
    for i in range(1, 2000):
        edges.append(edge(ids[f"outside:{i - 1}"], ids[f"outside:{i}"], "has_phone"))
    Edge.objects.bulk_create(edges, batch_size=2000)
    built = time.perf_counter() - t

    client = APIClient()
    client.force_authenticate(user)
    query = {"node": hub, "depth": 2, "limit": 20_000}
    first = client.get("/api/network/graph/", query)
    assert first.status_code == 200, first.content[:300]
    served_nodes = len(first.json()["nodes"])
    timings = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        r = client.get("/api/network/graph/", query)
        body = r.content
        timings.append(time.perf_counter() - t)
    assert r.status_code == 200 and len(body) > 0

    base = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        g: nx.Graph = nx.Graph()
        for pk, a, b, kind in Edge.objects.values_list("pk", "source_id", "target_id", "kind"):
            g.add_edge(a, b, id=pk, kind=kind)
        ego = nx.ego_graph(g, hub, radius=2)
        captions = {}
        wanted = list(ego.nodes)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for node in Node.objects.filter(pk__in=chunk).only("pk", "kind", "caption"):
                captions[node.pk] = {"id": node.pk, "kind": node.kind, "label": node.caption}
        payload = {
            "nodes": list(captions.values()),
            "edges": [{"source": a, "target": b, **data} for a, b, data in ego.edges(data=True)],
        }
        json.dumps(payload)
        base.append(time.perf_counter() - t)

    served = statistics.median(timings)
    baseline = statistics.median(base)
    print(
        json.dumps(
            {
                "bench": "network_chart",
                "neighbourhood_nodes": served_nodes,
                "neighbourhood_edges": len(first.json()["edges"]),
                "graph_nodes": len(nodes) + len(outside),
                "graph_edges": len(edges),
                "served_seconds": round(served, 3),
                "target_seconds": 1.0,
                "meets_target": served < 1.0,
                "baseline_networkx_seconds": round(baseline, 3),
                "ratio_to_baseline": round(served / baseline, 2),
                "build_seconds": round(built, 1),
                "repeat": args.repeat,
                "database": django.db.connection.vendor,
            }
        )
    )


if __name__ == "__main__":
    main()
