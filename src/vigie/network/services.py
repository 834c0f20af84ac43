"""Writes of the network app: importing FollowTheMoney entities, starting the rebuild and
cross-referencing jobs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import IO, Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.core import events, files, jobs
from vigie.core.actor import Actor
from vigie.core.errors import Invalid, TooLarge
from vigie.core.models import Job
from vigie.network import extract, interchange, keys, tasks
from vigie.network.models import GraphImport

IMPORT_PERMISSION = "network.import"
MAX_ENTITIES = 200_000


def import_ftm(actor: Actor, lines: Iterable[str], file_name: str) -> GraphImport:
    """Import FollowTheMoney entities (JSON lines) as nodes and links recorded by the
    actor's organisation. People are one node each; shared values (phones, accounts,
    documents, vehicles, addresses) meet the nodes of the same value already in the graph."""
    org_id = actor.organisation_id
    if org_id is None:
        raise Invalid(
            _("Name the organisation the file is imported for."), code="organisation_required"
        )
    actor.require(IMPORT_PERMISSION, org_id)
    digest = hashlib.sha256()
    entities = []
    if hasattr(lines, "readline"):  # a file: no line is read whole past the limit (ADR 0059)
        lines = files.bounded_lines(cast(IO[str], lines), file_name, files.limits())
    try:
        for entity in interchange.read_entities(_hashed(lines, digest)):
            entities.append(entity)
            if len(entities) > MAX_ENTITIES:
                raise TooLarge(
                    _("At most %(n)d entities per file.") % {"n": MAX_ENTITIES},
                    code="too_many_entities",
                )
    except ValueError as exc:
        raise Invalid(
            _("This is not a FollowTheMoney JSON lines file (%(where)s).") % {"where": exc},
            code="invalid_ftm",
        ) from None
    with transaction.atomic():
        record = GraphImport.objects.create(
            organisation_id=org_id,
            file_name=file_name[:255],
            sha256=digest.hexdigest(),
            imported_by=actor.user,
        )
        batch = _batch(entities, record)
        _created, edges = extract.store(batch)
        record.entities, record.edges = len(entities), edges
        record.save(update_fields=["entities", "edges"])
        events.announce(
            extract.IMPORT, [record.pk], actor, action="created", organisation_id=org_id
        )
    return record


def _hashed(lines: Iterable[str], digest: Any) -> Iterable[str]:
    for line in lines:
        digest.update(line.encode("utf-8"))
        yield line


def _batch(entities: list[Any], record: GraphImport) -> extract.Batch:
    batch = extract.Batch()
    batch.replaces(extract.IMPORT, record.pk)
    prov = extract.Provenance(
        record.organisation_id,
        extract.IMPORT,
        str(record.pk),
        str(record.uuid),
        record.imported_by_id,
        timezone.now(),
    )
    node_of: dict[str, str] = {}
    links = []
    for entity in entities:
        if entity.schema.edge:
            links.append(entity)
            continue
        kind = interchange.kind_of(entity)
        if kind is None:
            continue
        caption = interchange.caption_of(entity, kind)
        if kind in ("person", "incident", "evidence", "case"):
            key: str | None = keys.person_key(f"{extract.IMPORT}:{record.uuid}", entity.id)
            if kind != "person":
                key = keys.record_key(kind, f"{record.uuid}:{entity.id}")
        elif kind == "place":
            key = keys.value_key("address", caption)
        elif kind == "listed":
            key = keys.value_key("organisation", caption)
        else:
            key = keys.value_key(kind, caption)
        identifying = kind in (
            "person", "phone", "account", "vehicle", "document", "device", "address",
        )  # fmt: skip
        node = batch.node(key, kind, caption, identifying)
        if node is None:
            continue
        node_of[entity.id] = node
        for prop, value_kind, link_kind in interchange.PROPERTY_NODES:
            for value in entity.get(prop, quiet=True):
                batch.edge(node, batch.value(value_kind, value), link_kind, prov)
    for link in links:
        source = link.first(link.schema.source_prop.name) if link.schema.source_prop else None
        target = link.first(link.schema.target_prop.name) if link.schema.target_prop else None
        role = link.first("role", quiet=True) or link.schema.name.lower()
        date = link.first("date", quiet=True) or link.first("startDate", quiet=True)
        batch.edge(
            node_of.get(source or ""),
            node_of.get(target or ""),
            str(role)[:30],
            prov,
            _parse_date(date),
        )
    return batch


def _parse_date(value: str | None) -> Any:
    import datetime as dt

    if not value or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def start_job(actor: Actor, kind: str) -> Job:
    """Start a rebuild of the whole graph or a cross-referencing run (system-wide jobs)."""
    actor.require("network.view")
    if kind not in (tasks.REBUILD, tasks.XREF):
        raise Invalid(_("Unknown job."), code="unknown_job")
    running = Job.objects.filter(kind=kind, status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
    job = running.first()
    return job or jobs.start(kind, user=actor)
