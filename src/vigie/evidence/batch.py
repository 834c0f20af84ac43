"""Batched ingest: many files, few transactions (``vigie evidence add`` with many paths).

Each file is hashed, encrypted and written to a temporary object as in :func:`services.ingest`
(single pass, streaming), by ``STAGE_THREADS`` threads (hashlib releases the GIL on buffers
over 2 KiB, and so does file I/O, so a second core is used); its type is detected from its
first bytes and, for an image or a PDF of at most ``PLAIN_IN_MEMORY`` bytes, its metadata is
extracted from the bytes just read. Every ``BATCH_SIZE`` files (or ``BATCH_BYTES`` bytes)
the batch is committed as one unit:

1. a thread makes the temporary objects durable and moves them into place
   (``store.put_many``: one ``syncfs`` before and one after the renames on Linux, fsyncs
   elsewhere) while
2. one database transaction inserts the blobs, metadata records, items and links with one
   ``executemany`` per table on Django's connection, and appends all their custody entries
   (``log.append_rows``: one lock of the log state, one pass over the tree's right edge,
   one ``executemany``), and commits only once step 1 is over;
3. after the commit, one signed tree head covers the whole batch.

No file of a batch is opened before the batch before it is committed (the stage threads
work inside one batch), so a crash leaves the committed batches whole, the current batch's
temporary or unreferenced objects (``verify`` names the latter and the next ingest of the
same bytes reuses them; a later batched ingest removes the former once a day old), and no
item, no link, no log entry of it. See
docs/adr/0611-batched-custody-entries.md and docs/adr/0612-small-file-ingest.md. The SQL of
step 2 and the batch's change-log entry are in vigie.evidence.batch_sql.

Limits: at most ``BATCH_SIZE`` temporary objects per batch (each file is closed once
written); memory per batch is a few hundred bytes per file plus its first 64 KiB (type
detection) — about 32 MiB for 500 files — plus, while one file is staged, up to
``PLAIN_IN_MEMORY`` bytes of an image or PDF for its metadata.
"""

from __future__ import annotations

import threading
import time
import uuid as uuidlib
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO

from django.db import connection, transaction
from django.utils import timezone

from vigie.core import events as change_events
from vigie.core.actor import Actor
from vigie.core.models import Organisation
from vigie.evidence import log, metadata, services
from vigie.evidence.batch_sql import _record_change, _Sql, _uuid_db
from vigie.evidence.models import Blob, Item, ItemLink, TechnicalMetadata, first_custody
from vigie.evidence.store import ObjectStore, Staged, Stored, StoreError, default_store

BATCH_SIZE = 500
BATCH_BYTES = 256 * 1024 * 1024
STAGE_THREADS = 2  # files staged at once (the machine's cores; more only adds switching)
PLAIN_IN_MEMORY = 8 * 1024 * 1024  # images/PDFs up to this size: metadata from memory


# Seconds spent per stage since the process started (read by bench/evidence_ingest.py to say
# where the time per file goes). Stages run in the stage threads add up their threads' time.
TIMINGS: dict[str, float] = defaultdict(float)
_TIMINGS_LOCK = threading.Lock()


@contextmanager
def _timed(stage: str) -> Iterator[None]:
    t0 = time.perf_counter()
    try:
        yield
    finally:
        spent = time.perf_counter() - t0
        with _TIMINGS_LOCK:
            TIMINGS[stage] += spent


Opener = Callable[[], AbstractContextManager[BinaryIO]]


def file_opener(path: Path) -> Opener:
    def opener() -> AbstractContextManager[BinaryIO]:
        return path.open("rb")

    return opener


@dataclass
class Outcome:
    """What became of one file: an item (``uuid``, ``sha256``; ``duplicate_of_uuid`` when
    the same bytes were already held), or ``error``. ``item`` and ``duplicate_of`` load the
    records on first use."""

    name: str
    item_id: int | None = None
    uuid: str = ""
    sha256: str = ""
    duplicate_of_uuid: str = ""
    warning: str = ""
    error: str = ""

    @cached_property
    def item(self) -> Item | None:
        if self.item_id is None:
            return None
        return Item.objects.select_related("blob").get(pk=self.item_id)

    @cached_property
    def duplicate_of(self) -> Item | None:
        if not self.duplicate_of_uuid:
            return None
        return Item.objects.select_related("blob").get(uuid=self.duplicate_of_uuid)


@dataclass(frozen=True)
class _Run:
    """What every batch of one ``ingest_many`` call shares."""

    actor: Actor
    organisation: Organisation
    collection: services.Collection
    case: Any
    links: list[ItemLink]
    store: ObjectStore


