"""Continuous screening: a list update reaches the procurement queue; decisions stand."""

from __future__ import annotations

from typing import Any

from vigie.core.actor import Actor
from vigie.suppliers import services
from vigie.suppliers.models import Alert, Review, Supplier
from vigie.suppliers.tests.conftest import FIRM
from vigie.testing import World

OWNER = "Amadou Synthetique,individual,Myanmar,,2025-01-01,2031-01-01,Collusive practice"


def _register(world: World, django_capture_on_commit_callbacks: Any) -> Supplier:
    actor = Actor(world.users["procurement_officer"], world.own.pk)
    data = services.SupplierData(
        reference="SUP-1",
        name="Synthetic Kiln Works Ltd",
        country="Myanmar",
        parties=[
            services.PartyData("Amadou Synthetique", "owner", nationality="MM", share="60"),
            services.PartyData("Nadia Fictive", "director"),
        ],
        products=[services.ProductData("Clay bricks", good="bricks")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        return services.create_supplier(actor, world.own, data)


def test_list_update_adding_an_owner_makes_one_new_hit_and_keeps_decisions(
    world: World, load_debarment: Any, django_capture_on_commit_callbacks: Any
) -> None:
    load_debarment(["Unrelated Firm Zeta,firm,France,,2024-01-01,2030-01-01,Fraud"])
    supplier = _register(world, django_capture_on_commit_callbacks)
    assert not Alert.objects.exists()

    load_debarment(["Unrelated Firm Zeta,firm,France,,2024-01-01,2030-01-01,Fraud", FIRM])
    first = Alert.objects.get()
    assert (first.change, first.party, first.supplier) == ("new", None, supplier)
    assert first.explanation["features"] and first.score > 0.8
    officer = Actor(world.users["procurement_officer"], world.own.pk)
    services.record_review(officer, first, "clear", "registration number differs")

    load_debarment(["Unrelated Firm Zeta,firm,France,,2024-01-01,2030-01-01,Fraud", FIRM, OWNER])
    new = Alert.objects.exclude(pk=first.pk)
    assert new.count() == 1
    alert = new.get()
    assert alert.change == "new" and alert.party is not None and alert.party.role == "owner"
    first.refresh_from_db()
    assert first.status == "clear"
    assert Review.objects.filter(alert=first, decision="clear").count() == 1
    supplier.refresh_from_db()
    assert supplier.status == "review"


def test_removed_entry_is_reported(
    world: World, load_debarment: Any, django_capture_on_commit_callbacks: Any
) -> None:
    load_debarment([FIRM])
    supplier = _register(world, django_capture_on_commit_callbacks)
    assert supplier.alerts.count() == 1  # screened at registration
    officer = Actor(world.users["procurement_officer"], world.own.pk)
    services.record_review(officer, supplier.alerts.get(), "block", "same firm, same address")
    supplier.refresh_from_db()
    assert supplier.status == "blocked"
    load_debarment(["Unrelated Firm Zeta,firm,France,,2024-01-01,2030-01-01,Fraud"])
    removed = supplier.alerts.get(change="removed")
    assert removed.status == "open"
    assert Review.objects.filter(supplier=supplier, decision="block").exists()


def test_queue_and_review_through_the_api(
    world: World, api: Any, load_debarment: Any, django_capture_on_commit_callbacks: Any
) -> None:
    load_debarment([FIRM])
    _register(world, django_capture_on_commit_callbacks)
    client = api(world.users["procurement_officer"])
    queue = client.get("/api/suppliers/alerts/").json()
    assert [(a["supplier_reference"], a["change"], a["party_role"]) for a in queue] == [
        ("SUP-1", "new", None)
    ]
    assert queue[0]["explanation"]["reasons"]
    url = f"/api/suppliers/alerts/{queue[0]['id']}/review/"
    assert client.post(url, {"decision": "block", "reason": ""}, format="json").status_code == 400
    res = client.post(url, {"decision": "escalate", "reason": "legal office"}, format="json")
    assert res.status_code == 201 and res.json()["reviewer"] == "u-procurement_officer"
    assert Supplier.objects.get(reference="SUP-1").status == "review"  # escalated: still waiting
    res = client.post(url, {"decision": "block", "reason": "same firm"}, format="json")
    assert res.status_code == 201
    assert Supplier.objects.get(reference="SUP-1").status == "blocked"
    assert client.get("/api/suppliers/alerts/").json() == []
    assert [r.decision for r in Review.objects.order_by("pk")] == ["escalate", "block"]
