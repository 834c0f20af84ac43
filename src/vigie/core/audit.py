"""The append-only, hash-chained access log for reads and exports of identifying data."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from vigie.core import context
from vigie.core.models import AccessLogEntry, AccessLogHead

GENESIS = "0" * 64


def record_access(
    user: Any,
    action: str,
    object_type: str,
    object_id: str | int = "",
    fields: Iterable[str] = (),
    organisation_code: str = "",
    detail: dict[str, Any] | None = None,
) -> AccessLogEntry:
    """Append one entry. Call it in the same transaction as the read or export it records."""
    ctx = context.current()
    with transaction.atomic():
        head, _ = AccessLogHead.objects.select_for_update().get_or_create(pk=1)
        entry = AccessLogEntry(
            seq=head.last_seq + 1,
            at=timezone.now(),
            actor=user if getattr(user, "pk", None) else None,
            actor_username=getattr(user, "username", "") or "system",
            organisation_code=organisation_code,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            fields=sorted(fields),
            detail=detail or {},
            request_id=(ctx.request_id if ctx else ""),
            ip=(ctx.ip if ctx else None),
            prev_hash=head.last_hash,
        )
        entry.entry_hash = entry.compute_hash()
        entry.save()
        head.last_seq = entry.seq
        head.last_hash = entry.entry_hash
        head.save(update_fields=["last_seq", "last_hash"])
    return entry


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # edited, missing, reordered, truncated
    message: str


def _entries(batch: int = 2000) -> Iterator[AccessLogEntry]:
    last = 0
    while True:
        rows = list(AccessLogEntry.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify_chain() -> tuple[int, list[ChainProblem]]:
    """Walk the whole log; report every edited, missing or reordered entry and a cut tail."""
    problems: list[ChainProblem] = []
    expected_seq, prev_hash, count = 1, GENESIS, 0
    for entry in _entries():
        count += 1
        if entry.seq != expected_seq:
            problems.append(
                ChainProblem(
                    expected_seq,
                    "missing",
                    f"entries {expected_seq}..{entry.seq - 1} are missing (deleted)",
                )
            )
        if entry.prev_hash != prev_hash:
            problems.append(
                ChainProblem(
                    entry.seq,
                    "reordered",
                    f"entry {entry.seq} does not follow the entry before it (prev_hash differs)",
                )
            )
        if entry.compute_hash() != entry.entry_hash:
            problems.append(
                ChainProblem(
                    entry.seq, "edited", f"entry {entry.seq} was changed after it was written"
                )
            )
        expected_seq, prev_hash = entry.seq + 1, entry.entry_hash
    head = AccessLogHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != prev_hash):
        problems.append(
            ChainProblem(
                expected_seq,
                "truncated",
                f"the log ends at entry {expected_seq - 1} but its head records entry "
                f"{head.last_seq}: the newest entries were removed",
            )
        )
    return count, problems
