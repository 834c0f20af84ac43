"""Import suppliers from a CSV or XLSX file through a mapping file, in the style of the case
imports (vigie.cases.interchange.mapping)::

    columns:                 # source column -> target field
      Vendor ID: supplier.reference
      Vendor name: supplier.name
      Pays: supplier.country
      Owner: owner.name
    values:                  # target field -> {source value: value}
      supplier.country:
        Birmanie: MM

Targets: ``supplier.`` reference, name, country, address, contact_email, registration, ungm,
tax_id, sourcing_countries (``;``-separated); ``owner.`` and ``director.`` name, birth_date,
nationality, share; ``product.`` description, unspsc, good, country; ``contract.``
reference, title, value, currency, starts, ends. Without a mapping the header names the
targets. Rows with the same ``supplier.reference`` describe one supplier (one owner, director,
product or contract per row). Files are read by vigie.core.files' bounded readers. Every bad
row is reported (row, column, value, why; a value is quoted only when no name can be it,
by vigie.core.quoting, otherwise described)
and a file with any bad row registers nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from vigie.core import files, quoting
from vigie.core.actor import Actor
from vigie.core.errors import Invalid, VigieError
from vigie.core.models import Organisation
from vigie.suppliers import risk, services
from vigie.suppliers.countries import code_of
from vigie.suppliers.models import Supplier

SUPPLIER = (
    "reference",
    "name",
    "country",
    "address",
    "contact_email",
    "registration",
    "ungm",
    "tax_id",
    "sourcing_countries",
)
PARTY = ("name", "birth_date", "nationality", "share")
PRODUCT = ("description", "unspsc", "good", "country")
CONTRACT = ("reference", "title", "value", "currency", "starts", "ends")
TARGETS = frozenset(
    [f"supplier.{f}" for f in SUPPLIER]
    + [f"{r}.{f}" for r in ("owner", "director") for f in PARTY]
    + [f"product.{f}" for f in PRODUCT]
    + [f"contract.{f}" for f in CONTRACT]
)
BATCH = 2000  # suppliers per call of the writer (and per change event)
HIDDEN = {"owner.name", "owner.birth_date", "director.name", "director.birth_date"}


class MappingError(Invalid, ValueError):
    default_code = "mapping_invalid"


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, str] = field(default_factory=dict)  # source column -> target
    values: dict[str, dict[str, str]] = field(default_factory=dict)


def read_mapping(path: Path) -> Mapping:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path.name}: not YAML ({exc})") from None
    columns = {str(k): str(v) for k, v in (doc.get("columns") or {}).items()}
    bad = sorted(set(columns.values()) - TARGETS)
    if bad:
        raise MappingError(f"{path.name}: unknown targets {bad}", detail={"targets": bad})
    values = {
        str(t): {str(a): str(b) for a, b in m.items()} for t, m in (doc.get("values") or {}).items()
    }
    return Mapping(columns, values)


@dataclass
class RowError:
    row: int
    column: str
    value: str
    why: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "why": self.why}


@dataclass
class Result:
    created: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "references": self.created[:1000],
            "errors": [e.as_dict() for e in self.errors],
        }


def _date(text: str) -> str:
    dt.date.fromisoformat(text)
    return text


def _check(target: str, value: str) -> str:
    """The value to keep for ``target``, or ValueError saying why."""
    name = target.split(".", 1)[1]
    if name in ("country", "nationality"):
        code = code_of(value)
        if not code:
            raise ValueError("unknown country (a UN M49 name or an ISO code)")
        return code
    if target == "supplier.sourcing_countries":
        codes = [code_of(v) for v in value.split(";") if v.strip()]
        if not all(codes):
            raise ValueError("unknown country among the ;-separated countries")
        return ";".join(codes)
    if name == "unspsc" and not (value.isdigit() and len(value) == 8):
        raise ValueError("a UNSPSC code has 8 digits")
    if name in ("share", "value"):
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ValueError("not a number") from None
        if name == "share" and not 0 <= number <= 100:
            raise ValueError("a share is a percentage from 0 to 100")
    if name in ("starts", "ends", "birth_date"):
        try:
            return _date(value) if len(value) != 4 else str(int(value))
        except ValueError:
            raise ValueError("not a date (YYYY-MM-DD)") from None
    if name == "contact_email":
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError("not an e-mail address") from None
    if target == "supplier.name" and len(value) > 300:
        raise ValueError("longer than 300 characters")
    if name == "reference" and len(value) > 60:
        raise ValueError("longer than 60 characters")
    return value


def parse(
    path: Path, mapping: Mapping | None = None
) -> tuple[list[services.SupplierData], list[RowError]]:
    rows = files.table_rows(path)
    header = next(rows, [])
    header = [h.strip() for h in header]
    columns = (
        mapping.columns if mapping and mapping.columns else {h: h for h in header if h in TARGETS}
    )
    errors: list[RowError] = []
    missing = [c for c in columns if c not in header]
    if missing:
        errors.append(
            RowError(1, ", ".join(missing), "", "column named by the mapping not in the file")
        )
    if "supplier.reference" not in columns.values() or "supplier.name" not in columns.values():
        errors.append(RowError(1, "", "", "supplier.reference and supplier.name must be mapped"))
    if errors:
        return [], errors
    where = {c: header.index(c) for c in columns}
    recode = mapping.values if mapping else {}
    by_ref: dict[str, services.SupplierData] = {}
    for number, cells in enumerate(rows, 2):
        if not any(c.strip() for c in cells):
            continue
        values: dict[str, str] = {}
        bad = False
        for column, target in columns.items():
            i = where[column]
            raw = cells[i].strip() if i < len(cells) else ""
            value = recode.get(target, {}).get(raw, raw)
            if not value:
                continue
            try:
                values[target] = _check(target, value)
            except ValueError as exc:
                # quoted only when no name can be it: a shifted row puts an owner's name in
                # any column (ADR 0054); otherwise its shape, e.g. "(8 characters: letters)"
                quoted, shape = quoting.shown(raw, ordinary=target not in HIDDEN)
                shown = quoted if quoted is not None else f"({shape})"
                errors.append(RowError(number, column, shown, str(exc)))
                bad = True
        ref = values.get("supplier.reference", "")
        if not ref:
            errors.append(
                RowError(
                    number, _source(columns, "supplier.reference"), "", "no supplier reference"
                )
            )
            continue
        if bad:
            continue
        data = by_ref.get(ref)
        if data is None:
            if not values.get("supplier.name"):
                errors.append(
                    RowError(number, _source(columns, "supplier.name"), "", "no supplier name")
                )
                continue
            data = by_ref[ref] = services.SupplierData(
                reference=ref,
                name=values["supplier.name"],
                country=values.get("supplier.country", ""),
                address=values.get("supplier.address", ""),
                contact_email=values.get("supplier.contact_email", ""),
                identifiers={
                    k: values[f"supplier.{k}"]
                    for k in ("registration", "ungm", "tax_id")
                    if values.get(f"supplier.{k}")
                },
                sourcing_countries=[
                    c for c in values.get("supplier.sourcing_countries", "").split(";") if c
                ],
            )
        _add_parts(data, values)
    return list(by_ref.values()), errors


def _source(columns: dict[str, str], target: str) -> str:
    return next((c for c, t in columns.items() if t == target), target)


def _add_parts(data: services.SupplierData, v: dict[str, str]) -> None:
    for role in ("owner", "director"):
        if v.get(f"{role}.name"):
            party = services.PartyData(
                name=v[f"{role}.name"],
                role=role,
                birth_date=v.get(f"{role}.birth_date", ""),
                nationality=v.get(f"{role}.nationality", ""),
                share=v.get(f"{role}.share", ""),
            )
            if party not in data.parties:
                data.parties.append(party)
    if v.get("product.description") or v.get("product.good"):
        product = services.ProductData(
            v.get("product.description") or v["product.good"],
            v.get("product.unspsc", ""),
            v.get("product.good", ""),
            v.get("product.country", ""),
        )
        if product not in data.products:
            data.products.append(product)
    if v.get("contract.reference"):
        contract = services.ContractData(**{f: v.get(f"contract.{f}", "") for f in CONTRACT})
        if all(c.reference != contract.reference for c in data.contracts):
            data.contracts.append(contract)


def import_file(
    actor: Actor,
    organisation: Organisation,
    path: Path,
    *,
    mapping_path: Path | None = None,
    report: Callable[[int, int], None] | None = None,
) -> Result:
    """Register every supplier of the file, or none when a row is bad (all rows reported)."""
    actor.require("suppliers.manage", organisation.pk)
    mapping = read_mapping(mapping_path) if mapping_path else None
    result = Result()
    try:
        suppliers, result.errors = parse(path, mapping)
    except VigieError as exc:  # a file over the limits, not UTF-8, a damaged workbook
        result.errors.append(
            RowError(
                int(exc.detail.get("row", 0) or 0),
                str(exc.detail.get("column", "")),
                "",
                exc.message,
            )
        )
        return result
    if result.errors:
        return result
    for data in suppliers:
        try:
            services.check(data)
        except VigieError as exc:
            result.errors.append(
                RowError(0, str(exc.detail.get("field", "")), data.reference, exc.message)
            )
    refs = [data.reference.strip() for data in suppliers]
    for i in range(0, len(refs), services.CHUNK):
        for ref in Supplier.objects.filter(
            organisation=organisation, reference__in=refs[i : i + services.CHUNK]
        ).values_list("reference", flat=True):
            result.errors.append(
                RowError(
                    0,
                    "reference",
                    ref,
                    str(_("A supplier with this reference is registered already.")),
                )
            )
    if result.errors:
        return result
    # Registered in batches through the supplier aggregate's one writer (one change event
    # each), all in one transaction: a failure registers nothing.
    ctx = risk.Context.now()
    with transaction.atomic():
        for i in range(0, len(suppliers), BATCH):
            chunk = suppliers[i : i + BATCH]
            try:
                services.create_suppliers(actor, organisation, chunk, ctx)
            except VigieError as exc:
                result.errors.append(RowError(0, str(exc.detail.get("field", "")), "", exc.message))
                transaction.set_rollback(True)
                return result
            result.created += [data.reference for data in chunk]
            if report:
                report(i + len(chunk), len(suppliers))
    return result
