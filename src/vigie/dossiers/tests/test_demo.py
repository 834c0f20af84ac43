from __future__ import annotations

from typing import Any

import pytest

from vigie.dossiers.models import Dossier

pytestmark = pytest.mark.django_db


def test_demo_builds_one_synthetic_dossier_the_panel_can_open(api: Any) -> None:
    from vigie import demo
    from vigie.core.models import User

    demo.load(seed=7, records=60, echo=lambda *_: None)
    dossier = Dossier.objects.get()
    assert dossier.primary_name == "Kaldor Vesk Amaru"
    assert dossier.facts.count() == 2
    assert dossier.cases.count() > 0
    r = api(User.objects.get(username="panel")).get(
        f"/api/dossiers/{dossier.uuid}/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert r.status_code == 200
    sections = {s["code"]: s for s in r.json()["sections"]}
    # the agencies share their cases (without identities) with the panel
    assert sections["case-list"]["rows"]
    assert "victims" not in sections
    demo.load(seed=7, records=60, echo=lambda *_: None)  # loading again adds nothing
    assert Dossier.objects.count() == 1
