"""goAML reports: generated ones validate against 5.0.1; hostile received ones are refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vigie.core.actor import Actor
from vigie.core.errors import Forbidden, Invalid, TooLarge
from vigie.core.models import AccessLogEntry
from vigie.finance import goaml, mapping, reports, services
from vigie.finance.models import Alert

pytestmark = pytest.mark.django_db


def test_every_alert_becomes_a_valid_str_naming_its_accounts(
    world: Any, analyst: Actor, planted: tuple[Path, dict[str, str]]
) -> None:
    path, _labels = planted
    services.import_transactions(analyst, world.own, path, mapping.IDENTITY_MAPPING)
    services.run_rules(analyst, world.own)
    rules_seen = set()
    for alert in Alert.objects.select_related("account", "organisation"):
        if alert.rule in rules_seen:
            continue
        rules_seen.add(alert.rule)
        xml = reports.goaml_str(analyst, alert)  # validates, or raises
        parsed = goaml.parse_received(xml, "round trip")
        assert parsed["report_code"] == "STR"
        assert len(parsed["transaction"]) == len(alert.transactions)
        assert alert.account.number in xml.decode()
    assert len(rules_seen) >= 8
    assert AccessLogEntry.objects.filter(
        object_type="finance.alert", action="export"
    ).count() == len(rules_seen)


def test_a_case_worker_cannot_file_a_report(
    world: Any, analyst: Actor, planted: tuple[Path, dict[str, str]]
) -> None:
    path, _ = planted
    services.import_transactions(analyst, world.own, path, mapping.IDENTITY_MAPPING)
    services.run_rules(analyst, world.own)
    alert = Alert.objects.first()
    assert alert is not None
    with pytest.raises(Forbidden):
        reports.goaml_str(Actor(user=world.users["case_manager"]), alert)


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<report><rentity_id>&lol2;</rentity_id></report>"""


def test_hostile_goaml_is_refused_clearly() -> None:
    with pytest.raises(Invalid) as dtd:
        goaml.parse_received(BOMB, "bomb.xml")
    assert dtd.value.code == "xml_dtd_refused"
    with pytest.raises(TooLarge):
        goaml.parse_received(b"<report>" + b" " * (goaml.MAX_RECEIVED + 1), "big.xml")
    wrong = b"""<?xml version="1.0"?><report><rentity_id>0</rentity_id></report>"""
    with pytest.raises(Invalid) as invalid:
        goaml.parse_received(wrong, "wrong.xml")
    assert invalid.value.code == "goaml_invalid"
    assert "rentity_id" in str(invalid.value) or "line" in str(invalid.value)


def test_huge_amounts_and_wrong_dates_are_schema_errors() -> None:
    tx = {
        "tx_id": "T1",
        "ts": __import__("datetime").datetime(1700, 1, 1),
        "amount": "79000000000000000",
        "from_account": "k1",
        "to_account": "k2",
        "channel": "transfer",
        "location": "",
        "from_country": "IT",
        "to_country": "IT",
    }
    with pytest.raises(Invalid) as error:
        goaml.build_str(
            reference="R",
            reason="r",
            action="a",
            transactions=[tx],
            accounts={"k1": "A", "k2": "B"},
        )
    assert error.value.code == "goaml_invalid"
