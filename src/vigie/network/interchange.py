"""Exchange of the graph: FollowTheMoney entities (JSON lines, through the followthemoney
library) and GraphML/GEXF for Gephi (networkx's writers).

Exports are built from ``selectors.chart``: a node's identifying value leaves only when the
exporting actor may see it and, for identities from case records, holds
``victim.identity.export`` there as well (otherwise the node keeps a neutral label such as
"person 12"),
and every export is one access-log entry per organisation whose records it holds.

FollowTheMoney mapping (ADR 1100): each node is an entity of the schema in ``SCHEMA`` with
its kind in ``keywords`` (``vigie:phone``); each link is an ``UnknownLink`` whose ``role``
is the kind of link, ``date`` its date, ``recordId`` the source record and ``publisher`` the
organisation that recorded it. A phone number, which FollowTheMoney has no entity for, is a
``LegalEntity`` named by and holding the number (whoever answers it).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

import networkx as nx
from followthemoney import model
from followthemoney.proxy import EntityProxy

from vigie.core import audit
from vigie.network import selectors
from vigie.network.selectors import Chart, Scope

FORMATS = ("ftm", "graphml", "gexf")
MEDIA = {
    "ftm": "application/x-ndjson",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
}
SCHEMA = {
    "person": "Person",
    "organisation": "Organization",
    "group": "Organization",
    "phone": "LegalEntity",
    "account": "BankAccount",
    "vehicle": "Vehicle",
    "document": "Identification",
    "device": "Asset",
    "address": "Address",
    "place": "Address",
    "case": "Event",
    "incident": "Event",
    "evidence": "Document",
    "listed": "LegalEntity",
}
VALUE_PROP = {
    "phone": "phone",
    "account": "accountNumber",
    "vehicle": "registrationNumber",
    "document": "number",
    "device": "name",
    "address": "full",
    "place": "full",
    "evidence": "fileName",
}
MARK = "vigie:"


#: identities leave in an export only for those who may export them, as the cases export
EXPORT_IDENTITY = "victim.identity.export"


def export_scope(scope: Scope) -> Scope:
    """``scope`` for an export: the identities that ``victim.identity.view`` shows on screen
    are written out only in the organisations where the actor also holds
    ``victim.identity.export``; elsewhere they are withheld as for a user who may not see
    them (issue 15)."""
    allowed = scope.actor.organisations_with(EXPORT_IDENTITY)
    identity = {
        rt: selectors._intersect(orgs, allowed) if "victim.identity.view" in perms else orgs
        for rt, orgs in scope.identity.items()
        for perms in [selectors.IDENTITY.get(rt, ())]
    }
    return replace(scope, identity=identity)


def export_chart(scope: Scope, center: int | None = None, depth: int = 2) -> Chart:
    """The chart an export writes (identities as ``export_scope`` allows)."""
    scope = export_scope(scope)
    if center is None:
        rows = selectors._edge_rows(scope.edges())
        nodes = {n for r in rows for n in (r[1], r[2])}
    else:
        nodes, rows, _cut = selectors.neighbourhood(scope, center, depth, limit=100_000)
    return selectors.chart(scope, nodes, rows, "export")


def export(scope: Scope, fmt: str, center: int | None = None, depth: int = 2) -> bytes:
    """The visible graph (or ``center``'s neighbourhood) in ``fmt``, access-logged."""
    drawn = export_chart(scope, center, depth)
    if fmt == "ftm":
        data = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in ftm_entities(drawn))
        out = data.encode("utf-8")
    else:
        out = gephi(drawn, fmt)
    _log_export(scope, drawn, fmt)
    return out


def _log_export(scope: Scope, drawn: Chart, fmt: str) -> None:
    counts: dict[str, int] = {}
    for e in drawn.edges:
        counts[e["organisation"]] = counts.get(e["organisation"], 0) + 1
    identities = sum(1 for n in drawn.nodes.values() if n["identity"])
    for code in sorted(counts) or [""]:
        audit.record_access(
            scope.actor,
            "export",
            "network.graph",
            fmt,
            ["caption"] if identities else [],
            organisation_code=code,
            detail={
                "links": counts.get(code, 0),
                "nodes": len(drawn.nodes),
                "identities": identities,
                "actor": scope.actor.label,
            },
        )


