"""Terrorism-financing links: a flagged account paying a listed name is flagged again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vigie.core.actor import Actor
from vigie.finance import mapping, services
from vigie.finance.models import Alert
from vigie.screening import services as screening
from vigie.screening.tests.factories import SAMPLE, un_xml, write

pytestmark = pytest.mark.django_db
HEADER = "tx_id,ts,amount,currency,from_account,to_account,channel,location,from_name,to_name\n"


def test_a_flagged_account_two_hops_from_a_listed_name(
    world: Any, analyst: Actor, tmp_path: Path
) -> None:
    screening.load_list(write(tmp_path, "un.xml", un_xml(SAMPLE)))
    rows = [
        # structuring into SMURF-1, then money out via MID-2 to a listed person's account
        "S1,2025-03-01 10:00:00,9100,EUR,,SMURF-1,cash_deposit,Branch A,,",
        "S2,2025-03-02 10:00:00,9400,EUR,,SMURF-1,cash_deposit,Branch B,,",
        "S3,2025-03-03 10:00:00,9700,EUR,,SMURF-1,cash_deposit,Branch C,,",
        "T1,2025-03-04 10:00:00,25000,EUR,SMURF-1,MID-2,transfer,,Amina Synthetic,Omar Synthetic",
        "T2,2025-03-05 10:00:00,24000,EUR,MID-2,LISTED-3,transfer,,Omar Synthetic,Ermias Gebray",
        # an honest account paying the same listed name is not flagged: no other red flag
        "H1,2025-03-06 10:00:00,120,EUR,HONEST-4,LISTED-3,transfer,,Nadia Synthetic,Ermias Gebray",
    ]
    path = tmp_path / "tx.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    services.import_transactions(analyst, world.own, path, mapping.IDENTITY_MAPPING)
    services.run_rules(analyst, world.own)
    linked = Alert.objects.get(rule="listed_counterparty")
    assert linked.account.number == "SMURF-1"
    assert linked.facts["reference"] == "LYi.901" and linked.facts["hops"] == 2
    assert set(linked.transactions) == {"T1", "T2"}
    flagged = {a.account.number for a in Alert.objects.filter(rule="listed_counterparty")}
    assert flagged == {"SMURF-1"}
