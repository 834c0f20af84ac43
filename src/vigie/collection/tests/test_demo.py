from __future__ import annotations

import random
from typing import Any

import pytest

from vigie.collection import demo
from vigie.collection.models import Submission
from vigie.core import demo as core_demo
from vigie.demo import DemoContext

pytestmark = pytest.mark.django_db


def test_demo_publishes_the_htcds_form_with_waiting_submissions(settings: Any) -> None:
    ctx = DemoContext(2331, 10, "demo-password", random.Random(2331))
    core_demo.load(ctx)
    demo.load(ctx)
    demo.load(ctx)  # loading twice adds nothing
    subs = Submission.objects.filter(organisation__code="unicef")
    assert subs.count() == 6 and {s.status for s in subs} == {"waiting"}
    household = subs.get(form_version__form__form_id="household_synthetic")
    assert household.device is not None and household.device.team is not None
    from vigie.collection import mapping

    record = mapping.of_submission(household).record
    assert [v["sex"] for v in record["victims"]] == ["female", "male"]
