"""The append-only access log for reads and exports of identifying data.

Each entry carries HMAC-SHA256(audit key, previous hash + entry): a keyed chain, so that
someone who can write the database but has not the key cannot delete or edit an entry and
recompute the chain. The key comes from ``VIGIE_AUDIT_KEY`` or ``VIGIE_AUDIT_KEY_FILE``
(outside the data directory); a demo generates ``<data dir>/audit.key``, which
``check --deploy`` refuses. Signed checkpoints of the head exported to a witness
(:mod:`vigie.core.witness`) catch even a holder of the key. See docs/adr/0030-*.md.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.core import context
from vigie.core.actor import Actor, Viewer, person_of
from vigie.core.errors import Conflict, Unavailable
from vigie.core.models import AccessLogEntry, AccessLogHead
from vigie.core.signing import create_private_once

GENESIS = "0" * 64
ROTATION = "audit.rotate_key"  # the action of the entry that starts a new key's use


class AuditKeyProblem(Unavailable):
    """The audit key is missing or malformed; the message says where."""

    default_code = "audit_key_problem"


def audit_key_path() -> Path | None:
    """The file the audit key is read from (None when it comes from VIGIE_AUDIT_KEY)."""
    if getattr(settings, "VIGIE_AUDIT_KEY", ""):
        return None
    named = str(getattr(settings, "VIGIE_AUDIT_KEY_FILE", "") or "")
    return Path(named) if named else Path(settings.DATA_DIR) / "audit.key"


def audit_keyring() -> tuple[str, dict[str, bytes]]:
    """The active key's id and every key by id, oldest first (docs/adr/0044).

    The key file holds one key per line (64 hex characters), oldest first, the last one
    active; ``VIGIE_AUDIT_KEY`` the same, comma-separated. Older keys are kept only to verify
    the entries made with them."""
    path = audit_key_path()
    if path is None:
        return _parse_ring(str(settings.VIGIE_AUDIT_KEY).replace(",", "\n"), "VIGIE_AUDIT_KEY")
    if not path.exists():
        if getattr(settings, "VIGIE_AUDIT_KEY_FILE", ""):
            raise AuditKeyProblem(
                _("%(path)s: audit key file not found (VIGIE_AUDIT_KEY_FILE).") % {"path": path}
            )
        create_private_once(path, secrets.token_hex(32).encode("ascii"))
    stat = path.stat()
    return _read_ring(str(path), stat.st_mtime_ns, stat.st_ino)


def audit_key() -> bytes:
    """The active audit key."""
    active, ring = audit_keyring()
    return ring[active]


def key_id(key: bytes) -> str:
    """A key's public name, written in each entry it MACs (not secret: a hash of the key)."""
    return hashlib.sha256(b"vigie-audit-key-id\n" + key).hexdigest()[:16]


@cache
def _read_ring(path: str, mtime_ns: int, inode: int) -> tuple[str, dict[str, bytes]]:
    return _parse_ring(Path(path).read_text(encoding="ascii"), path)


def _parse_ring(raw: str, where: str) -> tuple[str, dict[str, bytes]]:
    lines = [ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.startswith("#")]
    if not lines:
        raise AuditKeyProblem(f"{where}: no audit key")
    ring = {}
    for line in lines:
        key = _parse_key(line, where)
        ring[key_id(key)] = key
    return key_id(_parse_key(lines[-1], where)), ring


