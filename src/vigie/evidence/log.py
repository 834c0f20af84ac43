"""The custody log: append entries (Merkle leaves), sign tree heads, produce proofs.

Appending locks the single ``LogState`` row, so entries get consecutive numbers and the
right edge of the tree stays exact; the caller's transaction makes the entry and the item
change it records one unit. A signed tree head (STH) binds the log size and root to the
vault's Ed25519 key; its signed bytes are :func:`sth_message`.
"""

from __future__ import annotations

import base64
import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import connection, transaction
from django.utils import timezone

from vigie.core.models import User
from vigie.evidence import keys, merkle, sth
from vigie.evidence.models import CustodyEntry, Item, LogState, SignedTreeHead, leaf_bytes


def append(
    item: Item,
    event: str,
    *,
    user: User | None = None,
    actor_name: str = "",
    detail: dict[str, Any] | None = None,
) -> CustodyEntry:
    """Append one custody event. Must run inside the transaction of what it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("custody entries are appended inside the recording transaction")
    state, _ = LogState.objects.select_for_update().get_or_create(pk=1)
    frontier = merkle.Frontier.from_json(state.frontier)
    name = actor_name or (getattr(user, "username", "") if user is not None else "") or "system"
    entry = CustodyEntry(
        seq=state.size + 1,
        at=timezone.now(),
        item=item,
        item_uuid=str(item.uuid),
        sha256=item.blob.sha256,
        event=event,
        actor=user if getattr(user, "pk", None) else None,
        actor_name=name,
        organisation_code=item.organisation.code,
        detail=detail or {},
    )
    entry.leaf_hash = entry.compute_leaf_hash()
    entry.save()
    frontier.append(bytes.fromhex(entry.leaf_hash))
    state.size = entry.seq
    state.frontier = frontier.to_json()
    state.save(update_fields=["size", "frontier"])
    return entry


def append_many(
    events: list[tuple[Item, str, dict[str, Any]]],
    *,
    user: User | None = None,
    actor_name: str = "",
) -> list[CustodyEntry]:
    """Append many custody events (item, event, detail) as one update of the log.

    One lock of the log state, one pass over the tree's right edge, one bulk insert, one
    state update: the entries get consecutive numbers exactly as if appended one by one (the
    tree and its root are the same). Must run inside the transaction of what they record.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("custody entries are appended inside the recording transaction")
    if not events:
        return []
    state, _ = LogState.objects.select_for_update().get_or_create(pk=1)
    frontier = merkle.Frontier.from_json(state.frontier)
    name = actor_name or (getattr(user, "username", "") if user is not None else "") or "system"
    actor = user if getattr(user, "pk", None) else None
    now = timezone.now()
    entries = []
    for n, (item, event, detail) in enumerate(events, start=state.size + 1):
        entry = CustodyEntry(
            seq=n,
            at=now,
            item=item,
            item_uuid=str(item.uuid),
            sha256=item.blob.sha256,
            event=event,
            actor=actor,
            actor_name=name,
            organisation_code=item.organisation.code,
            detail=detail or {},
        )
        entry.leaf_hash = entry.compute_leaf_hash()
        frontier.append(bytes.fromhex(entry.leaf_hash))
        entries.append(entry)
    CustodyEntry.objects.bulk_create(entries, batch_size=500)
    state.size = entries[-1].seq
    state.frontier = frontier.to_json()
    state.save(update_fields=["size", "frontier"])
    return entries


@dataclass(frozen=True)
class Row:
    """A custody event to append without a model instance (:func:`append_rows`)."""

    item_id: int
    item_uuid: str
    sha256: str
    event: str
    detail: dict[str, Any]