@dataclass
class _Prepared:
    name: str
    staged: Staged
    ftype: metadata.FileType
    warning: str
    extracted: metadata.Extracted | None  # None: not extracted yet (large, or no bytes kept)


def _extractable(ftype: metadata.FileType) -> bool:
    return ftype.mime_type.startswith("image/") or ftype.mime_type == "application/pdf"


def _prepare(
    store: ObjectStore, key: tuple[str, bytes], name: str, opener: Opener
) -> _Prepared | Outcome:
    """Stage one file (hash, encrypt, write), detect its type, extract its metadata."""
    clean = services.safe_name(name)
    try:
        with _timed("read_hash_encrypt_write"), opener() as source:
            staged = store.stage(source, sync=False, key=key, keep_plain=PLAIN_IN_MEMORY)
    except OSError as exc:
        return Outcome(clean, error=f"cannot read: {exc.strerror or exc}")
    except StoreError as exc:
        return Outcome(clean, error=str(exc))
    with _timed("detect_type"):
        ftype = metadata.detect(staged.stored.head, clean)
        warning = metadata.mismatch(clean, ftype)
    extracted = None
    if staged.plain is not None:
        if _extractable(ftype):
            with _timed("extract_metadata"):
                extracted = metadata.extract(None, staged.plain, ftype)
        staged = replace(staged, plain=None)
    return _Prepared(clean, staged, ftype, warning, extracted)


def ingest_many(
    actor: Actor,
    organisation: Organisation,
    files: Iterable[tuple[str, Opener]],
    *,
    collection: services.Collection,
    batch_size: int = BATCH_SIZE,
    store: ObjectStore | None = None,
    on_batch: Callable[[list[Outcome]], None] | None = None,
) -> Iterator[Outcome]:
    """Ingest ``files`` (name, opener) in batches; yields one outcome per file, in order.

    A file that cannot be read or stored is reported (``error``) and skipped; the others go
    on.
    """
    actor.require("evidence.add", organisation.pk)
    services._check_collection(collection)
    case = services.resolve_case(actor, organisation, collection)
    links = services.resolve_links(case, collection)
    store = store or default_store()
    store.sweep_temporary()  # what killed runs left (old enough not to be another run's)
    run = _Run(actor, organisation, collection, case, links, store)
    key = store._active_key()  # one keyring read for the whole run
    pool = ThreadPoolExecutor(STAGE_THREADS, thread_name_prefix="vigie-stage")
    window: deque[Future[_Prepared | Outcome]] = deque()
    todo = iter(files)
    exhausted = False
    batch: list[_Prepared] = []
    pending: list[Outcome] = []  # outcomes waiting for their batch (errors keep their place)
    batch_bytes = 0
    in_batch = 0  # files of the current batch handed to the stage threads
    try:
        while True:
            while not exhausted and len(window) < 2 * STAGE_THREADS and in_batch < batch_size:
                nxt = next(todo, None)
                if nxt is None:
                    exhausted = True
                    break
                window.append(pool.submit(_prepare, store, key, *nxt))
                in_batch += 1
            if not window:
                break
            got = window.popleft().result()
            if isinstance(got, Outcome):
                pending.append(got)
            else:
                batch.append(got)
                pending.append(Outcome(got.name))
                batch_bytes += got.staged.stored.size
            if len(pending) >= batch_size or batch_bytes >= BATCH_BYTES:
                yield from _flush(run, batch, pending, on_batch)
                batch, pending, batch_bytes, in_batch = [], [], 0, len(window)
        yield from _flush(run, batch, pending, on_batch)
    finally:
        # Interrupted (an error, or the caller stopped reading): what was staged and not
        # committed is not kept (files already moved into place have no temporary name).
        for p in batch:
            p.staged.tmp.unlink(missing_ok=True)
        for job in window:
            try:
                got = job.result()
            except BaseException:  # noqa: S112 (its own temporary file is already removed)
                continue
            if isinstance(got, _Prepared):
                got.staged.tmp.unlink(missing_ok=True)
        pool.shutdown()


def _flush(
    run: _Run,
    batch: list[_Prepared],
    pending: list[Outcome],
    on_batch: Callable[[list[Outcome]], None] | None,
) -> Iterator[Outcome]:
    if batch:
        # The objects are made durable and put in place by a thread while this one writes
        # the rows; the transaction waits for them before it commits (_write).
        mover = ThreadPoolExecutor(1, thread_name_prefix="vigie-durable")
        placed = mover.submit(_put_many, run.store, [p.staged for p in batch])
        try:
            with _timed("database"):
                _write(run, batch, placed, [o for o in pending if not o.error])
        except StoreError as exc:
            for out in pending:
                out.error = out.error or str(exc)
        else:
            with _timed("sign_tree_head"):
                log.sign_tree_head()
        finally:
            placed.exception()  # never leave the mover running (waits; its error is above)
            mover.shutdown()
    if on_batch is not None and pending:
        on_batch(pending)
    yield from pending


