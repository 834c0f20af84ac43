from __future__ import annotations

import random
from typing import Any

from vigie.core import demo as core_demo
from vigie.demo import DemoContext
from vigie.suppliers import demo
from vigie.suppliers.models import Alert, Invitation, Supplier


def test_demo_suppliers_with_a_hit_to_review(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ctx = DemoContext(2331, 10, "demo-password", random.Random(2331))
    core_demo.load(ctx)
    with django_capture_on_commit_callbacks(execute=True):
        demo.load(ctx)
    demo.load(ctx)  # loading twice adds nothing
    assert Supplier.objects.count() == len(demo.SUPPLIERS)
    alert = Alert.objects.get()
    assert alert.change == "new" and alert.party is not None
    assert alert.supplier.reference == "UNGM-5102"
    assert Invitation.objects.filter(status="submitted").count() == 1
    cocoa = Supplier.objects.get(reference="UNGM-5103")
    assert any(p["source"] == "Due-diligence questionnaire" for p in cocoa.risk_detail)
