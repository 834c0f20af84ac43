"""The network demo: synthetic cases in three organisations and a FollowTheMoney file whose
phone number meets a victim's."""

from __future__ import annotations

import random

import pytest

from vigie.core.models import Organisation
from vigie.demo import DemoContext
from vigie.network import demo, keys
from vigie.network.models import Edge, GraphImport, Node

pytestmark = pytest.mark.django_db


def test_demo_network() -> None:
    orgs = {
        code: Organisation.objects.create(code=code, name=code)
        for code in ("iom", "unhcr", "ntf-ng")
    }
    ctx = DemoContext(7, 0, "pw", random.Random(7), organisations=orgs, echo=lambda *a: None)
    demo.load(ctx)
    demo.load(ctx)  # a second load adds nothing
    phone = Node.objects.get(key=keys.value_key("phone", demo.PHONES[0]))
    linked = Edge.objects.filter(target=phone)
    assert {e.record_type for e in linked} == {"cases.case", "network.graphimport"}
    assert len({e.organisation_id for e in linked}) >= 2
    assert GraphImport.objects.count() == 1
    assert Node.objects.filter(kind="vehicle").count() == 1
