"""Reading the graph out of the records: cases (victims, perpetrators, incidents, places,
routes), evidence items, screening hits on perpetrators and finance accounts.

Each record type has a reader that turns a batch of records into nodes and edges
(:class:`Batch`); :func:`store` replaces the edges those records gave before with the new
ones, in one transaction. Called by the extraction job (vigie.network.tasks), never in a
writer's request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q

from vigie.network import keys
from vigie.network.models import Edge, Node

CASE = "cases.case"
EVIDENCE = "evidence.item"
HIT = "screening.hit"
ACCOUNT = "finance.account"
IMPORT = "network.graphimport"
CHUNK = 500

# unknown source columns (Case.source_identity) that hold a shared value, by name
SOURCE_FIELDS = (
    ("phone", ("phone", "mobile", "tel")),
    ("vehicle", ("vehicle", "plate", "licence", "license")),
    ("account", ("account", "iban", "wallet")),
    ("document", ("passport", "document", "idnumber")),
)


@dataclass(frozen=True)
class Provenance:
    organisation_id: int
    record_type: str
    record_id: str
    record_uuid: str = ""
    recorded_by_id: int | None = None
    recorded_at: dt.datetime | None = None


@dataclass
class NodeSpec:
    key: str
    kind: str
    caption: str
    identifying: bool
    role: str = ""


@dataclass
class Batch:
    nodes: dict[str, NodeSpec] = field(default_factory=dict)
    edges: list[tuple[str, str, str, dt.date | None, Provenance]] = field(default_factory=list)
    records: dict[str, set[str]] = field(default_factory=dict)  # record type -> ids replaced

    def replaces(self, record_type: str, record_id: Any) -> None:
        self.records.setdefault(record_type, set()).add(str(record_id))

    def node(
        self, key: str | None, kind: str, caption: str, identifying: bool = True, role: str = ""
    ) -> str | None:
        if key is None:
            return None
        known = self.nodes.get(key)
        if known is None or (not known.caption and caption):
            self.nodes[key] = NodeSpec(key, kind, caption, identifying, role)
        return key

    def value(self, kind: str, value: str | None) -> str | None:
        """A node for a shared value (phone, account...), keyed by its normalised form."""
        if not value:
            return None
        return self.node(keys.value_key(kind, value), kind, keys.display(kind, value))

    def place(self, country: str, area: str) -> str | None:
        caption = " — ".join(p for p in (country, area) if p)
        return self.node(keys.place_key(country, area), "place", caption, identifying=False)

    def edge(
        self,
        a: str | None,
        b: str | None,
        kind: str,
        prov: Provenance,
        date: dt.date | None = None,
    ) -> None:
        if a and b and a != b:
            self.edges.append((a, b, kind, date, prov))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _source_values(identity: dict[str, Any]) -> Iterable[tuple[str, str]]:
    for name, value in (identity or {}).items():
        low = str(name).casefold()
        for kind, words in SOURCE_FIELDS:
            if value and any(w in low for w in words):
                yield kind, str(value)
                break


def read_cases(batch: Batch, ids: list[int]) -> None:
    from vigie.cases.models import Case

    cases = Case.objects.filter(pk__in=ids).prefetch_related(
        "incidents", "victims", "perpetrators", "exploitations", "route"
    )
    perpetrators: dict[str, str] = {}  # perpetrator uuid -> node key
    # records linked into one person by vigie.linkage meet in that person's node
    linked_victims = keys.linked_persons("victim", [v.pk for c in cases for v in c.victims.all()])
    linked_perpetrators = keys.linked_persons(
        "perpetrator", [x.pk for c in cases for x in c.perpetrators.all()]
    )
    for case in cases:
        batch.replaces(CASE, case.pk)
        prov = Provenance(
            case.organisation_id, CASE, str(case.pk), str(case.uuid), case.created_by_id,
            case.created_at,
        )  # fmt: skip
        when = case.event_date_start or case.identification_date or case.report_date
        c = batch.node(keys.record_key("case", str(case.uuid)), "case", case.reference, False)
        batch.edge(c, batch.place(case.country, case.area), "identified_in", prov, when)
        for kind, value in _source_values(case.source_identity):
            batch.edge(c, batch.value(kind, value), f"mentions_{kind}", prov, when)
        incidents: dict[int, str | None] = {}
        for inc in case.incidents.all():
            i = batch.node(
                keys.record_key("incident", str(inc.uuid)),
                "incident",
                f"{case.reference} / {inc.pk}",
                False,
            )
            incidents[inc.pk] = i
            batch.edge(i, c, "part_of", prov, inc.date_start or when)
            batch.edge(i, batch.place(inc.country, inc.area), "happened_in", prov, inc.date_start)
            if inc.armed_group:
                group = _group(batch, inc.armed_group, "")
                batch.edge(i, group, "attributed_to", prov, inc.date_start)
        victims: dict[int, str] = {}
        for v in case.victims.all():
            name = " ".join(p for p in (v.given_name, v.family_name) if p)
            code = linked_victims.get(v.pk)
            p = batch.node(
                keys.person_key("cases.victim", str(v.uuid), code),
                "person",
                code or name,  # a linked person shows its code, not one record's spelling
                True,
                "victim",
            )
            assert p is not None
            victims[v.pk] = p
            batch.edge(p, c, "victim_in", prov, when)
            batch.edge(p, incidents.get(v.incident_id or 0), "victim_of", prov, when)
            batch.edge(p, batch.value("phone", v.phone), "has_phone", prov, when)
            batch.edge(p, batch.value("document", v.document_number), "has_document", prov, when)
            batch.edge(p, batch.value("address", v.address), "lives_at", prov, when)
        for x in case.perpetrators.all():
            if x.kind == "group":
                p_key = _group(batch, x.group_code or "", x.group_name)
            else:
                code = linked_perpetrators.get(x.pk)
                p_key = batch.node(
                    keys.person_key("cases.perpetrator", str(x.uuid), code),
                    "person",
                    code or x.name or "",
                    True,
                    "perpetrator",
                )
                if p_key:
                    perpetrators[str(x.uuid)] = p_key
            batch.edge(p_key, c, "perpetrator_in", prov, when)
            batch.edge(p_key, victims.get(x.victim_id or 0), "exploited", prov, when)
        for e in case.exploitations.all():
            target = victims.get(e.victim_id or 0) or incidents.get(e.incident_id or 0) or c
            batch.edge(target, batch.place(e.country, e.area), "exploited_in", prov, e.start_date)
        for leg in case.route.all():
            target = victims.get(leg.victim_id or 0) or c
            batch.edge(target, batch.place(leg.country, leg.area), "route", prov, leg.arrival_date)
    read_hits(batch, perpetrators)


def _group(batch: Batch, code: str, name: str) -> str | None:
    """A group of the reference list is one node by its code; another by its name."""
    key = keys.value_key("group", f"code:{code}" if code else name)
    return batch.node(key, "group", name or code, False, code)


def read_hits(batch: Batch, perpetrators: dict[str, str]) -> None:
    """Screening hits on the perpetrators just read (their subject's external id is the
    perpetrator's uuid); a hit judged a false positive gives no link."""
    from vigie.screening.models import Hit

    if not perpetrators:
        return
    hits = Hit.objects.filter(
        subject__purpose="perpetrator", subject__external_id__in=list(perpetrators)
    ).exclude(status=Hit.Status.FALSE_POSITIVE)
    for hit in hits.select_related("subject", "entry", "entry__watchlist"):
        batch.replaces(HIT, hit.pk)
        prov = Provenance(
            hit.organisation_id, HIT, str(hit.pk), str(hit.pk), hit.raised_by_id, hit.created_at
        )
        entry = hit.entry
        listed = batch.node(
            f"listed:{entry.watchlist.code}:{entry.reference}", "listed", entry.caption, False
        )
        who = perpetrators.get(hit.subject.external_id)
        batch.edge(who, listed, f"screening_{hit.status}", prov, _date(hit.created_at))


def read_evidence(batch: Batch, ids: list[int]) -> None:
    from vigie.evidence.models import Item

    items = Item.objects.filter(pk__in=ids).prefetch_related(
        "links__case", "links__perpetrator", "links__incident"
    )
    for item in items:
        batch.replaces(EVIDENCE, item.pk)
        prov = Provenance(
            item.organisation_id, EVIDENCE, str(item.pk), str(item.uuid), item.added_by_id,
            item.added_at,
        )  # fmt: skip
        when = _date(item.collected_at) or _date(item.added_at)
        # its caption is the file's name: identity (ADR 0045), as on the evidence pages
        node = batch.node(
            keys.record_key("evidence", str(item.uuid)), "evidence", item.original_name, True
        )
        place = item.place or ""
        batch.edge(node, batch.value("address", place), "collected_at", prov, when)
        # the camera's serial number in the file's own metadata: pictures taken with the
        # same device meet, whoever collected them
        for serial in _device_serials(item):
            batch.edge(node, batch.value("device", serial), "taken_with", prov, when)
        for link in item.links.all():
            if link.case is not None:
                target = keys.record_key("case", str(link.case.uuid))
                batch.node(target, "case", link.case.reference, False)
            elif link.perpetrator is not None:
                code = keys.linked_persons("perpetrator", [link.perpetrator.pk]).get(
                    link.perpetrator.pk
                )
                target = keys.person_key("cases.perpetrator", str(link.perpetrator.uuid), code)
                batch.node(target, "person", code or "", True, "perpetrator")
            elif link.incident is not None:
                target = keys.record_key("incident", str(link.incident.uuid))
                batch.node(target, "incident", "", False)
            else:
                continue
            batch.edge(node, target, f"evidence_of_{link.kind}", prov, when)


SERIAL_TAGS = ("BodySerialNumber", "CameraSerialNumber", "SerialNumber", "LensSerialNumber")


def _device_serials(item: Any) -> list[str]:
    from vigie.evidence.models import TechnicalMetadata

    meta = TechnicalMetadata.objects.filter(blob_id=item.blob_id).first()
    exif = (meta.data.get("exif") if meta else None) or {}
    return [str(exif[t]) for t in SERIAL_TAGS[:3] if isinstance(exif, dict) and exif.get(t)]


def read_accounts(batch: Batch, ids: list[int]) -> None:
    from vigie.finance.models import Account

    for acc in Account.objects.filter(pk__in=ids):
        batch.replaces(ACCOUNT, acc.pk)
        prov = Provenance(acc.organisation_id, ACCOUNT, str(acc.pk), "", None, acc.first_seen)
        node = batch.value("account", acc.number)
        if acc.holder:
            holder = batch.node(
                keys.person_key(ACCOUNT, str(acc.pk)), "person", acc.holder, True, "holder"
            )
            batch.edge(holder, node, "holds", prov, _date(acc.first_seen))


READERS: dict[str, Callable[[Batch, list[int]], None]] = {
    CASE: read_cases,
    EVIDENCE: read_evidence,
    ACCOUNT: read_accounts,
}


def store(batch: Batch) -> tuple[int, int]:
    """Replace the edges of the records in ``batch`` with its edges; create the nodes they
    need; drop nodes left without an edge. Returns (nodes created, edges written)."""
    with transaction.atomic():
        touched: set[int] = set()
        for record_type, record_ids in batch.records.items():
            id_list = sorted(record_ids)
            for start in range(0, len(id_list), CHUNK):
                old = Edge.objects.filter(
                    record_type=record_type, record_id__in=id_list[start : start + CHUNK]
                )
                for a, b in old.values_list("source_id", "target_id"):
                    touched.update((a, b))
                old.delete()
        ids, created = node_ids(batch.nodes.values())
        edges = [
            Edge(
                source_id=ids[a],
                target_id=ids[b],
                kind=kind,
                date=date,
                organisation_id=prov.organisation_id,
                record_type=prov.record_type,
                record_id=prov.record_id,
                record_uuid=prov.record_uuid,
                recorded_by_id=prov.recorded_by_id,
                recorded_at=prov.recorded_at,
            )
            for a, b, kind, date, prov in batch.edges
        ]
        Edge.objects.bulk_create(edges, batch_size=CHUNK)
        drop_orphans(touched)
    return created, len(edges)


def node_ids(specs: Iterable[NodeSpec]) -> tuple[dict[str, int], int]:
    """Ids of the nodes for ``specs``, created when missing; captions of record nodes
    (a person, a case) follow the record."""
    by_key = {s.key: s for s in specs}
    ids: dict[str, int] = {}
    keys_ = list(by_key)
    update: list[Node] = []
    for start in range(0, len(keys_), CHUNK):
        for node in Node.objects.filter(key__in=keys_[start : start + CHUNK]):
            ids[node.key] = node.pk
            spec = by_key[node.key]
            if spec.caption and (spec.caption != node.caption or spec.role != node.role):
                node.caption, node.role = spec.caption, spec.role
                update.append(node)
    if update:
        Node.objects.bulk_update(update, ["caption", "role"], batch_size=CHUNK)
    missing = [
        Node(key=s.key, kind=s.kind, caption=s.caption, identifying=s.identifying, role=s.role)
        for k, s in by_key.items()
        if k not in ids
    ]
    Node.objects.bulk_create(missing, batch_size=CHUNK)
    for start in range(0, len(missing), CHUNK):
        chunk = [n.key for n in missing[start : start + CHUNK]]
        ids.update(Node.objects.filter(key__in=chunk).values_list("key", "pk"))
    return ids, len(missing)


def drop_orphans(candidates: set[int]) -> None:
    ids = sorted(candidates)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        linked = Edge.objects.filter(Q(source_id__in=chunk) | Q(target_id__in=chunk))
        keep = set(linked.values_list("source_id", flat=True)) | set(
            linked.values_list("target_id", flat=True)
        )
        Node.objects.filter(pk__in=[i for i in chunk if i not in keep]).delete()


def forget(record_type: str, ids: Iterable[Any]) -> None:
    """Records deleted: their edges go (and the nodes only they gave)."""
    batch = Batch()
    for i in ids:
        batch.replaces(record_type, i)
    store(batch)