def append_rows(
    rows: list[Row],
    *,
    organisation_code: str,
    user: User | None = None,
    actor_name: str = "",
    at: dt.datetime | None = None,
) -> int:
    """Append many custody events of one organisation as one update of the log; the number
    of the last entry.

    The same entries as :func:`append_many` (same leaf bytes, so the same tree), written
    with one ``executemany`` and no model instances: one lock of the log state, one pass
    over the tree's right edge, one state update. Must run inside the transaction of what
    they record."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("custody entries are appended inside the recording transaction")
    if not rows:
        return 0
    state, _ = LogState.objects.select_for_update().get_or_create(pk=1)
    frontier = merkle.Frontier.from_json(state.frontier)
    name = actor_name or (getattr(user, "username", "") if user is not None else "") or "system"
    actor_id = getattr(user, "pk", None)
    at = at or timezone.now()
    at_text = at.isoformat(timespec="microseconds")
    ops = connection.ops
    at_db = ops.adapt_datetimefield_value(at)
    encoder = getattr(CustodyEntry._meta.get_field("detail"), "encoder", None)
    params = []
    append, leaf_hash = frontier.append, merkle.leaf_hash
    for seq, row in enumerate(rows, start=state.size + 1):
        data = leaf_bytes(
            seq=seq,
            at=at_text,
            item=row.item_uuid,
            sha256=row.sha256,
            event=row.event,
            actor=name,
            org=organisation_code,
            detail=row.detail,
        )
        digest = leaf_hash(data)
        append(digest)
        params.append(
            (seq, at_db, row.item_id, row.item_uuid, row.sha256, row.event, actor_id, name,
             organisation_code, ops.adapt_json_value(row.detail, encoder), digest.hex())
        )  # fmt: skip
    q = ops.quote_name
    cols = ", ".join(
        q(getattr(CustodyEntry._meta.get_field(f), "column", ""))
        for f in ("seq", "at", "item", "item_uuid", "sha256", "event", "actor", "actor_name",
                  "organisation_code", "detail", "leaf_hash")
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {q(CustodyEntry._meta.db_table)} ({cols}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * 11)})",
            params,
        )
    state.size = state.size + len(rows)
    state.frontier = frontier.to_json()
    state.save(update_fields=["size", "frontier"])
    return int(state.size)


def sth_message(tree_size: int, root_hash: str, timestamp_ms: int, log_id: str) -> bytes:
    return sth.message(tree_size, root_hash, timestamp_ms, log_id)


def sign_tree_head(tsa_url: str = "") -> SignedTreeHead | None:
    """Sign the current root (skipped when the newest STH already covers this size).

    With ``tsa_url`` (explicit) a timestamp is required and its failure raises; with the
    configured ``VIGIE_EVIDENCE_TSA_URL`` a failed timestamp leaves the head signed without
    one (the record it follows is already committed), and a later ``vigie evidence sign``
    adds it.
    """
    from vigie.evidence import tsa

    url, required = (tsa_url, True) if tsa_url else (tsa.configured_url(), False)
    with transaction.atomic():
        state = LogState.objects.select_for_update().filter(pk=1).first()
        if state is None or state.size == 0:
            return None
        latest = SignedTreeHead.objects.first()
        if latest is not None and latest.tree_size == state.size and not required:
            return latest
        root = merkle.Frontier.from_json(state.frontier).root().hex()
        key = keys.signing_key()
        lid = keys.log_id(key.public_key())
        ts = int(time.time() * 1000)
        msg = sth_message(state.size, root, ts, lid)
        head = SignedTreeHead(
            tree_size=state.size,
            root_hash=root,
            timestamp_ms=ts,
            log_id=lid,
            signature=key.sign(msg).hex(),
        )
        if url:
            try:
                token = tsa.request_timestamp(url, msg)
            except tsa.TsaError:
                if required:
                    raise
                token = b""
            if token:
                head.tsa_url = url
                head.tsa_token = base64.b64encode(token).decode("ascii")
        head.save()
        return head


def sth_json(head: SignedTreeHead) -> dict[str, Any]:
    return {
        "tree_size": head.tree_size,
        "root_hash": head.root_hash,
        "timestamp": head.timestamp_ms,
        "log_id": head.log_id,
        "signature": head.signature,
        "tsa_url": head.tsa_url,
        "tsa_token": head.tsa_token,
    }


def check_sth_signature(data: dict[str, Any], public_key: Ed25519PublicKey) -> bool:
    return sth.check_signature(data, public_key)


def load_tree(up_to: int | None = None) -> merkle.Tree:
    """The tree of the stored leaf hashes, in sequence order (as stored, not recomputed)."""
    qs = CustodyEntry.objects.order_by("seq").values_list("leaf_hash", flat=True)
    if up_to is not None:
        qs = qs.filter(seq__lte=up_to)
    return merkle.Tree([bytes.fromhex(h) for h in qs.iterator(chunk_size=5000)])


def inclusion(tree: merkle.Tree, entry_seq: int, tree_size: int) -> list[str]:
    return [h.hex() for h in tree.inclusion_proof(entry_seq - 1, tree_size)]


def consistency(tree: merkle.Tree, first: int, second: int) -> list[str]:
    return [h.hex() for h in tree.consistency_proof(first, second)]