def _parse_key(raw: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(raw.strip())
    except ValueError:
        raise AuditKeyProblem(
            _("%(where)s: the audit key must be hexadecimal.") % {"where": where}
        ) from None
    if len(key) < 32:
        raise AuditKeyProblem(
            _("%(where)s: the audit key must be 32 bytes (64 hex characters).") % {"where": where}
        )
    return key


def record_access(
    user: Viewer,
    action: str,
    object_type: str,
    object_id: str | int = "",
    fields: Iterable[str] = (),
    organisation_code: str = "",
    detail: dict[str, Any] | None = None,
) -> AccessLogEntry:
    """Append one entry. Call it in the same transaction as the read or export it records."""
    ctx = context.current()
    active, ring = audit_keyring()
    with transaction.atomic():
        head, _created = AccessLogHead.objects.select_for_update().get_or_create(pk=1)
        entry = AccessLogEntry(
            seq=head.last_seq + 1,
            at=timezone.now(),
            actor=person_of(user),
            actor_username=getattr(person_of(user), "username", "") or "system",
            organisation_code=organisation_code,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            fields=sorted(fields),
            detail=detail or {},
            request_id=(ctx.request_id if ctx else ""),
            ip=(ctx.ip if ctx else None),
            prev_hash=head.last_hash,
            key_id=active,
        )
        entry.entry_hash = entry.compute_hash(ring[active])
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
    _active, ring = audit_keyring()
    order = list(ring)  # oldest first: a rotation only ever moves forward
    current = ""  # the key in use at this point of the chain
    expected_seq, prev_hash, count = 1, GENESIS, 0
    for entry in _entries():
        count += 1
        kid = entry.key_id or order[0]
        current, why = _key_in_turn(entry, kid, current, order)
        if why:
            problems.append(ChainProblem(entry.seq, "retired key", why))
        key = ring.get(kid)
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
        if key is None:
            problems.append(
                ChainProblem(
                    entry.seq,
                    "edited",  # as a MAC that does not verify: all of them is one key problem
                    f"entry {entry.seq} names the audit key {kid}, which is not in the keyring",
                )
            )
        elif entry.compute_hash(key) != entry.entry_hash:
            problems.append(
                ChainProblem(
                    entry.seq,
                    "edited",
                    f"entry {entry.seq} was changed after it was written (or its MAC was "
                    "computed without the audit key)",
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
    edited = sum(p.kind == "edited" for p in problems)
    if count > 1 and edited == count:
        # Not one MAC verifies: the key is wrong (or everything was rewritten without it).
        problems = [p for p in problems if p.kind != "edited"]
        problems.insert(
            0,
            ChainProblem(
                1,
                "key",
                f"none of the {count} entries verifies under this audit key: it is not the "
                "key the log was written with, or every entry was rewritten without it",
            ),
        )
    return count, problems


def _key_in_turn(
    entry: AccessLogEntry, kid: str, current: str, order: list[str]
) -> tuple[str, str]:
    """The key in use after ``entry``, and why the entry may not use ``kid`` ("" if it may).

    The first entry sets the key; a new key starts only at a rotation entry naming the key
    before it, and only towards a newer key of the ring. An entry made with a retired key
    after its retirement (an insider holding an old key) is named."""
    if not current:
        return kid, ""
    if kid == current:
        return current, ""
    detail = entry.detail if isinstance(entry.detail, dict) else {}
    rotation = (
        entry.action == ROTATION and detail.get("from") == current and detail.get("to") == kid
    )
    newer = kid in order and current in order and order.index(kid) > order.index(current)
    if rotation and newer:
        return kid, ""
    if kid in order and current in order and order.index(kid) < order.index(current):
        return current, (
            f"entry {entry.seq} is made with the audit key {kid}, retired before it (the key "
            f"in use is {current}): someone holding an old key wrote it"
        )
    return current, (
        f"entry {entry.seq} changes the audit key from {current} to {kid} without a rotation"
    )


class AuditKeyRotationRefused(Conflict):
    """The audit key cannot be rotated now; the message says why."""

    default_code = "audit_key_rotation_refused"


def rotate_key() -> tuple[str, str]:
    """Add a new audit key to the key file (the older ones stay, to verify their entries),
    then record the rotation in the log under the new key; (old id, new id).

    Refused if the chain does not verify (a rotation must not vouch for a broken log) or if
    the keys come from ``VIGIE_AUDIT_KEY`` (change that variable: append the new key)."""
    path = audit_key_path()
    if path is None:
        raise AuditKeyRotationRefused(
            "the audit keys come from VIGIE_AUDIT_KEY: append a new key to it (comma-separated, "
            "newest last) and restart"
        )
    _count, problems = verify_chain()
    if problems:
        raise AuditKeyRotationRefused(
            f"the access log does not verify ({len(problems)} problem(s)): run `vigie audit "
            "verify` and resolve them before rotating the key"
        )
    old, _ring = audit_keyring()
    new_key = secrets.token_hex(32)
    text = path.read_text(encoding="ascii").rstrip("\n") + "\n" + new_key + "\n"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    new = key_id(bytes.fromhex(new_key))
    record_access(
        Actor.system("audit key rotation"),
        ROTATION,
        "audit_key",
        new,
        detail={"from": old, "to": new},
    )
    return old, new


# Witnessed checkpoints (vigie.core.witness) ------------------------------------------------


def _access_checkpoint(previous: Any) -> Any:
    from vigie.core.witness import Checkpoint, WitnessError

    head = AccessLogHead.objects.filter(pk=1).first()
    if head is None or head.last_seq == 0:
        return None
    last = AccessLogEntry.objects.filter(seq=head.last_seq).values_list("entry_hash", flat=True)
    if list(last) != [head.last_hash]:
        # Never anchor a log whose entries and head disagree: that is for verify to explain.
        raise WitnessError(
            _(
                "the access log's last entry does not match its head: run `vigie audit verify` "
                "before witnessing it."
            )
        )
    return Checkpoint(log="access", size=head.last_seq, head=head.last_hash, timestamp=0)


def _access_follows(a: Any, b: Any) -> str | None:
    from vigie.core.witness import grows

    if a.size == b.size and a.head != b.head:
        return f"names another head for entry {a.size} than the checkpoint before it"
    return grows(a, b)


def register_checkpoints() -> None:
    from vigie.core.witness import Source, register

    register(Source("access", _access_checkpoint, _access_follows))


def verify_witness(target: str) -> tuple[str, list[str]]:
    """Check the log against the newest access-log checkpoint a witness holds: the witnessed
    entry must still exist with the witnessed MAC. A summary line and the problems."""
    from vigie.core import witness

    last, problems = witness.check_lines(witness.read(target), "access")
    if last is None:  # nothing witnessed yet (or only lines already reported as altered)
        return "it holds no access-log checkpoint to check against", problems
    entry = AccessLogEntry.objects.filter(seq=last.size).first()
    if entry is None:
        top = AccessLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        problems.append(
            f"witness: truncated: the witness saw {last.size} entries on {last.when()}, the "
            f"log now ends at entry {top}: entries were removed"
        )
    elif entry.entry_hash != last.head:
        problems.append(
            f"witness: entry {last.size} no longer has the MAC witnessed on {last.when()}: "
            "the log up to it was rewritten"
        )
    return f"witnessed checkpoint of {last.when()} ({last.size} entries) reproduced", problems
