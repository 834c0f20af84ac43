"""The records to link, decrypted inside the linkage job only and turned straight into
comparison columns (vigie.linkage.features); nothing decrypted leaves this module."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from vigie.linkage import features


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
