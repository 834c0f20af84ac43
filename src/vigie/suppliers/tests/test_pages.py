"""The pages: dashboard with the map data, supplier page (owners' names access-logged), the
review form, and the supplier's French questionnaire page answered without an account."""

from __future__ import annotations

import json
from typing import Any

from vigie.core.actor import Actor
from vigie.core.models import AccessLogEntry
from vigie.suppliers import duediligence, services
from vigie.suppliers.models import Alert, Invitation, Supplier
from vigie.suppliers.tests.conftest import FIRM
from vigie.testing import World

ANSWERS = {
    "fees": "no",
    "documents": "no",
    "contract_language": "yes",
    "movement": "yes",
    "grievance": "yes",
    "subcontracting": "no",
    "monitoring": "independent_audit",
}


def _supplier(world: World) -> Supplier:
    actor = Actor(world.users["procurement_officer"], world.own.pk)
    return services.create_supplier(
        actor,
        world.own,
        services.SupplierData(
            reference="P-1",
            name="Synthetic Kiln Works Ltd",
            country="MM",
            parties=[services.PartyData("Amadou Synthetique", "owner")],
            products=[services.ProductData("Clay bricks", good="bricks")],
        ),
    )


def _map_rows(client: Any) -> Any:
    page = client.get("/suppliers/")
    assert page.status_code == 200
    body = page.content.decode()
    return json.loads(body.split('id="risk-data" type="application/json">')[1].split("<")[0])


def test_dashboard_and_supplier_page(
    world: World, web: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        supplier = _supplier(world)
    client = web(world.users["procurement_officer"])
    rows = _map_rows(client)
    assert rows == [{"id": "104", "risk": supplier.risk_score, "n": 1, "name": "Myanmar"}]
    # a new supplier (its change event) shows at the next request: the cache is not stale
    with django_capture_on_commit_callbacks(execute=True):
        services.create_supplier(
            Actor(world.users["procurement_officer"], world.own.pk),
            world.own,
            services.SupplierData(reference="P-2", name="Synthetic Two", country="Myanmar"),
        )
    assert _map_rows(client)[0]["n"] == 2
    detail = client.get(f"/suppliers/{supplier.pk}/").content.decode()
    assert "Amadou Synthetique" in detail and "US DOL" in detail
    assert AccessLogEntry.objects.filter(object_type="suppliers.party").count() == 1
    # a viewer without the review permission does not see the owners
    viewer = web(world.users["auditor"])
    assert viewer.get(f"/suppliers/{supplier.pk}/").status_code == 403


def test_review_through_the_page(
    world: World, web: Any, load_debarment: Any, django_capture_on_commit_callbacks: Any
) -> None:
    load_debarment([FIRM])
    with django_capture_on_commit_callbacks(execute=True):
        supplier = _supplier(world)
    alert = Alert.objects.get(supplier=supplier, party=None)
    client = web(world.users["procurement_officer"])
    queue = client.get("/suppliers/queue/").content.decode()
    assert "Synthetic Kiln Works" in queue and alert.entry_reference in queue
    res = client.post(f"/suppliers/queue/{alert.pk}/", {"decision": "block", "reason": "same firm"})
    assert res.status_code == 302
    supplier.refresh_from_db()
    assert supplier.status == "blocked"
    # no reason: refused, nothing recorded
    other = Alert.objects.create(
        organisation=world.own,
        supplier=supplier,
        change="new",
        watchlist="x",
        entry_reference="X-1",
        entry_caption="Synthetic",
    )
    client.post(f"/suppliers/queue/{other.pk}/", {"decision": "clear", "reason": " "})
    other.refresh_from_db()
    assert other.status == "open"


def test_french_questionnaire_page(world: World, client: Any) -> None:
    supplier = _supplier(world)
    _inv, token = duediligence.create_invitation(
        Actor(world.users["procurement_officer"], world.own.pk), supplier, language="fr"
    )
    page = client.get(f"/suppliers/answer/{token}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Les travailleurs paient-ils" in text and "Oui" in text
    res = client.post(
        f"/suppliers/answer/{token}/",
        {**ANSWERS, "statement": "Déclaration", "statement_year": "2026"},
    )
    assert res.status_code == 200 and 'data-testid="thanks"' in res.content.decode()
    assert Invitation.objects.get().status == "submitted"
    again = client.get(f"/suppliers/answer/{token}/")
    assert again.status_code == 409
