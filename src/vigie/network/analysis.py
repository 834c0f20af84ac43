"""Analysis of the visible graph with networkx: components, brokers (betweenness),
communities (Louvain), shortest paths and the timeline of links.

Always over ``selectors.Scope.edges()``: what the actor may not see is not in the graph, so
no path, broker or community goes through a record they may not see. Limits: betweenness is
exact up to ``EXACT_BETWEENNESS`` nodes and sampled (``k`` pivots, fixed seed) beyond.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from typing import Any

import networkx as nx
from django.utils.translation import gettext as _

from vigie.core.errors import Invalid, NotFound
from vigie.network import selectors
from vigie.network.models import Node
from vigie.network.selectors import Scope

EXACT_BETWEENNESS = 2000
SAMPLE = 300
TOP = 10


def visible_graph(scope: Scope) -> tuple[nx.Graph, list[tuple[Any, ...]]]:
    """The simple graph of visible links (parallel links merged), and the edge rows."""
    rows = selectors._edge_rows(scope.edges())
    graph: nx.Graph = nx.Graph()
    for pk, a, b, kind, _date, _org, _rt in rows:
        if graph.has_edge(a, b):
            graph[a][b]["edges"].append(pk)
        else:
            graph.add_edge(a, b, kind=kind, edges=[pk])
    return graph, rows


def stats(scope: Scope) -> dict[str, Any]:
    graph, rows = visible_graph(scope)
    components = sorted((len(c) for c in nx.connected_components(graph)), reverse=True)
    n = graph.number_of_nodes()
    if n <= EXACT_BETWEENNESS:
        between = nx.betweenness_centrality(graph)
    else:
        between = nx.betweenness_centrality(graph, k=SAMPLE, seed=7)
    brokers = sorted(between.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    communities = (
        sorted(nx.community.louvain_communities(graph, seed=7), key=len, reverse=True) if n else []
    )
    kinds = dict(Node.objects.values_list("pk", "kind"))
    top_nodes = {node for node, _ in brokers}
    for c in communities[:TOP]:
        top_nodes.add(min(c, key=lambda x: -graph.degree(x)))
    drawn = selectors.chart(
        scope,
        top_nodes,
        [r for r in rows if r[1] in top_nodes or r[2] in top_nodes],
        "stats",
    )
    return {
        "nodes": n,
        "edges": len(rows),
        "components": len(components),
        "largest_components": components[:TOP],
        "brokers": [
            {"node": drawn.nodes[node], "betweenness": round(score, 6)}
            for node, score in brokers
            if score > 0
        ],
        "communities": [
            {
                "size": len(c),
                "hub": drawn.nodes[min(c, key=lambda x: -graph.degree(x))],
                "kinds": dict(Counter(kinds.get(x, "") for x in c)),
            }
            for c in communities[:TOP]
        ],
        "betweenness": "exact" if n <= EXACT_BETWEENNESS else f"sampled ({SAMPLE} pivots)",
    }


def path(scope: Scope, source: int, target: int) -> selectors.Chart:
    """The shortest chain of visible links from ``source`` to ``target``."""
    graph, rows = visible_graph(scope)
    if source not in graph or target not in graph:
        raise NotFound(_("No such node."), code="node_not_found")
    try:
        nodes = nx.shortest_path(graph, source, target)
    except nx.NetworkXNoPath:
        raise NotFound(
            _("These two are not linked by anything you may see."), code="no_path"
        ) from None
    chosen = {graph[a][b]["edges"][0] for a, b in pairwise(nodes)}
    drawn = selectors.chart(scope, set(nodes), [r for r in rows if r[0] in chosen], "path")
    order = {n: i for i, n in enumerate(nodes)}
    drawn.edges.sort(key=lambda e: min(order[e["source"]], order[e["target"]]))
    return drawn


def timeline(scope: Scope, center: int, depth: int = 1) -> list[dict[str, Any]]:
    """The dated links around ``center``, oldest first (undated last)."""
    if depth < 1 or depth > 3:
        raise Invalid(_("depth must be 1, 2 or 3."), code="invalid_depth")
    nodes, rows, _cut = selectors.neighbourhood(scope, center, depth=depth, limit=2000)
    drawn = selectors.chart(scope, nodes, rows, f"timeline {center}")
    events = [
        {**e, "source_label": drawn.nodes[e["source"]]["label"],
         "target_label": drawn.nodes[e["target"]]["label"]}
        for e in drawn.edges
    ]  # fmt: skip
    events.sort(key=lambda e: (e["date"] is None, e["date"] or "", e["id"]))
    return events
