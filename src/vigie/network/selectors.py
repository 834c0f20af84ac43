"""Reads of the graph, always through what the actor may see.

An edge is visible when the actor may see the record it was read from (the view permission
of its record type, in the record's organisation); a node is visible through its visible
edges only, so a link never reveals a record the actor may not see. A node's identifying
caption (a name, a phone number) is shown when one of its visible edges comes from a record
whose identities the actor may see; every display of such captions is in the access log.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vigie.core import access, audit
from vigie.core.actor import Actor
from vigie.core.errors import NotFound
from vigie.core.models import Organisation
from vigie.network import extract
from vigie.network.labels import link_label
from vigie.network.models import Edge, Node, XrefMatch

PERMISSION = "network.view"
#: the permission to see the record an edge was read from, by record type
VIEW = {
    extract.CASE: "case.view",
    extract.HIT: "case.view",
    extract.EVIDENCE: "evidence.view",
    extract.ACCOUNT: "finance.view",
    extract.IMPORT: PERMISSION,
}
#: the further permissions to see the identities in that record
IDENTITY: dict[str, tuple[str, ...]] = {
    extract.CASE: ("victim.identity.view",),
    extract.HIT: ("victim.identity.view",),
    extract.EVIDENCE: ("victim.identity.view",),  # file names and places (ADR 0045)
    extract.ACCOUNT: (),
    extract.IMPORT: ("victim.identity.view",),
}
CHUNK = 400
RAW_CHUNK = 4000
EDGE_FIELDS = ("pk", "source_id", "target_id", "kind", "date", "organisation_id", "record_type")


def _intersect(a: frozenset[int] | None, b: frozenset[int] | None) -> frozenset[int] | None:
    if a is access.ALL:
        return b
    if b is access.ALL:
        return a
    return a & b


@dataclass
class Scope:
    """What one actor may see of the graph: organisations by record type."""

    actor: Actor
    view: dict[str, frozenset[int] | None]
    identity: dict[str, frozenset[int] | None]

    def _q(self, table: dict[str, frozenset[int] | None], prefix: str = "") -> Q:
        q = Q(pk__in=[])
        for record_type, orgs in table.items():
            cond = Q(**{f"{prefix}record_type": record_type})
            if orgs is not access.ALL:
                if not orgs:
                    continue
                cond &= Q(**{f"{prefix}organisation_id__in": sorted(orgs)})
            q |= cond
        return q

    def edges(self) -> QuerySet[Edge]:
        return Edge.objects.filter(self._q(self.view))

    def sees(self, record_type: str, organisation_id: int) -> bool:
        orgs = self.view.get(record_type, frozenset())
        return orgs is access.ALL or organisation_id in orgs

    def sees_identity(self, record_type: str, organisation_id: int) -> bool:
        orgs = self.identity.get(record_type, frozenset())
        return orgs is access.ALL or organisation_id in orgs


def scope_for(actor: Actor) -> Scope:
    actor.require(PERMISSION)
    view = {rt: actor.organisations_with(perm) for rt, perm in VIEW.items()}
    identity = {}
    for rt, perms in IDENTITY.items():
        orgs = view[rt]
        for perm in perms:
            orgs = _intersect(orgs, actor.organisations_with(perm))
        identity[rt] = orgs
    return Scope(actor, view, identity)


@dataclass
class Chart:
    """Nodes and edges ready for the link chart, the API and the exports."""

    nodes: dict[int, dict[str, Any]] = field(default_factory=dict)
    edges: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "nodes": list(self.nodes.values()),
            "edges": self.edges,
            "truncated": self.truncated,
        }


def _edge_rows(qs: QuerySet[Edge]) -> list[tuple[Any, ...]]:
    return list(qs.values_list(*EDGE_FIELDS))


def _as_date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _touching(qs: QuerySet[Edge], ids: list[int]) -> list[tuple[Any, ...]]:
    """The rows of ``qs`` with an end in ``ids``, in one statement per ``RAW_CHUNK`` ids.

    Raw SQL around the queryset's own (visibility included): the ORM's per-value handling
    of long ``IN`` lists cost more than the query itself on a 10,000-node chart."""
    sql, params = qs.values_list(*EDGE_FIELDS).query.sql_with_params()
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(ids), RAW_CHUNK):
            chunk = [int(i) for i in ids[start : start + RAW_CHUNK]]
            marks = ",".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT * FROM ({sql}) edge "  # noqa: S608 (the ORM's SQL; ids are parameters)
                f"WHERE edge.source_id IN ({marks}) OR edge.target_id IN ({marks})",
                [*params, *chunk, *chunk],
            )
            out.extend(
                (pk, a, b, kind, _as_date(d), org, rt)
                for pk, a, b, kind, d, org, rt in cursor.fetchall()
            )
    return out


def neighbourhood(
    scope: Scope,
    center: int,
    depth: int = 2,
    limit: int = 500,
    kinds: set[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    organisation_id: int | None = None,
) -> tuple[set[int], list[tuple[Any, ...]], bool]:
    """Breadth-first from ``center`` over visible edges (filtered): the nodes met (at most
    ``limit``), the edges between them, and whether the limit cut the walk short."""
    base = _filtered(scope.edges(), kinds, since, until, organisation_id)
    seen, frontier = {center}, [center]
    rows: dict[int, tuple[Any, ...]] = {}
    truncated = False
    for _level in range(depth):
        found: list[int] = []
        for row in _touching(base, frontier):
            a, b = row[1], row[2]
            for n in (a, b):
                if n not in seen:
                    if len(seen) >= limit:
                        truncated = True
                        continue
                    seen.add(n)
                    found.append(n)
            if a in seen and b in seen:
                rows[row[0]] = row
        frontier = found
        if not frontier:
            break
    # the links among the outermost nodes (an induced subgraph, as networkx's ego_graph)
    for row in _touching(base, frontier):
        if row[1] in seen and row[2] in seen:
            rows[row[0]] = row
    reached = {r[1] for r in rows.values()} | {r[2] for r in rows.values()}
    if (
        center not in reached
        and not base.filter(Q(source_id=center) | Q(target_id=center)).exists()
    ):
        raise NotFound(_("No such node."), code="node_not_found")
    return seen, list(rows.values()), truncated


def _filtered(
    qs: QuerySet[Edge],
    kinds: set[str] | None,
    since: dt.date | None,
    until: dt.date | None,
    organisation_id: int | None,
) -> QuerySet[Edge]:
    if kinds:
        qs = qs.filter(source__kind__in=sorted(kinds), target__kind__in=sorted(kinds))
    if since:
        qs = qs.filter(Q(date__gte=since) | Q(date__isnull=True))
    if until:
        qs = qs.filter(Q(date__lte=until) | Q(date__isnull=True))
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    return qs


def chart(scope: Scope, node_ids: set[int], rows: list[tuple[Any, ...]], where: str) -> Chart:
    """Label ``node_ids`` for ``scope`` (identities only where allowed, access-logged)."""
    granted: dict[int, int] = {}  # node -> organisation whose record shows its identity
    for _pk, a, b, _kind, _date, org, record_type in rows:
        if scope.sees_identity(record_type, org):
            granted.setdefault(a, org)
            granted.setdefault(b, org)
    out = Chart()
    ids = sorted(node_ids)
    decrypt = Node._meta.get_field("caption").from_db_value
    table = Node._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(ids), RAW_CHUNK):
            chunk = ids[start : start + RAW_CHUNK]
            marks = ",".join(["%s"] * len(chunk))
            # first without the captions; then only the captions that may be shown are read
            # (and decrypted): the others never leave the database
            cursor.execute(
                f"SELECT id, kind, identifying, role FROM {table} WHERE id IN ({marks})",  # noqa: S608
                chunk,
            )
            found = cursor.fetchall()
            shown = [pk for pk, _k, ident, _r in found if not ident or pk in granted]
            captions: dict[int, str] = {}
            if shown:
                marks = ",".join(["%s"] * len(shown))
                cursor.execute(
                    f"SELECT id, caption FROM {table} WHERE id IN ({marks})",  # noqa: S608
                    shown,
                )
                captions = {
                    pk: decrypt(c, None, connection) if c is not None else ""
                    for pk, c in cursor.fetchall()
                }
            for pk, kind, ident, role in found:
                out.nodes[pk] = _described(
                    pk, kind, bool(ident), role, captions.get(pk), pk in captions
                )
    orgs = dict(Organisation.objects.values_list("pk", "code"))
    labels: dict[str, str] = {}
    out.edges = [
        {
            "id": pk,
            "source": a,
            "target": b,
            "kind": kind,
            "label": labels.get(kind) or labels.setdefault(kind, link_label(kind)),
            "date": d.isoformat() if d else None,
            "organisation": orgs.get(org, ""),
            "record_type": record_type,
        }
        for pk, a, b, kind, d, org, record_type in rows
    ]
    shown = [n for n in out.nodes if out.nodes[n]["identity"] and n in granted]
    log_identities(scope.actor, shown, granted, orgs, where)
    return out


def _described(
    pk: int, kind: str, identifying: bool, role: str, caption: str | None, shown: bool
) -> dict[str, Any]:
    label = (caption or "") if shown else ""
    if kind == "group" and role:
        label = _group_label(role)
    if not label:
        label = f"{_kind_label(kind)} {pk}"
    return {
        "id": pk,
        "kind": kind,
        "label": label,
        "role": role,
        "identity": identifying and shown,
        "withheld": identifying and not shown,
    }


def _group_label(code: str) -> str:
    from vigie.cases import codelists

    return codelists.get("armed_groups").label(code)


def _kind_label(kind: str) -> str:
    return str(Node.Kind(kind).label) if kind in Node.Kind.values else kind


def log_identities(
    actor: Actor, shown: list[int], granted: dict[int, int], orgs: dict[int, str], where: str
) -> None:
    """One access-log entry per organisation whose records showed identities."""
    by_org: dict[int, list[int]] = defaultdict(list)
    for n in shown:
        by_org[granted[n]].append(n)
    for org, nodes in sorted(by_org.items()):
        audit.record_access(
            actor,
            "view",
            "network.node",
            where,
            ["caption"],
            organisation_code=orgs.get(org, ""),
            detail={"nodes": len(nodes), "ids": nodes[:200], "actor": actor.label},
        )


def get_node_for(scope: Scope, node_id: int) -> dict[str, Any]:
    """A node with its visible links and their provenance, and its watchlist matches."""
    edges = scope.edges().filter(Q(source_id=node_id) | Q(target_id=node_id))
    rows = _edge_rows(edges)
    if not rows:
        raise NotFound(_("No such node."), code="node_not_found")
    ends = {node_id} | {r[1] for r in rows} | {r[2] for r in rows}
    drawn = chart(scope, ends, rows, f"node {node_id}")
    provenance = {
        e.pk: e
        for e in Edge.objects.filter(pk__in=[r[0] for r in rows]).select_related("recorded_by")
    }
    links = []
    for item in drawn.edges:
        e = provenance[item["id"]]
        other = item["target"] if item["source"] == node_id else item["source"]
        links.append(
            {
                **item,
                "other": drawn.nodes[other],
                "record_id": e.record_id,
                "record_url": record_url(e.record_type, e.record_id, e.record_uuid),
                "recorded_by": e.recorded_by.username if e.recorded_by else "",
                "recorded_at": e.recorded_at.isoformat() if e.recorded_at else None,
            }
        )
    links.sort(key=lambda x: (x["date"] or "", x["id"]))
    matches = [
        {
            "watchlist": m.entry.watchlist.code,
            "reference": m.entry.reference,
            "caption": m.entry.caption,
            "score": round(m.score, 3),
        }
        for m in XrefMatch.objects.filter(node_id=node_id).select_related("entry__watchlist")
    ]
    return {"node": drawn.nodes[node_id], "links": links, "watchlist_matches": matches}


def record_url(record_type: str, record_id: str, record_uuid: str) -> str:
    """Where the source record opens in the web interface ('' when it has no page)."""
    from django.urls import NoReverseMatch, reverse

    try:
        if record_type == extract.CASE and record_uuid:
            return reverse("cases:detail", kwargs={"uuid": record_uuid})
        if record_type == extract.EVIDENCE and record_uuid:
            return reverse("evidence:item", kwargs={"uuid": record_uuid})
    except NoReverseMatch:
        return ""
    return ""


def find_nodes(scope: Scope, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Nodes whose recorded value is exactly ``text`` (through the keyed digest, as the blind
    index works) where the actor may see that value, or cases whose reference is ``text``."""
    from vigie.network import keys

    text = (text or "").strip()
    if not text:
        return []
    candidates = [keys.value_key(kind, text) for kind in keys.VALUE_KINDS]
    wanted = [k for k in candidates if k]
    node_ids = set(Node.objects.filter(key__in=wanted).values_list("pk", flat=True))
    from vigie.cases.models import Case

    uuids = Case.objects.filter(reference=text).values_list("uuid", flat=True)[:limit]
    case_keys = [keys.record_key("case", str(u)) for u in uuids]
    node_ids |= set(Node.objects.filter(key__in=case_keys).values_list("pk", flat=True))
    rows = _edge_rows(scope.edges().filter(Q(source_id__in=node_ids) | Q(target_id__in=node_ids)))
    visible = {n for r in rows for n in (r[1], r[2]) if n in node_ids}
    drawn = chart(scope, visible, rows, "search")
    # a value whose identity the actor may not see is not found: finding it would confirm
    # that a victim's document or phone number is in the graph (issue 15)
    found = [n for n in sorted(visible) if not drawn.nodes[n]["withheld"]]
    return [drawn.nodes[n] for n in found[:limit]]


def visible_xref(scope: Scope) -> list[dict[str, Any]]:
    """Watchlist matches of the nodes the actor may see."""
    matches = list(XrefMatch.objects.select_related("entry__watchlist").order_by("-score"))
    ids = {m.node_id for m in matches}
    rows = _edge_rows(scope.edges().filter(Q(source_id__in=ids) | Q(target_id__in=ids)))
    visible = {n for r in rows for n in (r[1], r[2]) if n in ids}
    drawn = chart(scope, visible, rows, "xref")
    return [
        {
            "node": drawn.nodes[m.node_id],
            "watchlist": m.entry.watchlist.code,
            "reference": m.entry.reference,
            "caption": m.entry.caption,
            "score": round(m.score, 3),
        }
        for m in matches
        if m.node_id in visible
    ]