def _put_many(store: ObjectStore, staged: list[Staged]) -> list[Stored]:
    with _timed("sync_rename"):
        return store.put_many(staged)


def _extract(store: ObjectStore, sha256: str, size: int, ftype: metadata.FileType) -> Any:
    """Metadata of a file whose bytes were not kept in memory (read back from the store)."""
    if size <= metadata.MAX_EXTRACT_BYTES and _extractable(ftype):
        return metadata.extract(None, b"".join(store.open(sha256)), ftype)
    return metadata.Extracted("none", {"note": "no extractor for this type or too large"})


_NO_EXTRACTOR = metadata.Extracted("none", {"note": "no extractor for this type or too large"})


def _write(
    run: _Run,
    batch: list[_Prepared],
    placed: Future[list[Stored]],
    outcomes: list[Outcome],
) -> None:
    """One transaction for the whole batch: blobs, metadata, items, links, custody entries.

    ``placed`` is the objects being made durable and put in place: the transaction commits
    only once that is done (its StoreError rolls the transaction back).

    Rows are written with one ``executemany`` per table (no model instances; values adapted
    as the fields do: the collection record's identifying fields are encrypted with the
    field key once per batch, since they are the same for every item of it)."""
    organisation, collection, case = run.organisation, run.collection, run.case
    links, store = run.links, run.store
    by = services.who(run.actor)
    user, actor_name = by["user"], by["actor_name"]
    ops = connection.ops
    native_uuid = connection.features.has_native_uuid_field
    now = timezone.now()
    now_db = ops.adapt_datetimefield_value(now)
    case_ref = collection.case_ref.strip()
    fields = {f.name: f for f in Item._meta.concrete_fields}
    record = {  # the collection record (Item.record()) without the name
        "case": case_ref,
        "description": collection.description or "",
        "collected_at": collection.collected_at.isoformat() if collection.collected_at else "",
        "collected_by": collection.collected_by or "",
        "place": collection.place or "",
        "consent": collection.consent or "",
    }
    secret = {
        name: fields[name].get_prep_value(getattr(collection, name) or None)
        for name in services.IDENTIFYING_FIELDS
    }
    collected_at_db = ops.adapt_datetimefield_value(collection.collected_at)
    user_id = getattr(user, "pk", None)
    stored = [p.staged.stored for p in batch]
    shas = list(dict.fromkeys(s.sha256 for s in stored))
    with transaction.atomic(), connection.cursor() as cursor:
        sql = _Sql(cursor)
        known = {sha for (sha,) in sql.lookup(Blob, "sha256", "sha256", shas)}
        new_blobs: dict[str, tuple[Any, ...]] = {}
        metas: dict[str, metadata.Extracted] = {}
        for p, s in zip(batch, stored, strict=True):
            if s.sha256 in known or s.sha256 in new_blobs:
                continue
            ftype = p.ftype
            new_blobs[s.sha256] = (s.sha256, s.sha512, s.size, s.key_id, ftype.mime_type[:120],
                                   ftype.name[:200], ftype.extension[:20], now_db)  # fmt: skip
            if p.extracted is not None:
                metas[s.sha256] = p.extracted
            elif s.size > PLAIN_IN_MEMORY and _extractable(ftype):
                placed.result()  # read back from its place
                with _timed("extract_metadata"):
                    metas[s.sha256] = _extract(store, s.sha256, s.size, ftype)
            else:
                metas[s.sha256] = _NO_EXTRACTOR
        # A concurrent ingest of the same bytes may have made a blob first: its row stays.
        sql.insert(
            Blob,
            ["sha256", "sha512", "size", "key_id", "mime_type", "type_name", "extension",
             "stored_at"],
            list(new_blobs.values()),
            ignore_conflicts=True,
        )  # fmt: skip
        blob_ids: dict[str, int] = {}
        blob_types: dict[str, str] = {}  # as recorded (the first ingest of these bytes named it)
        for sha, bid, mime in sql.lookup(Blob, "sha256, id, mime_type", "sha256", shas):
            blob_ids[sha], blob_types[sha] = bid, mime
        has_meta = {
            bid
            for (bid,) in sql.lookup(
                TechnicalMetadata, "blob_id", "blob_id", list(blob_ids.values())
            )
        }
        sealed = TechnicalMetadata._meta.get_field("data").get_prep_value  # encrypted
        sql.insert(
            TechnicalMetadata,
            ["blob", "extractor", "data", "problems"],
            [
                (blob_ids[sha], ex.extractor, sealed(ex.data), "\n".join(ex.problems))
                for sha, ex in metas.items()
                if blob_ids[sha] not in has_meta
            ],
            ignore_conflicts=True,  # a concurrent ingest of the same bytes made it first
        )  # fmt: skip
        # The first item of each blob in the organisation (lowest id, not itself a duplicate)
        # is the original; another organisation's item is never named (issue 15).
        firsts: dict[int, str] = {
            bid: str(uuidlib.UUID(str(u)))
            for bid, u in sql.lookup(
                Item,
                "blob_id, uuid",
                "blob_id",
                list(blob_ids.values()),
                f"AND organisation_id = {int(organisation.pk)} "
                "AND duplicate_of_id IS NULL ORDER BY id DESC",
            )
        }
        item_rows: list[tuple[Any, ...]] = []
        later_rows: list[tuple[Any, ...]] = []  # duplicates of an item of this batch
        made: list[tuple[Outcome, str, int, str]] = []  # outcome, uuid, blob id, duplicate of
        for out, p, s in zip(outcomes, batch, stored, strict=True):
            bid = blob_ids[s.sha256]
            first = firsts.get(bid, "")
            new = uuidlib.uuid4()
            name = fields["original_name"].get_prep_value(p.name)  # encrypted (identity)
            row = [new if native_uuid else new.hex, organisation.pk, case_ref, bid, name,
                   secret["description"], collected_at_db, secret["collected_by"],
                   secret["place"], secret["consent"], None, "", first or None, False, None,
                   None, user_id, now_db]  # fmt: skip
            made.append((out, str(new), bid, first))
            if first:
                later_rows.append(tuple(row))
            else:
                firsts[bid] = str(new)
                item_rows.append(tuple(row))
        item_fields = ["uuid", "organisation", "case_ref", "blob", "original_name", "description",
                       "collected_at", "collected_by", "place", "consent", "source",
                       "derivation", "duplicate_of", "sealed", "sealed_at", "sealed_by",
                       "added_by", "added_at"]  # fmt: skip
        sql.insert(Item, item_fields, item_rows)
        # Duplicates point to their original by id: known now that it is inserted.
        first_uuids = list({r[12] for r in later_rows})
        first_ids = {
            str(uuidlib.UUID(str(u))): i
            for u, i in sql.lookup(
                Item, "uuid, id", "uuid", [_uuid_db(u, native_uuid) for u in first_uuids]
            )
        }
        sql.insert(
            Item,
            item_fields,
            [(*r[:12], first_ids[r[12]], *r[13:]) for r in later_rows],
        )
        ids = {
            str(uuidlib.UUID(str(u))): i
            for u, i in sql.lookup(
                Item, "uuid, id", "uuid", [_uuid_db(m[1], native_uuid) for m in made]
            )
        }
        all_links = [ItemLink(kind="case", reference=case_ref, case=case), *links]
        sql.insert(
            ItemLink,
            ["item", "kind", "reference", "case", "perpetrator", "incident"],
            [
                (ids[u], link.kind, link.reference, link.case_id, link.perpetrator_id,
                 link.incident_id)
                for _out, u, _bid, _first in made
                for link in all_links
            ],
        )  # fmt: skip
        events: list[log.Row] = []
        for (out, u, _bid, first), p, s in zip(made, batch, stored, strict=True):
            collected, received = first_custody(
                {**record, "name": p.name},
                sha512=s.sha512,
                size=s.size,
                mime_type=blob_types[s.sha256],
                duplicate_of=first,
                source="",
            )
            events.append(log.Row(ids[u], u, s.sha256, "collected", collected))
            events.append(log.Row(ids[u], u, s.sha256, "received", received))
            out.item_id, out.uuid, out.sha256 = ids[u], u, s.sha256
            out.duplicate_of_uuid, out.warning = first, p.warning
        last_seq = log.append_rows(
            events, organisation_code=organisation.code, user=user, actor_name=actor_name, at=now
        )
        _record_change(user, actor_name, organisation, case_ref, made, ids, last_seq)
        change_events.announce(
            services.KIND,
            sorted(ids.values()),
            run.actor,
            action="created",
            organisation_id=organisation.pk,
        )
        with _timed("wait_durable"):
            placed.result()  # objects durable and in place before the rows commit
