"""The whole register with its decisions, for audits (CSV or XLSX; every text cell passed
through vigie.core.cells so no cell runs as a formula; each export in the access log).
Owners and directors are exported by reference and role, without their names."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from vigie.core import audit, cells
from vigie.core.actor import Actor
from vigie.core.errors import Invalid
from vigie.core.models import Organisation
from vigie.suppliers import selectors
from vigie.suppliers.models import Review

COLUMNS = [
    "reference",
    "name",
    "country",
    "status",
    "risk_score",
    "risk_sources",
    "products",
    "sourcing_countries",
    "owners",
    "directors",
    "open_alerts",
    "decisions",
]
FORMATS = ("csv", "xlsx")


def rows(actor: Actor) -> Iterator[list[Any]]:
    suppliers = (
        selectors.visible_suppliers(actor)
        .filter(organisation_id__in=_export_orgs(actor))
        .prefetch_related("products", "parties", "alerts")
        .order_by("reference")
    )
    reviews: dict[int, list[str]] = {}
    for r in Review.objects.filter(supplier__in=suppliers.values("pk")).select_related("reviewer"):
        reviews.setdefault(r.supplier_id, []).append(
            f"{r.decided_at:%Y-%m-%d} {r.decision} {r.entry_reference} "
            f"({r.reviewer.username if r.reviewer else 'system'}): {r.reason}"
        )
    for s in suppliers.iterator(chunk_size=1000):
        parties = list(s.parties.all())
        yield [
            s.reference,
            s.name,
            s.country,
            s.status,
            s.risk_score,
            "; ".join(
                f"{p['points']} {p['source']}: {p['reason']}"
                for p in s.risk_detail
                if p.get("points")
            ),
            "; ".join(f"{p.description} [{p.unspsc or p.good}]" for p in s.products.all()),
            ";".join(s.sourcing_countries),
            sum(1 for p in parties if p.role == "owner"),
            sum(1 for p in parties if p.role == "director"),
            sum(1 for a in s.alerts.all() if a.status == "open"),
            " | ".join(reviews.get(s.pk, [])),
        ]


def _export_orgs(actor: Actor) -> list[int]:
    orgs = actor.organisations_with("suppliers.export")
    if orgs is None:
        return list(Organisation.objects.values_list("pk", flat=True))
    return list(orgs)


def export(actor: Actor, fmt: str = "csv") -> bytes:
    actor.require("suppliers.export", actor.organisation_id)
    if fmt not in FORMATS:
        raise Invalid(_("Format must be csv or xlsx."), detail={"field": "format"})
    data = list(rows(actor))
    org = Organisation.objects.filter(pk=actor.organisation_id or 0).first()
    audit.record_access(
        actor,
        "export",
        "suppliers.register",
        fmt,
        COLUMNS,
        organisation_code=org.code if org else "",
        detail={"rows": len(data), "actor": actor.label},
    )
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for row in data:
            writer.writerow(cells.csv_row(row))
        return out.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("suppliers")
    sheet.append(COLUMNS)
    for row in data:
        sheet.append(cells.xlsx_row(sheet, row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
