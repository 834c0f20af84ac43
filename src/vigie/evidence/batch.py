"""Batched ingest: many files, few transactions (``vigie evidence add`` with many paths).

Each file is hashed, encrypted and written to a temporary object as in :func:`services.ingest`
(single pass, streaming). Every ``BATCH_SIZE`` files (or ``BATCH_BYTES`` bytes) the batch is
committed as one unit:

1. the temporary objects are fsynced together and renamed into place (``store.put_many``);
2. one database transaction creates the blobs, metadata records, items and links with
   ``bulk_create`` and appends all their custody entries at once (``log.append_many``: one
   lock of the log state, one update of the tree's right edge, one bulk insert);
3. after the commit, one signed tree head covers the whole batch.

A crash before step 2 commits leaves objects that nothing references (``verify`` names them;
the next ingest of the same bytes reuses them) and no item, no link, no log entry; the
batches committed before stay whole. See docs/adr/0611-batched-custody-entries.md.

Limits: a batch holds at most ``BATCH_SIZE`` temporary objects (and their file descriptors
are closed as soon as each is written); memory per batch is a few hundred bytes per file plus
the first 64 KiB of each (for type detection), i.e. about 32 MiB for 500 files.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.db import transaction

from vigie.core import access
from vigie.core.models import Organisation
from vigie.evidence import log, metadata, services
from vigie.evidence.models import Blob, Item, ItemLink, TechnicalMetadata
from vigie.evidence.store import ObjectStore, Staged, StoreError, default_store

BATCH_SIZE = 500
BATCH_BYTES = 256 * 1024 * 1024

# Seconds spent per stage since the process started (read by bench/evidence_ingest.py to say
# where the time per file goes).
TIMINGS: dict[str, float] = defaultdict(float)


@contextmanager
def _timed(stage: str) -> Iterator[None]:
    t0 = time.perf_counter()
    try:
        yield
    finally:
        TIMINGS[stage] += time.perf_counter() - t0


Opener = Callable[[], AbstractContextManager[BinaryIO]]


def file_opener(path: Path) -> Opener:
    def opener() -> AbstractContextManager[BinaryIO]:
        return path.open("rb")

    return opener


@dataclass
class Outcome:
    """What became of one file: ``item`` (and ``duplicate_of``), or ``error``."""

    name: str
    item: Item | None = None
    duplicate_of: Item | None = None
    warning: str = ""
    error: str = ""


@dataclass
class _Prepared:
    name: str
    staged: Staged
    ftype: metadata.FileType
    warning: str


def ingest_many(
    user: Any,
    organisation: Organisation,
    files: Iterable[tuple[str, Opener]],
    *,
    collection: services.Collection,
    actor_name: str = "",
    batch_size: int = BATCH_SIZE,
    store: ObjectStore | None = None,
    on_batch: Callable[[list[Outcome]], None] | None = None,
) -> Iterator[Outcome]:
    """Ingest ``files`` (name, opener) in batches; yields one outcome per file, in order.

    A file that cannot be read or stored is reported (``error``) and skipped; the others go
    on. ``user`` None means a trusted operator at the command line (``actor_name`` says who).
    """
    if user is not None and not access.has_perm(user, "evidence.add", organisation.pk):
        raise PermissionDenied
    services._check_collection(collection)
    case = services.resolve_case(user, organisation, collection)
    links = services.resolve_links(case, collection)
    store = store or default_store()
    batch: list[_Prepared] = []
    pending: list[Outcome] = []  # outcomes waiting for their batch (errors keep their place)
    batch_bytes = 0
    for name, opener in files:
        clean = services.safe_name(name)
        try:
            with _timed("read_hash_encrypt_write"), opener() as source:
                staged = store.stage(source, sync=False)
        except OSError as exc:
            pending.append(Outcome(clean, error=f"cannot read: {exc.strerror or exc}"))
            continue
        except StoreError as exc:
            pending.append(Outcome(clean, error=str(exc)))
            continue
        with _timed("detect_type"):
            ftype = metadata.detect(staged.stored.head, clean)
            warning = metadata.mismatch(clean, ftype)
        batch.append(_Prepared(clean, staged, ftype, warning))
        pending.append(Outcome(clean))
        batch_bytes += staged.stored.size
        if len(batch) >= batch_size or batch_bytes >= BATCH_BYTES:
            yield from _flush(user, organisation, collection, case, links, actor_name, store,
                              batch, pending, on_batch)  # fmt: skip
            batch, pending, batch_bytes = [], [], 0
    yield from _flush(
        user, organisation, collection, case, links, actor_name, store, batch, pending, on_batch
    )


def _flush(
    user: Any,
    organisation: Organisation,
    collection: services.Collection,
    case: Any,
    links: list[ItemLink],
    actor_name: str,
    store: ObjectStore,
    batch: list[_Prepared],
    pending: list[Outcome],
    on_batch: Callable[[list[Outcome]], None] | None,
) -> Iterator[Outcome]:
    if batch:
        try:
            with _timed("fsync_rename"):
                stored = store.put_many([p.staged for p in batch])
        except StoreError as exc:
            for out in pending:
                out.error = out.error or str(exc)
        else:
            with _timed("database"):
                _write(user, organisation, collection, case, links, actor_name, store, batch,
                       stored, [o for o in pending if not o.error])  # fmt: skip
            with _timed("sign_tree_head"):
                log.sign_tree_head()
    if on_batch is not None and pending:
        on_batch(pending)
    yield from pending


def _extract(store: ObjectStore, sha256: str, size: int, ftype: metadata.FileType) -> Any:
    if size <= metadata.MAX_EXTRACT_BYTES and (
        ftype.mime_type.startswith("image/") or ftype.mime_type == "application/pdf"
    ):
        return metadata.extract(None, b"".join(store.open(sha256)), ftype)
    return metadata.Extracted("none", {"note": "no extractor for this type or too large"})


def _write(
    user: Any,
    organisation: Organisation,
    collection: services.Collection,
    case: Any,
    links: list[ItemLink],
    actor_name: str,
    store: ObjectStore,
    batch: list[_Prepared],
    stored: list[Any],
    outcomes: list[Outcome],
) -> None:
    """One transaction for the whole batch: blobs, metadata, items, links, custody entries."""
    shas = list(dict.fromkeys(s.sha256 for s in stored))
    known = set(Blob.objects.filter(sha256__in=shas).values_list("sha256", flat=True))
    extracted = {}
    with _timed("extract_metadata"):
        for p, s in zip(batch, stored, strict=True):
            if s.sha256 not in known and s.sha256 not in extracted:
                extracted[s.sha256] = _extract(store, s.sha256, s.size, p.ftype)
    case_ref = collection.case_ref.strip()
    with transaction.atomic():
        new_blobs = {}
        for p, s in zip(batch, stored, strict=True):
            if s.sha256 not in known and s.sha256 not in new_blobs:
                new_blobs[s.sha256] = Blob(
                    sha256=s.sha256,
                    sha512=s.sha512,
                    size=s.size,
                    key_id=s.key_id,
                    mime_type=p.ftype.mime_type[:120],
                    type_name=p.ftype.name[:200],
                    extension=p.ftype.extension[:20],
                )
        Blob.objects.bulk_create(new_blobs.values(), ignore_conflicts=True)
        blobs = {b.sha256: b for b in Blob.objects.filter(sha256__in=shas)}
        has_meta = set(
            TechnicalMetadata.objects.filter(blob__sha256__in=shas).values_list(
                "blob__sha256", flat=True
            )
        )
        TechnicalMetadata.objects.bulk_create(
            [
                TechnicalMetadata(
                    blob=blobs[sha],
                    extractor=ex.extractor,
                    data=ex.data,
                    problems="\n".join(ex.problems),
                )
                for sha, ex in extracted.items()
                if sha not in has_meta
            ],
            ignore_conflicts=True,  # a concurrent ingest of the same bytes made it first
        )
        firsts: dict[int, Item] = {}
        for it in (
            Item.objects.filter(blob__in=blobs.values(), duplicate_of__isnull=True)
            .select_related("blob")
            .order_by("-id")
        ):
            firsts[it.blob_id] = it  # the lowest id wins (ordered descending)
        ordered: list[Item] = []
        items: list[Item] = []
        later: list[Item] = []  # duplicates of an item of this same batch: created second
        for p, s in zip(batch, stored, strict=True):
            blob = blobs[s.sha256]
            first = firsts.get(blob.pk)
            item = Item(
                organisation=organisation,
                case_ref=case_ref,
                blob=blob,
                original_name=p.name,
                description=collection.description or None,
                collected_at=collection.collected_at,
                collected_by=collection.collected_by or None,
                place=collection.place or None,
                consent=collection.consent or None,
                duplicate_of=first,
                added_by=user,
            )
            ordered.append(item)
            if first is None:
                firsts[blob.pk] = item
                items.append(item)
            elif first.pk is None:
                later.append(item)
            else:
                items.append(item)
        Item.objects.bulk_create(items)
        _ensure_pks(items)
        Item.objects.bulk_create(later)  # their duplicate_of now has its id
        _ensure_pks(later)
        ItemLink.objects.bulk_create(
            [
                ItemLink(
                    item=item,
                    kind=link.kind,
                    reference=link.reference,
                    case=link.case,
                    perpetrator=link.perpetrator,
                    incident=link.incident,
                )
                for item in ordered
                for link in [
                    ItemLink(kind="case", reference=case_ref, case=case),
                    *links,
                ]
            ]
        )
        who = {"user": user, "actor_name": actor_name}
        events: list[tuple[Item, str, dict[str, Any]]] = []
        for item in ordered:
            events.append(
                (
                    item,
                    "collected",
                    {
                        "collected_at": item.collected_at.isoformat() if item.collected_at else "",
                        "record_sha256": services._record_digest(item),
                    },
                )
            )
            events.append(
                (
                    item,
                    "received",
                    {
                        "sha512": item.blob.sha512,
                        "size": item.blob.size,
                        "name": item.original_name,
                        "type": item.blob.mime_type,
                        "duplicate_of": str(item.duplicate_of.uuid) if item.duplicate_of else "",
                        "source": "",
                    },
                )
            )
        log.append_many(events, **who)
    for out, item, p in zip(outcomes, ordered, batch, strict=True):
        out.item, out.duplicate_of, out.warning = item, item.duplicate_of, p.warning


def _ensure_pks(items: list[Item]) -> None:
    """bulk_create fills ids on PostgreSQL and SQLite >= 3.35; otherwise read them back."""
    missing = [i for i in items if i.pk is None]
    if missing:
        ids = dict(
            Item.objects.filter(uuid__in=[i.uuid for i in missing]).values_list("uuid", "id")
        )
        for i in missing:
            i.pk = ids[i.uuid]
