"""The service directory: search by need, place and eligibility, and 4W import/export.

The 4W convention (who does what, where, when) gives the file one row per service and area:
``who`` (organisation), ``org_code``, ``what`` (service type), ``service``, ``country``,
``admin1``, ``admin2``, ``start``, ``end`` (when), then eligibility and contact columns.
Rows with the same ``service_id`` are one service covering several areas.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vigie.core import cells
from vigie.core.actor import Actor
from vigie.core.errors import Invalid
from vigie.core.events import announce
from vigie.core.models import Organisation
from vigie.identification.models import Service, ServiceArea
from vigie.identification.referrals import config

PERM = "services.manage"
COLUMNS = [
    "service_id", "who", "org_code", "what", "service", "country", "admin1", "admin2",
    "start", "end", "min_age", "max_age", "sexes", "legal_statuses", "nationalities",
    "languages", "capacity", "contact_name", "contact_phone", "contact_email", "description",
]  # fmt: skip
TOKEN_FIELDS = ("sexes", "legal_statuses", "nationalities", "languages")


def tokens(value: str | Iterable[str]) -> str:
    """Space-delimited codes with a space at each end, so ``LIKE '% code %'`` matches one."""
    items = (
        value.replace(";", " ").replace(",", " ").split() if isinstance(value, str) else list(value)
    )
    return f" {' '.join(sorted(set(items)))} " if items else ""


@dataclass(frozen=True)
class Need:
    service_type: str = ""
    country: str = ""
    admin1: str = ""
    admin2: str = ""
    age: int | None = None
    sex: str = ""
    legal_status: str = ""
    nationality: str = ""
    language: str = ""


def _open(field: str, value: str) -> Q:
    """Serves everyone (empty) or lists ``value``."""
    return Q(**{field: ""}) | Q(**{f"{field}__contains": f" {value} "})


def search(need: Need, limit: int = 50) -> QuerySet[Service]:
    """Active services that meet the need at the place for a person of this profile."""
    areas = ServiceArea.objects.all()
    if need.service_type:
        areas = areas.filter(service_type=need.service_type)
    if need.country:
        areas = areas.filter(country=need.country.upper())
        if need.admin1:
            areas = areas.filter(admin1__in=["", need.admin1])
            if need.admin2:
                areas = areas.filter(admin2__in=["", need.admin2])
    qs = Service.objects.filter(active=True, pk__in=areas.values("service_id"))
    if need.service_type:
        qs = qs.filter(service_type=need.service_type)
    if need.age is not None:
        qs = qs.filter(Q(min_age__isnull=True) | Q(min_age__lte=need.age))
        qs = qs.filter(Q(max_age__isnull=True) | Q(max_age__gte=need.age))
    for field, value in (
        ("sexes", need.sex),
        ("legal_statuses", need.legal_status),
        ("nationalities", need.nationality.upper()),
        ("languages", need.language),
    ):
        if value:
            qs = qs.filter(_open(field, value))
    return qs.order_by("provider_name", "name", "id")[:limit]


def save_service(
    actor: Actor, data: dict[str, Any], areas: list[dict[str, str]], instance: Service | None = None
) -> Service:
    """Create or update one service and replace its areas."""
    org = data.get("organisation")
    actor.require(PERM, org.pk if isinstance(org, Organisation) else actor.organisation_id)
    if data.get("service_type") not in config()["service_types"]:
        raise Invalid(
            _("Unknown service type."),
            code="unknown_service_type",
            detail={"what": data.get("service_type")},
        )
    if not areas:
        raise Invalid(_("A service covers at least one area."), code="area_required")
    with transaction.atomic():
        service = instance or Service()
        for k, v in data.items():
            setattr(service, k, tokens(v) if k in TOKEN_FIELDS else v)
        service.save()
        service.areas.all().delete()
        ServiceArea.objects.bulk_create(
            ServiceArea(
                service=service,
                service_type=service.service_type,
                country=a["country"].upper(),
                admin1=a.get("admin1", ""),
                admin2=a.get("admin2", ""),
            )
            for a in areas
        )
        announce(
            "identification.service",
            [service.pk],
            actor,
            action="created" if instance is None else "changed",
            organisation_id=service.organisation_id,
        )
    return service


# 4W files --------------------------------------------------------------------------------


def _rows(path: Path) -> list[dict[str, str]]:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        sheet = wb.active
        if sheet is None:
            return []
        it = sheet.iter_rows(values_only=True)
        header = [str(h or "").strip().lower() for h in next(it, ())]
        return [
            {h: ("" if v is None else str(v)).strip() for h, v in zip(header, row, strict=False)}
            for row in it
        ]
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return [
            {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(fh)
        ]


def _int(value: str, column: str, line: int) -> int | None:
    if not value:
        return None
    try:
        return int(float(value))
    except ValueError:
        raise Invalid(
            _("Line %(line)d: “%(column)s” is not a number.") % {"line": line, "column": column},
            code="invalid_row",
            detail={"line": line, "column": column},
        ) from None


def _date(value: str, column: str, line: int) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise Invalid(
            _("Line %(line)d: “%(column)s” is not a date.") % {"line": line, "column": column},
            code="invalid_row",
            detail={"line": line, "column": column},
        ) from None


def import_services(actor: Actor, path: Path) -> dict[str, int]:
    """Load a 4W file: every row checked first, then one transaction (a bad file changes
    nothing). Rows naming an existing ``service_id`` update that service."""
    rows = _rows(path)
    missing = {"who", "what", "country"} - set(rows[0] if rows else {})
    if missing:
        raise Invalid(
            _("The file lacks the 4W columns."),
            code="missing_columns",
            detail={"columns": sorted(missing)},
        )
    orgs = {o.code: o for o in Organisation.objects.all()}
    types = config()["service_types"]
    grouped: dict[str, tuple[dict[str, Any], list[dict[str, str]]]] = {}
    for line, row in enumerate(rows, start=2):
        if row.get("what") not in types:
            raise Invalid(
                _("Line %(line)d: unknown service type.") % {"line": line},
                code="invalid_row",
                detail={"line": line, "column": "what"},
            )
        org = orgs.get(row.get("org_code", ""))
        if org is not None:
            actor.require(PERM, org.pk)
        else:
            actor.require(PERM, actor.organisation_id)
        key = row.get("service_id") or f"{row['who']}|{row['what']}|{row.get('service', '')}"
        data = {
            "organisation": org,
            "provider_name": row["who"],
            "service_type": row["what"],
            "name": row.get("service") or types[row["what"]].get("en", row["what"]),
            "description": row.get("description", ""),
            "min_age": _int(row.get("min_age", ""), "min_age", line),
            "max_age": _int(row.get("max_age", ""), "max_age", line),
            "capacity": _int(row.get("capacity", ""), "capacity", line),
            "start_date": _date(row.get("start", ""), "start", line),
            "end_date": _date(row.get("end", ""), "end", line),
            "contact_name": row.get("contact_name", ""),
            "contact_phone": row.get("contact_phone", ""),
            "contact_email": row.get("contact_email", ""),
            **{k: tokens(row.get(k, "")) for k in TOKEN_FIELDS},
        }
        area = {
            "country": row["country"].upper(),
            "admin1": row.get("admin1", ""),
            "admin2": row.get("admin2", ""),
        }
        if len(area["country"]) != 2:
            raise Invalid(
                _("Line %(line)d: country is a two-letter ISO code.") % {"line": line},
                code="invalid_row",
                detail={"line": line, "column": "country"},
            )
        grouped.setdefault(key, (data, []))[1].append(area)
    created = updated = 0
    with transaction.atomic():
        existing = {
            str(s.uuid): s
            for s in Service.objects.filter(uuid__in=[k for k in grouped if _is_uuid(k)])
        }
        ids = []
        for key, (data, areas) in grouped.items():
            service = existing.get(key) or Service()
            is_new = service.pk is None
            for k, v in data.items():
                setattr(service, k, v)
            service.save()
            if not is_new:
                service.areas.all().delete()
            ServiceArea.objects.bulk_create(
                ServiceArea(service=service, service_type=service.service_type, **a) for a in areas
            )
            created += is_new
            updated += not is_new
            ids.append(service.pk)
        announce("identification.service", ids, actor, action="mixed")
    return {"created": created, "updated": updated, "rows": len(rows)}


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def export_rows(qs: QuerySet[Service]) -> Iterable[list[Any]]:
    yield COLUMNS
    for s in qs.select_related("organisation").prefetch_related("areas"):
        for a in s.areas.all():
            yield [
                str(s.uuid), s.provider_name, s.organisation.code if s.organisation else "",
                s.service_type, s.name, a.country, a.admin1, a.admin2,
                s.start_date.isoformat() if s.start_date else "",
                s.end_date.isoformat() if s.end_date else "",
                "" if s.min_age is None else s.min_age, "" if s.max_age is None else s.max_age,
                s.sexes.strip(), s.legal_statuses.strip(), s.nationalities.strip(),
                s.languages.strip(), "" if s.capacity is None else s.capacity, s.contact_name,
                s.contact_phone, s.contact_email, s.description,
            ]  # fmt: skip


def export_services(path: Path, qs: QuerySet[Service] | None = None) -> int:
    """Write the directory as a 4W CSV or XLSX file; returns the number of data rows."""
    rows = export_rows(qs if qs is not None else Service.objects.all())
    count = -1
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("4W")
        for row in rows:
            ws.append(cells.xlsx_row(ws, row))  # texts stay texts, never formulas (ADR 0021)
            count += 1
        wb.save(path)
        return count
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in rows:
        writer.writerow(cells.csv_row(row))  # "=…", "+…", "@…" neutralised (ADR 0021)
        count += 1
    path.write_text(buf.getvalue(), encoding="utf-8")
    return count
