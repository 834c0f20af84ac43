"""Checks of the vault: every stored object re-hashed, the custody log recomputed, every
signed tree head's signature and root checked. Each problem names what and where."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from vigie.core import signing
from vigie.evidence import checkpoint, keys, log, merkle, tsa
from vigie.evidence import sth as sth_mod
from vigie.evidence.models import Blob, CustodyEntry, Item, LogState, SignedTreeHead
from vigie.evidence.store import STALE_TMP_SECONDS, ObjectStore, default_store


@dataclass(frozen=True)
class Problem:
    kind: str  # object, edited, missing, reordered, truncated, signature, root
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}: {self.message}"


@dataclass
class Report:
    objects: int = 0
    entries: int = 0
    tree_heads: int = 0
    witnessed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_objects(
    items: Iterable[Item],
    store: ObjectStore | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, list[Problem]]:
    from vigie.evidence.models import record_digest

    store = store or default_store()
    seen: dict[int, str | None] = {}
    problems: list[Problem] = []
    collected = CustodyEntry.objects.filter(event="collected")
    if isinstance(items, list):  # a few items: only theirs
        collected = collected.filter(item__in=items)
    digests = {  # item id -> (entry, digest of the collection record when collected)
        i: (seq, str(d.get("record_sha256", "")))
        for i, seq, d in collected.values_list("item_id", "seq", "detail")
    }
    for n, item in enumerate(items, 1):
        blob: Blob = item.blob
        if blob.pk not in seen:
            seen[blob.pk] = store.check(blob.sha256, blob.sha512, blob.size)
        if seen[blob.pk]:
            problems.append(Problem("object", f"item {item.uuid}", str(seen[blob.pk])))
        seq, digest = digests.get(item.pk, (0, ""))
        if digest and digest != record_digest(item.record()):
            problems.append(
                Problem(
                    "record",
                    f"item {item.uuid}",
                    "the collection record (case, name, description, date, collector, place "
                    f"or consent) was changed after collection: it no longer matches the "
                    f"digest bound into custody entry {seq}",
                )
            )
        if progress:
            progress(n)
    return len(seen), problems


def verify_log() -> tuple[int, int, list[Problem], merkle.Tree]:
    """Recompute every leaf; check sequence, order, the head, and every STH. Also returns
    the tree of the recomputed leaves (for the check against a witness)."""
    problems: list[Problem] = []
    recomputed: list[bytes] = []
    expected, prev_at, count = 1, None, 0
    rows = CustodyEntry.objects.order_by("seq").iterator(chunk_size=5000)
    for e in rows:
        count += 1
        if e.seq != expected:
            problems.append(
                Problem(
                    "missing",
                    f"entry {expected}",
                    f"entries {expected}..{e.seq - 1} are missing (deleted from the log)",
                )
            )
            recomputed.extend([b""] * (e.seq - expected))
        actual = e.compute_leaf_hash()
        if actual != e.leaf_hash:
            problems.append(
                Problem(
                    "edited",
                    f"entry {e.seq}",
                    f"its content ({e.event} of item {e.item_uuid}) no longer matches its "
                    "leaf hash: changed or moved after it was written",
                )
            )
        if prev_at is not None and e.at < prev_at:
            problems.append(
                Problem(
                    "reordered",
                    f"entry {e.seq}",
                    f"dated {e.at.isoformat()}, before entry {e.seq - 1}: entries were reordered",
                )
            )
        recomputed.append(bytes.fromhex(actual))
        prev_at, expected = e.at, e.seq + 1
    size = expected - 1
    state = LogState.objects.filter(pk=1).first()
    if state is not None and state.size != size:
        problems.append(
            Problem(
                "truncated",
                f"entry {size + 1}",
                f"the log head records {state.size} entries but the log ends at {size}: "
                "the newest entries were removed",
            )
        )
    tree = merkle.Tree(recomputed)
    public = keys.public_key()
    lid = keys.log_id(public)
    sths = list(SignedTreeHead.objects.order_by("tree_size", "id"))
    good_upto = 0
    for sth in sths:
        where = f"tree head {sth.pk} (size {sth.tree_size})"
        if sth.log_id != lid:  # another key: one this installation retired, or forged
            retired = signing.retired_keys().get(sth.log_id)
            if retired is None or not log.check_sth_signature(log.sth_json(sth), retired.public()):
                problems.append(
                    Problem("signature", where, "signature does not verify: forged or altered")
                )
                continue
            late = signing.check_key(sth.log_id, "custody", sth.tree_size, sth.timestamp_ms)
            if late:
                problems.append(Problem("retired key", where, late))
                continue
        elif not log.check_sth_signature(log.sth_json(sth), public):
            problems.append(
                Problem("signature", where, "signature does not verify: forged or altered")
            )
            continue
        if sth.tsa_token:
            try:
                tsa.check_token(
                    base64.b64decode(sth.tsa_token),
                    sth_mod.message(sth.tree_size, sth.root_hash, sth.timestamp_ms, sth.log_id),
                )
            except (tsa.TsaError, ValueError) as exc:
                problems.append(Problem("timestamp", where, f"RFC 3161 timestamp: {exc}"))
        if sth.tree_size > tree.size:
            problems.append(
                Problem(
                    "truncated",
                    where,
                    f"signed for {sth.tree_size} entries, log has "
                    f"{tree.size}: entries were removed",
                )
            )
            continue
        if tree.root(sth.tree_size).hex() != sth.root_hash:
            problems.append(
                Problem(
                    "root",
                    where,
                    f"the log's first {sth.tree_size} entries no longer give the signed root: "
                    f"an entry between {good_upto + 1} and {sth.tree_size} was changed, "
                    "removed or reordered",
                )
            )
        else:
            good_upto = sth.tree_size
    return count, len(sths), problems, tree


def verify_witness(target: str, tree: merkle.Tree) -> tuple[str, list[Problem]]:
    """The witness's custody checkpoints on their own (signatures, key, consistency proofs
    between them), then the recomputed log against the newest: a summary and the problems."""
    from vigie.core import witness

    last, messages = witness.check_lines(witness.read(target), "custody")
    problems = [Problem("witness", "witness", m.removeprefix("witness: ")) for m in messages]
    if last is None:  # nothing witnessed yet (or only lines already reported as altered)
        return "it holds no custody checkpoint to check against", problems
    problem = checkpoint.check_against(last, tree)
    if problem:
        kind, _, message = problem.partition(": ")
        problems.append(Problem(kind, "witness", message))
    return (
        f"consistent with the tree head witnessed on {last.when()} (size {last.size}, "
        "RFC 9162 consistency proof checked)"
    ), problems


def verify_all(
    item: Item | None = None,
    store: ObjectStore | None = None,
    witnesses: Sequence[str] = (),
) -> Report:
    """Objects, log and tree heads; with ``witnesses`` (paths or s3:// URLs) also the log
    against the newest checkpoint each holds (:class:`vigie.core.witness.WitnessError`
    when one cannot be read)."""
    items = [item] if item is not None else Item.objects.select_related("blob").iterator()
    report = Report()
    report.objects, problems = verify_objects(items, store)
    report.problems.extend(problems)
    report.entries, report.tree_heads, log_problems, tree = verify_log()
    for target in witnesses:
        summary, witnessed = verify_witness(target, tree)
        log_problems.extend(witnessed)
        if summary:
            report.witnessed.append(f"Witness {target}: {summary}.")
    if item is not None:
        mine = {f"entry {s}" for s in item.custody.values_list("seq", flat=True)}
        log_problems = [
            p
            for p in log_problems
            if p.where in mine
            or p.kind in ("missing", "truncated", "signature", "root", "witness", "rewritten")
        ]
    report.problems.extend(log_problems)
    return report


def unreferenced_objects(store: ObjectStore | None = None) -> list[str]:
    """Objects left by an ingest interrupted after the rename, before the commit."""
    store = store or default_store()
    known = set(Blob.objects.values_list("sha256", flat=True))
    return sorted(n for n in store.stored_names() if n not in known)


def leftover_temporary_files(store: ObjectStore | None = None) -> tuple[int, int]:
    """Temporary (encrypted) files left by interrupted ingests: how many, and how many of
    them are old enough for the hourly cleanup to remove."""
    store = store or default_store()
    tmp = store.tmp
    if not tmp.exists():
        return 0, 0
    limit = time.time() - STALE_TMP_SECONDS
    count = stale = 0
    for p in tmp.glob("ingest-*"):
        try:
            mtime = p.stat().st_mtime
        except FileNotFoundError:
            continue
        count += 1
        stale += mtime < limit
    return count, stale
