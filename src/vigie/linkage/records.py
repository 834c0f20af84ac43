"""The records to link, decrypted inside the linkage job only and turned straight into
comparison columns (vigie.linkage.features); nothing decrypted leaves this module."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vigie.core import crypto
from vigie.linkage import engine, features


@dataclass(frozen=True)
class Ref:
    """Where a linked record lives: enough to check access and list it, no identity."""

    record_id: int
    case_id: int
    organisation_id: int


def _victims(case_ids: Iterable[int] | None) -> Iterator[tuple[Ref, dict[str, Any]]]:
    from vigie.cases.models import Victim

    qs = Victim.objects.select_related("case").order_by("pk")
    if case_ids is not None:
        qs = qs.filter(case_id__in=list(case_ids))
    for v in qs.iterator(chunk_size=2000):
        case = v.case
        ref = Ref(v.pk, v.case_id, v.organisation_id)
        yield (
            ref,
            {
                "unique_id": str(v.pk),
                "given_name": v.given_name or "",
                "family_name": v.family_name or "",
                "other_names": v.other_names or "",
                "date_of_birth": v.date_of_birth,
                "age": v.age_at_identification,
                "recorded_year": case.identification_year
                or (case.identification_date.year if case.identification_date else None),
                "place": v.address or case.area or "",
                "phone": v.phone or "",
                "document": v.document_number or "",
                "sex": v.sex or "",
            },
        )


def _perpetrators(case_ids: Iterable[int] | None) -> Iterator[tuple[Ref, dict[str, Any]]]:
    from vigie.cases.models import Perpetrator

    qs = Perpetrator.objects.filter(kind="person").order_by("pk")
    if case_ids is not None:
        qs = qs.filter(case_id__in=list(case_ids))
    for p in qs.iterator(chunk_size=2000):
        parts = (p.name or "").split()
        yield (
            Ref(p.pk, p.case_id, p.organisation_id),
            {
                "unique_id": str(p.pk),
                "given_name": parts[0] if parts else "",
                "family_name": parts[-1] if len(parts) > 1 else "",
                "other_names": " ".join(parts[1:-1]),
                "place": p.nationality or "",
                "sex": p.sex or "",
            },
        )


def collect(
    kind: str, case_ids: Iterable[int] | None = None
) -> tuple[dict[str, Ref], list[dict[str, Any]]]:
    """References by unique id, and the comparison rows (in memory only)."""
    source = _victims if kind == "victim" else _perpetrators
    refs: dict[str, Ref] = {}
    rows: list[dict[str, Any]] = []
    for ref, record in source(case_ids):
        refs[record["unique_id"]] = ref
        rows.append(features.row(record))
    return refs, rows


def existing_ids(kind: str) -> set[int]:
    """The primary keys of the records of ``kind`` that still exist (no identity read)."""
    from vigie.cases.models import Perpetrator, Victim

    if kind == "victim":
        return set(Victim.objects.values_list("pk", flat=True).iterator(chunk_size=20000))
    qs = Perpetrator.objects.filter(kind="person")
    return set(qs.values_list("pk", flat=True).iterator(chunk_size=20000))


# The comparison columns of the records linked so far, with where each record lives
# (ADR 1040): an incremental run reads these instead of decrypting every record again.
REF_COLUMNS = (("record_id", pa.int64()), ("case_id", pa.int64()), ("organisation_id", pa.int64()))
SNAPSHOT = pa.schema([*engine.SCHEMA, *(pa.field(n, t) for n, t in REF_COLUMNS)])


def with_refs(data: pa.Table, refs: dict[str, Ref]) -> pa.Table:
    """``data`` (engine.SCHEMA) with the record, case and organisation of each row."""
    found = [refs[u] for u in data.column("unique_id").to_pylist()]
    extra = {
        "record_id": [r.record_id for r in found],
        "case_id": [r.case_id for r in found],
        "organisation_id": [r.organisation_id for r in found],
    }
    for name, type_ in REF_COLUMNS:
        data = data.append_column(pa.field(name, type_), pa.array(extra[name], type_))
    return data


def refs_of(snapshot: pa.Table) -> dict[str, Ref]:
    ids, cases, orgs = (snapshot.column(n).to_pylist() for n, _ in REF_COLUMNS)
    return {str(r): Ref(r, c, o) for r, c, o in zip(ids, cases, orgs, strict=True)}


def without(snapshot: pa.Table, record_ids: set[int], case_ids: set[int]) -> pa.Table:
    """The rows of records that still exist and whose case has not changed."""
    keep = pc.and_(
        pc.is_in(snapshot.column("record_id"), pa.array(sorted(record_ids), pa.int64())),
        pc.invert(pc.is_in(snapshot.column("case_id"), pa.array(sorted(case_ids), pa.int64()))),
    )
    return snapshot.filter(keep)


def _aad(kind: str) -> bytes:
    # the features' version is authenticated with the data: a snapshot computed by other
    # feature code fails to decrypt and the increment reads every record instead
    return f"linkage.features.{kind}.{features.VERSION}".encode()


def save_snapshot(kind: str, run: Any, snapshot: pa.Table) -> None:
    """Keep ``snapshot`` encrypted for the next incremental runs of ``run``'s model."""
    from vigie.linkage.models import FeatureSnapshot

    buffer = io.BytesIO()
    pq.write_table(snapshot.cast(SNAPSHOT), buffer, compression="zstd")
    active, keys = crypto.keyring()
    nonce = os.urandom(12)
    sealed = nonce + AESGCM(keys[active]).encrypt(nonce, buffer.getvalue(), _aad(kind))
    FeatureSnapshot.objects.update_or_create(
        kind=kind,
        defaults={"run": run, "key_id": active, "data": sealed, "records": snapshot.num_rows},
    )


def load_snapshot(kind: str, run: Any) -> pa.Table | None:
    """The snapshot built for ``run``'s model, or None (none yet, another model, a key
    no longer in the keyring, or a tampered value: the caller reads every record)."""
    from vigie.linkage.models import FeatureSnapshot

    snap = FeatureSnapshot.objects.filter(kind=kind, run=run).first()
    if snap is None:
        return None
    _active, keys = crypto.keyring()
    if snap.key_id not in keys:
        return None
    raw = bytes(snap.data)
    try:
        plain = AESGCM(keys[snap.key_id]).decrypt(raw[:12], raw[12:], _aad(kind))
    except InvalidTag:
        return None
    table = pq.read_table(io.BytesIO(plain))
    return table if table.schema.equals(SNAPSHOT) else None