def _node_entity(node: dict[str, Any]) -> EntityProxy:
    kind = node["kind"]
    entity = model.make_entity(SCHEMA[kind])
    entity.id = f"vigie-node-{node['id']}"
    label = node["label"]
    if "name" in entity.schema.properties:
        entity.add("name", label)
    if "keywords" in entity.schema.properties:
        entity.add("keywords", MARK + kind)
    prop = VALUE_PROP.get(kind)
    if prop and not node["withheld"]:
        entity.add(prop, label, quiet=True, fuzzy=True)
    return entity


def ftm_entities(drawn: Chart) -> Iterator[dict[str, Any]]:
    for node in drawn.nodes.values():
        yield _node_entity(node).to_dict()
    for e in drawn.edges:
        link = model.make_entity("UnknownLink")
        link.id = f"vigie-link-{e['id']}"
        link.add("subject", f"vigie-node-{e['source']}")
        link.add("object", f"vigie-node-{e['target']}")
        link.add("role", e["kind"])
        if e["date"]:
            link.add("date", e["date"])
        link.add("recordId", e["record_type"])
        if e["organisation"]:
            link.add("publisher", e["organisation"])
        yield link.to_dict()


def gephi(drawn: Chart, fmt: str) -> bytes:
    graph: nx.MultiGraph = nx.MultiGraph()
    for node in drawn.nodes.values():
        graph.add_node(node["id"], label=node["label"], kind=node["kind"], role=node["role"])
    for e in drawn.edges:
        graph.add_edge(
            e["source"],
            e["target"],
            key=e["id"],
            kind=e["kind"],
            date=e["date"] or "",
            organisation=e["organisation"],
            record_type=e["record_type"],
        )
    buf = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(graph, buf, encoding="utf-8")
    else:
        nx.write_gexf(graph, buf, encoding="utf-8")
    return buf.getvalue()


# Import ------------------------------------------------------------------------------------

KIND_OF_SCHEMA = {
    "Person": "person",
    "Organization": "organisation",
    "Company": "organisation",
    "PublicBody": "organisation",
    "LegalEntity": "organisation",
    "BankAccount": "account",
    "Vehicle": "vehicle",
    "Identification": "document",
    "Passport": "document",
    "Address": "address",
    "Event": "incident",
    "Document": "evidence",
}
#: properties of a legal entity that are shared values, each made a node of its own
PROPERTY_NODES = (
    ("phone", "phone", "has_phone"),
    ("passportNumber", "document", "has_document"),
    ("idNumber", "document", "has_document"),
)


def read_entities(lines: Iterable[str]) -> Iterator[EntityProxy]:
    """Parse FollowTheMoney JSON lines; a malformed line or unknown schema raises ValueError
    naming the line number."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield model.get_proxy(json.loads(line))
        except Exception as exc:
            raise ValueError(f"line {number}: {type(exc).__name__}") from None


def kind_of(entity: EntityProxy) -> str | None:
    for word in entity.get("keywords", quiet=True):
        if word.startswith(MARK) and word[len(MARK) :] in SCHEMA:
            return word[len(MARK) :]
    for schema in [entity.schema, *entity.schema.extends]:
        if schema.name in KIND_OF_SCHEMA:
            kind = KIND_OF_SCHEMA[schema.name]
            if kind == "organisation" and entity.schema.name == "LegalEntity":
                only_phone = entity.get("phone") and not entity.get("registrationNumber")
                return "phone" if only_phone else kind
            return kind
    return None


def caption_of(entity: EntityProxy, kind: str) -> str:
    prop = VALUE_PROP.get(kind)
    if prop and entity.schema.get(prop) is not None:
        value = entity.first(prop, quiet=True)
        if value:
            return str(value)
    return str(entity.caption or "")
