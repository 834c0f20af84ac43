"""The bulk registration (an import: many suppliers per call of the writer) stores the rows
one call per supplier stores: suppliers, parties (encrypted), products, contracts, screening
subjects, hits, queued alerts and risk scores; and sends one change event per batch."""

from __future__ import annotations

from itertools import count
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.core.actor import Actor
from vigie.core.events import records_changed
from vigie.core.models import Organisation
from vigie.screening import selectors
from vigie.screening import services as screening
from vigie.screening.models import Hit, Subject
from vigie.suppliers import services
from vigie.suppliers.models import Alert, Contract, Party, Product, Supplier
from vigie.suppliers.tests.conftest import HEADER

LISTED = ["Synthetic Kiln Works Ltd", "Amadou Synthetique", "Meridian Cocoa Trading"]
OTHER = ["Baobab Garments SA", "Nadia Fictive", "Omar Exemple", "Lina Inventee"]
EXAMPLES = count()
names = st.sampled_from(LISTED + OTHER)
countries = st.sampled_from(["", "MM", "France", "Côte d'Ivoire", "IN"])
party = st.builds(
    services.PartyData,
    name=names,
    role=st.sampled_from(["owner", "director"]),
    kind=st.sampled_from(["Person", "Organization"]),
    birth_date=st.sampled_from(["", "1970", "1980-02-03"]),
    nationality=countries,
    share=st.sampled_from(["", "25", "60.5"]),
)
product = st.builds(
    services.ProductData,
    description=st.sampled_from(["Clay bricks", "Cotton garments", "Cocoa beans", "Widgets"]),
    unspsc=st.sampled_from(["", "30131600"]),
    good=st.sampled_from(["", "Bricks", "cocoa"]),
    country=countries,
)
contract = st.builds(
    services.ContractData,
    reference=st.sampled_from(["C-1", "C-2"]),
    value=st.sampled_from(["", "1000.50"]),
    currency=st.sampled_from(["", "usd"]),
    starts=st.sampled_from(["", "2026-01-01"]),
)


@st.composite
def batches(draw: Any) -> list[services.SupplierData]:
    count = draw(st.integers(1, 4))
    return [
        services.SupplierData(
            reference=f"S-{i}",
            name=draw(names),
            country=draw(countries),
            address=draw(st.sampled_from(["", " 1 Fictional Road "])),
            identifiers=draw(st.sampled_from([{}, {"registration": "RC-123"}])),
            sourcing_countries=draw(st.lists(countries.filter(bool), max_size=2)),
            parties=draw(st.lists(party, max_size=3)),
            products=draw(st.lists(product, max_size=2)),
            contracts=draw(st.lists(contract, max_size=2, unique_by=lambda c: c.reference)),
        )
        for i in range(count)
    ]


def _sorted(rows: Any) -> list[Any]:
    return sorted(rows, key=repr)


def _rows(org: Organisation) -> dict[str, Any]:
    """Everything registered for ``org``, without ids and times (decrypted, comparable)."""
    suppliers = {s.pk: s.reference for s in Supplier.objects.filter(organisation=org)}
    subjects = {
        s.pk: (
            s.external_id,
            s.kind,
            s.name,
            s.birth_date,
            s.country,
            s.document,
            s.purpose,
            s.fingerprint,
            s.last_screened_at is not None,
        )
        for s in Subject.objects.filter(organisation=org)
    }
    return {
        "suppliers": _sorted(
            (
                s.reference,
                s.name,
                s.identifiers,
                s.country,
                s.address,
                s.sourcing_countries,
                s.status,
                s.risk_score,
                s.risk_detail,
                subjects[s.subject_id or 0],
                s.created_by_id,
            )
            for s in Supplier.objects.filter(organisation=org)
        ),
        "parties": _sorted(
            (
                suppliers[p.supplier_id],
                p.role,
                p.kind,
                p.name,
                p.name_index,
                p.birth_date or "",
                p.nationality,
                str(p.share),
                subjects[p.subject_id or 0],
            )
            for p in Party.objects.filter(supplier__organisation=org)
        ),
        "products": _sorted(
            (suppliers[p.supplier_id], p.description, p.unspsc, p.good, p.country)
            for p in Product.objects.filter(supplier__organisation=org)
        ),
        "contracts": _sorted(
            (suppliers[c.supplier_id], c.reference, str(c.value), c.currency, str(c.starts))
            for c in Contract.objects.filter(supplier__organisation=org)
        ),
        "subjects": _sorted(subjects.values()),
        "hits": _sorted(
            (
                subjects[h.subject_id],
                h.entry_id,
                h.raised_by_id,
                round(h.score, 9),
                repr(h.explanation),
                h.status,
                h.subject_fingerprint,
                h.entry_fingerprint,
            )
            for h in Hit.objects.filter(organisation=org)
        ),
        "alerts": _sorted(
            (
                suppliers[a.supplier_id],
                a.party.name if a.party else "",
                a.change,
                a.watchlist,
                a.entry_reference,
                a.entry_caption,
                round(a.score, 9),
                repr(a.explanation),
                a.status,
            )
            for a in Alert.objects.filter(organisation=org).select_related("party")
        ),
    }


@pytest.fixture
def listed(tmp_path: Path, settings: Any) -> None:
    settings.DATA_DIR = tmp_path
    path = tmp_path / "debarred-firms.csv"
    rows = [f"{n},firm,Myanmar,,2024-01-01,2030-01-01,Fraud" for n in LISTED]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    screening.load_list(path, "debarment", code="synthetic-debarment")
    selectors.screening_index()


@pytest.mark.slow
@pytest.mark.django_db
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=batches())
def test_bulk_and_one_by_one_store_the_same_rows(
    listed: None, django_capture_on_commit_callbacks: Any, batch: list[services.SupplierData]
) -> None:
    n = next(EXAMPLES)
    one = Organisation.objects.create(code=f"one-by-one-{n}", name="One by one")
    bulk = Organisation.objects.create(code=f"bulk-{n}", name="Bulk")
    events: list[tuple[str, int]] = []

    def seen(sender: Any, kind: str = "", ids: Any = (), **kwargs: Any) -> None:
        events.append((kind, len(list(ids))))

    records_changed.connect(seen, dispatch_uid="test_bulk")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            for data in batch:
                services.create_supplier(Actor.system("test", one.pk), one, data)
        events.clear()
        with django_capture_on_commit_callbacks(execute=True):
            made = services.create_suppliers(Actor.system("test", bulk.pk), bulk, batch)
    finally:
        records_changed.disconnect(dispatch_uid="test_bulk")
    assert [s.reference for s in made] == [d.reference for d in batch]
    assert _rows(bulk) == _rows(one)
    assert events.count(("suppliers.supplier", len(batch))) == 1
    assert [k for k, _n in events].count("suppliers.supplier") == 1
    # a listed name among the suppliers or their parties was queued
    listed_names = {d.name for d in batch} | {p.name for d in batch for p in d.parties}
    if listed_names & set(LISTED):
        assert Alert.objects.filter(organisation=bulk).exists()


def test_a_reference_taken_registers_nothing(world: Any) -> None:
    actor = Actor.system("test", world.own.pk)
    services.create_supplier(actor, world.own, services.SupplierData("S-1", "Firm One"))
    from vigie.core.errors import Conflict

    with pytest.raises(Conflict):
        services.create_suppliers(
            actor,
            world.own,
            [services.SupplierData("S-2", "Firm Two"), services.SupplierData("S-1", "Again")],
        )
    assert list(Supplier.objects.values_list("reference", flat=True)) == ["S-1"]
