from __future__ import annotations

import pytest
from django.core import mail

from vigie.identification.models import Referral, Service, ServiceArea

pytestmark = pytest.mark.django_db


def test_demo_builds_services_in_three_countries_and_referrals(settings: object) -> None:
    from vigie import demo

    demo.load(seed=7, records=30, echo=lambda *_: None)
    assert set(ServiceArea.objects.values_list("country", flat=True)) == {"LY", "NG", "IQ"}
    assert Service.objects.count() >= 40
    refs = Referral.objects.all()
    assert refs.count() >= 10
    assert {r.state for r in refs} >= {"sent", "accepted"}
    assert all("Synthetic" not in m.body for m in mail.outbox)
    before = Service.objects.count()
    demo.load(seed=7, records=30, echo=lambda *_: None)  # loading again adds nothing
    assert Service.objects.count() == before
