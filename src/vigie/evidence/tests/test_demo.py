"""The demonstration data load synthetic evidence that verifies."""

from __future__ import annotations

from typing import Any

from vigie import demo
from vigie.evidence.models import Item
from vigie.evidence.verify import verify_all


def test_demo_evidence(db: Any) -> None:
    demo.load(seed=7, records=5, echo=lambda *_: None)
    assert Item.objects.count() == 7
    assert Item.objects.filter(sealed=True).count() == 1
    assert Item.objects.filter(derivation="transcript").count() == 1
    assert verify_all().ok
