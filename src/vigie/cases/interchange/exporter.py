"""Export the case records a user may see.

Formats: ``ctdc`` (CSV, 63-column CTDC layout), ``ctdc-sample`` (CSV, the 17-column sample
layout), ``htcds`` (JSON, HTCDS v2.0 field names), ``htcds-csv`` / ``htcds-xlsx`` (the HTCDS
v2.0 spreadsheet layout, vigie.cases.interchange.htcds_sheet), ``json`` (the nested Vigie records),
``csv`` / ``xlsx`` / ``parquet`` (one row per case, the flat Vigie summary table).

Identifying fields are left out unless ``identity=True``, which needs
``victim.identity.export`` in the record's organisation and writes one access-log entry per
exported case (only ``json`` and the ``htcds`` formats carry identities). Cases are read in
chunks of ``CHUNK``, so memory stays bounded.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied

from vigie.cases import codelists, records, selectors
from vigie.cases.interchange import htcds, htcds_sheet, layouts
from vigie.cases.models import Case
from vigie.core import access, audit, cells
from vigie.core.actor import Viewer
from vigie.core.models import Organisation

CHUNK = 500
FORMATS = (
    "ctdc",
    "ctdc-sample",
    "htcds",
    "htcds-csv",
    "htcds-xlsx",
    "json",
    "csv",
    "xlsx",
    "parquet",
)
WITH_IDENTITY = ("json", "htcds", "htcds-csv", "htcds-xlsx")
FLAT_COLUMNS = [
    "uuid",
    "organisation",
    "reference",
    "status",
    "source_type",
    "source_record_id",
    "verification_status",
    "standard_version",
    "conflict_situation",
    "conflict_context",
    "country",
    "area",
    "event_date_start",
    "event_date_end",
    "event_year",
    "identification_date",
    "identification_year",
    "report_date",
    "victims",
    "people",
    "female",
    "male",
    "children",
    "forms",
    "means",
    "armed_groups",
    "route",
    "corridors",
    "investigation_status",
    "prosecution_status",
    "conviction_status",
]


def _records(
    user: Viewer, filters: selectors.CaseFilters, identity: bool, per_org: Counter[int]
) -> Iterator[tuple[Case, dict[str, Any]]]:
    qs = selectors.filter_cases(selectors.visible_cases(user), filters).order_by("pk")
    last = 0
    while True:
        chunk = list(selectors.with_children(qs.filter(pk__gt=last))[:CHUNK])
        if not chunk:
            return
        for case in chunk:
            show = identity and access.can(user, "victim.identity.export", case)
            data = records.serialize(case, with_identity=show)
            if show:
                selectors.record_identity_read(user, case, "export")
            per_org[case.organisation_id] += 1
            yield case, data
        last = chunk[-1].pk


def flat_row(data: dict[str, Any]) -> dict[str, Any]:
    """One case as a row of the flat summary table (no identifying fields)."""
    victims = data["victims"]
    incidents = data["incidents"]
    alone = [v for v in victims if not v.get("incident")]
    people = len(alone)
    female = sum(1 for v in alone if v.get("sex") == "female")
    male = sum(1 for v in alone if v.get("sex") == "male")
    children = sum(1 for v in alone if v.get("age_group_at_identification") == "child")
    for inc in incidents:
        cells = sum(inc.get(f) or 0 for f in records.Incident.COUNT_FIELDS)
        people += max(inc.get("total_reported") or 0, cells)
        female += sum(inc.get(f"count_female_{a}") or 0 for a in ("child", "adult", "unknown"))
        male += sum(inc.get(f"count_male_{a}") or 0 for a in ("child", "adult", "unknown"))
        children += sum(inc.get(f"count_{s}_child") or 0 for s in ("female", "male", "unknown"))
    exps = data["exploitations"] + incidents
    row = {k: data.get(k) for k in FLAT_COLUMNS}
    row.update(
        victims=len(victims),
        people=people,
        female=female,
        male=male,
        children=children,
        forms=";".join(sorted({f for e in exps for f in e.get("forms") or []})),
        means=";".join(sorted({m for e in exps for m in e.get("means") or []})),
        armed_groups=";".join(
            sorted({p["group_code"] for p in data["perpetrators"] if p.get("group_code")})
        ),
        route=">".join(
            leg["country"] for leg in sorted(data["route"], key=lambda x: x["sequence"])
        ),
        corridors=";".join(
            sorted({leg["corridor"] for leg in data["route"] if leg.get("corridor")})
        ),
    )
    return row


def export(
    user: Viewer,
    fmt: str,
    path: Path,
    *,
    filters: selectors.CaseFilters | None = None,
    identity: bool = False,
) -> int:
    """Write the visible cases to ``path``; returns the number of cases exported."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    if not access.has_perm(user, "case.export"):
        raise PermissionDenied("you may not export case records")
    if identity and not access.has_perm(user, "victim.identity.export"):
        raise PermissionDenied("you may not export victims' identities")
    filters = filters or selectors.CaseFilters()
    with_identity = identity and fmt in WITH_IDENTITY
    per_org: Counter[int] = Counter()
    items = _records(user, filters, with_identity, per_org)
    if fmt in ("ctdc", "ctdc-sample"):
        n = _write_ctdc(items, layouts.LAYOUTS[fmt], path)
    elif fmt in ("htcds-csv", "htcds-xlsx"):
        n = _write_htcds_sheet(items, path, with_identity)
    elif fmt in ("json", "htcds"):
        n = _write_json(items, fmt, path)
    elif fmt == "csv":
        n = _write_csv(items, path)
    elif fmt == "xlsx":
        n = _write_xlsx(items, path)
    else:
        n = _write_parquet(items, path)
    # every export is in the access log (with identities, each case also has its own entry),
    # once for each organisation whose cases it holds, so that each one's auditors see it
    codes = dict(Organisation.objects.filter(pk__in=per_org).values_list("pk", "code"))
    for org_id, count in sorted(per_org.items()) or [(0, 0)]:
        audit.record_access(
            user,
            "export",
            "cases.Case",
            "",
            fields=sorted(records.IDENTITY) if with_identity else [],
            organisation_code=codes.get(org_id, ""),
            detail={
                "format": fmt,
                "cases": count,
                "cases_in_file": n,
                "identity": with_identity,
                "filters": {k: str(v) for k, v in vars(filters).items() if v},
                "file": path.name,
            },
        )
    return n


