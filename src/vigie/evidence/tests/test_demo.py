"""The demonstration data load synthetic evidence that verifies."""

from __future__ import annotations

from typing import Any

from vigie import demo
from vigie.cases.models import Case
from vigie.evidence.models import Item, ItemLink
from vigie.evidence.verify import verify_all


def test_demo_evidence(db: Any) -> None:
    demo.load(seed=7, records=5, echo=lambda *_: None)
    assert Item.objects.count() == 7
    assert Item.objects.filter(sealed=True).count() == 1
    assert Item.objects.filter(derivation="transcript").count() == 1
    assert verify_all().ok
    # Every item is linked to a real demo case record of its organisation.
    links = ItemLink.objects.filter(kind="case").select_related("case", "item")
    assert links.count() == 7
    assert all(link.case is not None for link in links)
    assert all(link.case.organisation_id == link.item.organisation_id for link in links)
    assert all(link.case.reference == link.item.case_ref for link in links)
    assert Case.objects.filter(pk__in=[link.case_id for link in links]).exists()
