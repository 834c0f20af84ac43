"""Writes: register suppliers (each supplier and party screened at once, through the
screening app's public functions), record decisions on alerts, recompute risk scores.
Questionnaire links are in :mod:`vigie.suppliers.duediligence`, the queue in
:mod:`vigie.suppliers.watch`, file imports in :mod:`vigie.suppliers.importer`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.core.actor import Actor
from vigie.core.errors import Conflict, Invalid
from vigie.core.events import announce
from vigie.core.models import Organisation
from vigie.screening import services as screening
from vigie.screening.models import Hit
from vigie.suppliers import risk
from vigie.suppliers.countries import code_of
from vigie.suppliers.models import Alert, Contract, Invitation, Party, Product, Review, Supplier

PURPOSE = "supplier"


@dataclass
class PartyData:
    name: str
    role: str = Party.Role.OWNER
    kind: str = "Person"
    birth_date: str = ""
    nationality: str = ""
    share: str = ""


@dataclass
class ProductData:
    description: str
    unspsc: str = ""
    good: str = ""
    country: str = ""


@dataclass
class ContractData:
    reference: str
    title: str = ""
    value: str = ""
    currency: str = ""
    starts: str = ""
    ends: str = ""


@dataclass
class SupplierData:
    reference: str
    name: str
    country: str = ""
    address: str = ""
    contact_email: str = ""
    identifiers: dict[str, str] = field(default_factory=dict)
    sourcing_countries: list[str] = field(default_factory=list)
    parties: list[PartyData] = field(default_factory=list)
    products: list[ProductData] = field(default_factory=list)
    contracts: list[ContractData] = field(default_factory=list)


def _country(value: str, where: str) -> str:
    if not (value or "").strip():
        return ""
    code = code_of(value)
    if not code:
        raise Invalid(_("Unknown country."), code="unknown_country", detail={"field": where})
    return code


def _decimal(value: str, where: str) -> Decimal | None:
    if not str(value or "").strip():
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise Invalid(_("Not a number."), code="not_a_number", detail={"field": where}) from None


def check(data: SupplierData) -> None:
    """Refuse what cannot be registered, naming the field (never its value)."""
    if not data.reference.strip() or len(data.reference) > 60:
        raise Invalid(
            _("A reference of 1 to 60 characters is required."), detail={"field": "reference"}
        )
    if not data.name.strip() or len(data.name) > 300:
        raise Invalid(_("A name of 1 to 300 characters is required."), detail={"field": "name"})
    _country(data.country, "country")
    for i, c in enumerate(data.sourcing_countries):
        _country(c, f"sourcing_countries[{i}]")
    for i, p in enumerate(data.parties):
        if p.role not in Party.Role.values:
            raise Invalid(
                _("Role must be owner or director."), detail={"field": f"parties[{i}].role"}
            )
        if not p.name.strip():
            raise Invalid(_("A name is required."), detail={"field": f"parties[{i}].name"})
        _country(p.nationality, f"parties[{i}].nationality")
        _decimal(p.share, f"parties[{i}].share")
    for i, pr in enumerate(data.products):
        if not pr.description.strip():
            raise Invalid(_("A description is required."), detail={"field": f"products[{i}]"})
        if pr.unspsc and not (pr.unspsc.isdigit() and len(pr.unspsc) == 8):
            raise Invalid(
                _("A UNSPSC code has 8 digits."), detail={"field": f"products[{i}].unspsc"}
            )
        _country(pr.country, f"products[{i}].country")


CHUNK = 500  # ids per query (SQLite's bound on query parameters)


def create_supplier(actor: Actor, organisation: Organisation, data: SupplierData) -> Supplier:
    """Register one supplier: :func:`create_suppliers` of one."""
    return create_suppliers(actor, organisation, [data])[0]


def create_suppliers(
    actor: Actor,
    organisation: Organisation,
    batch: Sequence[SupplierData],
    ctx: risk.Context | None = None,
) -> list[Supplier]:
    """THE writer of the supplier aggregate: register suppliers with their parties, products
    and contracts; screen every supplier and party now (and at every list update, as saved
    screening subjects); queue the hits found; score the risk. Rows are written in bulk with
    one "suppliers.supplier" event for the batch, and are the rows one call per supplier
    would write (tests/test_bulk.py); an import of 100,000 suppliers spends its time
    screening, not writing (ADR 1202)."""
    actor.require("suppliers.manage", organisation.pk)
    for data in batch:
        check(data)
    refs = [data.reference.strip() for data in batch]
    ctx = ctx or risk.Context.now()
    with transaction.atomic():
        if len(set(refs)) < len(refs) or any(
            Supplier.objects.filter(
                organisation=organisation, reference__in=refs[i : i + CHUNK]
            ).exists()
            for i in range(0, len(refs), CHUNK)
        ):
            raise Conflict(
                _("A supplier with this reference is registered already."),
                code="supplier_exists",
                detail={"field": "reference"},
            )
        suppliers: list[Supplier] = []
        parties: list[Party] = []
        products: list[list[Product]] = []
        contracts: list[Contract] = []
        specs: list[dict[str, str]] = []
        for data in batch:
            supplier = Supplier(
                organisation=organisation,
                reference=data.reference.strip(),
                name=" ".join(data.name.split()),
                identifiers={k: str(v)[:120] for k, v in data.identifiers.items() if v},
                country=_country(data.country, "country"),
                address=data.address.strip(),
                contact_email=data.contact_email.strip(),
                sourcing_countries=[
                    _country(c, "sourcing_countries") for c in data.sourcing_countries
                ],
                created_by=actor.user,
            )
            suppliers.append(supplier)
            specs.append(
                {
                    "name": supplier.name,
                    "kind": "Organization",
                    "country": supplier.country,
                    "document": supplier.identifiers.get("registration", ""),
                    "external_id": supplier.reference,
                }
            )
            for p in data.parties:
                party = Party(
                    supplier=supplier,
                    role=p.role,
                    kind=p.kind if p.kind in ("Person", "Organization") else "Person",
                    name=" ".join(p.name.split()),
                    birth_date=p.birth_date.strip() or None,
                    nationality=_country(p.nationality, "nationality"),
                    share=_decimal(p.share, "share"),
                )
                parties.append(party)
                specs.append(
                    {
                        "name": party.name,
                        "kind": party.kind,
                        "birth_date": p.birth_date.strip(),
                        "country": party.nationality,
                        "external_id": supplier.reference,
                    }
                )
            products.append(
                [
                    Product(
                        supplier=supplier,
                        description=pr.description.strip()[:300],
                        unspsc=pr.unspsc,
                        good=" ".join(pr.good.lower().split())[:80],
                        country=_country(pr.country, "country"),
                    )
                    for pr in data.products
                ]
            )
            contracts += [
                Contract(
                    supplier=supplier,
                    reference=c.reference[:60],
                    title=c.title[:300],
                    value=_decimal(c.value, "value"),
                    currency=c.currency[:3].upper(),
                    starts=c.starts or None,
                    ends=c.ends or None,
                )
                for c in data.contracts
            ]
        try:
            subjects = iter(screening.create_subjects(actor, organisation, specs, purpose=PURPOSE))
        except ValidationError as exc:
            raise Invalid(_("This name cannot be screened."), detail={"field": "name"}) from exc
        # the subjects come in the order of ``specs``: each supplier, then its parties
        by_party = iter(parties)
        for supplier, data in zip(suppliers, batch, strict=True):
            supplier.subject = next(subjects)
            for _p in data.parties:
                next(by_party).subject = next(subjects)
        hits = _hits_of(suppliers, parties)
        for supplier, made in zip(suppliers, products, strict=True):
            _rescore(supplier, ctx, made)
            if hits.get(id(supplier)):
                supplier.status = Supplier.Status.REVIEW
        Supplier.objects.bulk_create(suppliers, batch_size=CHUNK)
        # (bulk_create takes each row's supplier id from its supplier, saved just above)
        Party.objects.bulk_create(parties, batch_size=CHUNK)
        Product.objects.bulk_create([p for made in products for p in made], batch_size=CHUNK)
        Contract.objects.bulk_create(contracts, batch_size=CHUNK)
        Alert.objects.bulk_create(
            [_alert(s, party, hit) for s in suppliers for party, hit in hits.get(id(s), [])],
            batch_size=CHUNK,
        )
        announce(
            "suppliers.supplier",
            [s.pk for s in suppliers],
            actor,
            action="created",
            organisation_id=organisation.pk,
        )
    return suppliers


def _hits_of(
    suppliers: list[Supplier], parties: list[Party]
) -> dict[int, list[tuple[Party | None, Hit]]]:
    """The hits found at registration, by supplier (``id()``: not saved yet): they go to
    the queue like those of a list update."""
    owner: dict[int, tuple[Supplier, Party | None]] = {}
    for s in suppliers:
        owner[s.subject_id or 0] = (s, None)
    for p in parties:
        owner[p.subject_id or 0] = (p.supplier, p)
    ids = sorted(owner)
    out: dict[int, list[tuple[Party | None, Hit]]] = {}
    for i in range(0, len(ids), CHUNK):
        for hit in (
            Hit.objects.filter(subject_id__in=ids[i : i + CHUNK])
            .select_related("entry__watchlist")
            .order_by("subject_id", "pk")
        ):
            supplier, party = owner[hit.subject_id]
            out.setdefault(id(supplier), []).append((party, hit))
    return out


def _alert(supplier: Supplier, party: Party | None, hit: Hit) -> Alert:
    return Alert(
        organisation_id=supplier.organisation_id,
        supplier=supplier,
        party=party,
        hit=hit,
        version=hit.raised_by,
        change=Alert.Change.NEW,
        watchlist=hit.entry.watchlist.code,
        entry_reference=hit.entry.reference,
        entry_caption=hit.entry.caption[:500],
        score=hit.score,
        explanation=hit.explanation,
    )


def latest_invitation(supplier: Supplier) -> Invitation | None:
    return (
        supplier.invitations.filter(
            status__in=[Invitation.Status.SUBMITTED, Invitation.Status.REVIEWED]
        )
        .order_by("-submitted_at")
        .first()
        or supplier.invitations.order_by("-created_at").first()
    )


def _rescore(supplier: Supplier, ctx: risk.Context, products: list[Product] | None = None) -> None:
    """``products``: of a supplier being registered (not saved yet, and no questionnaire)."""
    invitation = latest_invitation(supplier) if products is None else None
    total, points = risk.score(supplier, ctx, invitation, products)
    supplier.risk_score = total
    supplier.risk_detail = [p.as_dict() for p in points]
    supplier.risk_updated_at = timezone.now()


def update_risk(actor: Actor, suppliers: Any, ctx: risk.Context | None = None) -> int:
    """Recompute the scores of ``suppliers`` (a queryset), e.g. after new DOL lists."""
    ctx = ctx or risk.Context.now()
    ids = []
    with transaction.atomic():
        for supplier in suppliers.prefetch_related("products").iterator(chunk_size=500):
            actor.require("suppliers.manage", supplier.organisation_id)
            _rescore(supplier, ctx)
            supplier.save(update_fields=["risk_score", "risk_detail", "risk_updated_at"])
            ids.append(supplier.pk)
        if ids:
            announce("suppliers.supplier", ids, actor, action="changed")
    return len(ids)


def record_review(actor: Actor, alert: Alert, decision: str, reason: str) -> Review:
    """Clear, block or escalate an alert, with a reason. Clear and block are also the
    screening decision on the hit (false positive, confirmed match), so the screening app
    does not raise the same hit again while subject and entry stay the same."""
    actor.require("suppliers.review", alert.organisation_id)
    if decision not in Review.Decision.values:
        raise Invalid(_("Choose clear, block or escalate."), detail={"field": "decision"})
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give a reason for the decision."), detail={"field": "reason"})
    with transaction.atomic():
        review = Review.objects.create(
            organisation_id=alert.organisation_id,
            alert=alert,
            supplier_id=alert.supplier_id,
            decision=decision,
            reason=reason[:2000],
            reviewer=actor.user,
            entry_reference=alert.entry_reference,
        )
        alert.status = decision
        alert.save(update_fields=["status"])
        hit = alert.hit
        if hit is not None and decision != Review.Decision.ESCALATE:
            status = (
                Hit.Status.CONFIRMED
                if decision == Review.Decision.BLOCK
                else Hit.Status.FALSE_POSITIVE
            )
            screening.decide(actor, hit, status, reason)
        supplier = alert.supplier
        if decision == Review.Decision.BLOCK:
            supplier.status = Supplier.Status.BLOCKED
        elif (
            supplier.status == Supplier.Status.REVIEW
            and not supplier.alerts.filter(
                status__in=[Alert.Status.OPEN, Alert.Status.ESCALATED]
            ).exists()
        ):
            supplier.status = Supplier.Status.ACTIVE
        supplier.save(update_fields=["status", "updated_at"])
        announce(
            "suppliers.review",
            [review.pk],
            actor,
            action="created",
            organisation_id=alert.organisation_id,
        )
    return review


def bump_dashboard(organisation_id: int | None) -> None:
    """Raise the dashboard epoch of an organisation (of every one when ``None``): its cached
    aggregates are recomputed at the next request (selectors.dashboard)."""
    from django.db.models import F

    from vigie.suppliers.models import DashboardEpoch

    ids = (
        [organisation_id]
        if organisation_id is not None
        else list(Organisation.objects.values_list("pk", flat=True))
    )
    for pk in ids:
        DashboardEpoch.objects.get_or_create(organisation_id=pk)
    DashboardEpoch.objects.filter(organisation_id__in=ids).update(epoch=F("epoch") + 1)