def _write_ctdc(items: Iterator[tuple[Case, dict[str, Any]]], layout: Any, path: Path) -> int:
    n = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=layout.columns, lineterminator="\n")
        writer.writeheader()
        for _case, data in items:
            writer.writerows(cells.csv_dict(r) for r in layouts.record_to_ctdc_rows(layout, data))
            n += 1
    return n


def _write_htcds_sheet(
    items: Iterator[tuple[Case, dict[str, Any]]], path: Path, with_identity: bool
) -> int:
    counted = [0]

    def rows() -> Iterator[dict[str, str]]:
        for _case, data in items:
            counted[0] += 1
            show = with_identity and any(k in v for v in data["victims"] for k in records.IDENTITY)
            yield from htcds_sheet.record_rows(data, with_identity=show)

    htcds_sheet.write(path, rows())
    return counted[0]


def _write_json(items: Iterator[tuple[Case, dict[str, Any]]], fmt: str, path: Path) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        head = {"standard": codelists.STANDARD_VERSION, "codelists": codelists.versions()}
        fh.write(json.dumps(head)[:-1] + ', "records": [\n')
        first = True
        for _case, data in items:
            show = any(k in v for v in data["victims"] for k in records.IDENTITY)
            out = htcds.record_to_htcds(data, with_identity=show) if fmt == "htcds" else [data]
            for obj in out:
                fh.write(("" if first else ",\n") + json.dumps(obj, ensure_ascii=False))
                first = False
            n += 1
        fh.write("\n]}\n")
    return n


def _write_csv(items: Iterator[tuple[Case, dict[str, Any]]], path: Path) -> int:
    n = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FLAT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for _case, data in items:
            writer.writerow(cells.csv_dict(flat_row(data)))
            n += 1
    return n


def _write_xlsx(items: Iterator[tuple[Case, dict[str, Any]]], path: Path) -> int:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("cases")
    sheet.append(cells.xlsx_row(sheet, FLAT_COLUMNS))
    n = 0
    for _case, data in items:
        row = flat_row(data)
        sheet.append(cells.xlsx_row(sheet, [row[c] for c in FLAT_COLUMNS]))
        n += 1
    book.save(path)
    return n


def _write_parquet(items: Iterator[tuple[Case, dict[str, Any]]], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    ints = {"victims", "people", "female", "male", "children", "event_year", "identification_year"}
    schema = pa.schema(
        [(c, pa.int64() if c in ints else pa.string()) for c in FLAT_COLUMNS],
        metadata={"standard": codelists.STANDARD_VERSION},
    )
    n = 0
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[dict[str, Any]] = []
        for _case, data in items:
            batch.append(flat_row(data))
            n += 1
            if len(batch) >= CHUNK:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch or n == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    return n
