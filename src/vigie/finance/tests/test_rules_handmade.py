"""Rules on small hand-made transaction sets: each fires where it must and not elsewhere.

The rules rewritten for speed (ADR 0806: ``rapid_pass_through`` over the shared
``next_out`` relation, ``recruitment_fees`` with its median over the alert's window only)
are checked here on sets built by hand, with the facts their explanations show.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vigie.core.actor import Actor
from vigie.finance import keys, mapping, services
from vigie.finance.models import Alert

pytestmark = pytest.mark.django_db
HEADER = "tx_id,ts,amount,currency,from_account,to_account,channel\n"


def _run(
    world: Any, analyst: Actor, tmp_path: Path, rows: list[str], rule: str
) -> dict[str, Alert]:
    path = tmp_path / "hand.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    services.import_transactions(analyst, world.own, path, mapping.IDENTITY_MAPPING)
    services.run_rules(analyst, world.own, only=[rule])
    return {
        a.account.number_key: a
        for a in Alert.objects.filter(organisation=world.own, rule=rule).select_related("account")
    }


def test_rapid_pass_through_fires_on_money_passed_on_within_two_days(
    world: Any, analyst: Actor, tmp_path: Path
) -> None:
    rows = []
    for n, day in enumerate((1, 3, 5), start=1):
        # PASS-1 receives 1,000 and sends 950 on the next morning: passed on within 48 h.
        rows.append(f"IN{n},2025-04-{day:02d} 10:00:00,1000,EUR,SRC-{n},PASS-1,transfer")
        rows.append(f"OUT{n},2025-04-{day + 1:02d} 09:00:00,950,EUR,PASS-1,DEST-9,transfer")
    for n, day in enumerate((1, 10, 20), start=1):
        # SLOW-2: the same sums, sent on three days later each time.
        rows.append(f"SIN{n},2025-05-{day:02d} 10:00:00,1000,EUR,SRC-{n},SLOW-2,transfer")
        rows.append(f"SOUT{n},2025-05-{day + 3:02d} 10:00:00,950,EUR,SLOW-2,DEST-9,transfer")
    for n, day in enumerate((1, 3, 5), start=1):
        # HALF-3: sends on the next morning, but only half of what came in.
        rows.append(f"HIN{n},2025-06-{day:02d} 10:00:00,1000,EUR,SRC-{n},HALF-3,transfer")
        rows.append(f"HOUT{n},2025-06-{day + 1:02d} 09:00:00,500,EUR,HALF-3,DEST-9,transfer")
    alerts = _run(world, analyst, tmp_path, rows, "rapid_pass_through")
    assert set(alerts) == {keys.account_key("PASS-1")}
    alert = alerts[str(keys.account_key("PASS-1"))]
    assert sorted(alert.transactions) == ["IN1", "IN2", "IN3", "OUT1", "OUT2", "OUT3"]
    assert alert.facts["pairs"] == 3 and alert.facts["share_pct"] == 100
    assert float(alert.amount) == 3000


def test_recruitment_fees_fire_on_many_senders_paying_the_same_small_sum(
    world: Any, analyst: Actor, tmp_path: Path
) -> None:
    rows = []
    for n, amount in enumerate((500, 500, 510, 490, 500, 505), start=1):
        rows.append(
            f"R{n},2025-03-{n + 1:02d} 10:00:00,{amount},EUR,WORKER-{n},RECRUIT-1,remittance"
        )
    for n, amount in enumerate((100, 900, 300, 1500, 50, 700), start=1):
        # SHOP-2: six senders too, but sums that differ widely.
        rows.append(f"S{n},2025-03-{n + 1:02d} 10:00:00,{amount},EUR,BUYER-{n},SHOP-2,transfer")
    for n in range(1, 6):
        # FIVE-3: the same sum, from five senders only.
        rows.append(f"F{n},2025-03-{n + 1:02d} 10:00:00,500,EUR,PAYER-{n},FIVE-3,remittance")
    # A seventh payment to RECRUIT-1 two months later is outside the alert's window.
    rows.append("R9,2025-05-20 10:00:00,1200,EUR,WORKER-9,RECRUIT-1,remittance")
    alerts = _run(world, analyst, tmp_path, rows, "recruitment_fees")
    assert set(alerts) == {keys.account_key("RECRUIT-1")}
    alert = alerts[str(keys.account_key("RECRUIT-1"))]
    assert sorted(alert.transactions) == [f"R{n}" for n in range(1, 7)]
    assert alert.facts["senders"] == 6 and alert.facts["typical"] == 500
    assert float(alert.amount) == 3005


def test_funnel_account_fires_on_many_senders_whose_money_is_sent_on(
    world: Any, analyst: Actor, tmp_path: Path
) -> None:
    rows = []
    # FUNNEL-1: eight senders in twelve days, across the 30-day bucket boundary of the
    # rule's pre-filter (2025-01-12), then 7,000 of the 8,000 sent on.
    for n, day in enumerate((5, 6, 7, 8, 13, 14, 15, 16), start=1):
        rows.append(f"F{n},2025-01-{day:02d} 10:00:00,1000,EUR,S-{n},FUNNEL-1,transfer")
    rows.append("FO,2025-01-17 10:00:00,7000,EUR,FUNNEL-1,ABROAD-9,transfer")
    for n in range(1, 9):
        # MONTHLY-2: eight senders too, one a month, all sent on.
        rows.append(f"M{n},2025-{n + 1:02d}-03 10:00:00,1000,EUR,S-{n},MONTHLY-2,transfer")
        rows.append(f"MO{n},2025-{n + 1:02d}-04 10:00:00,1000,EUR,MONTHLY-2,ABROAD-9,transfer")
    for n in range(1, 9):
        # KEEPS-3: eight senders in eight days, the money stays.
        rows.append(f"K{n},2025-03-{n + 1:02d} 10:00:00,1000,EUR,S-{n},KEEPS-3,transfer")
    alerts = _run(world, analyst, tmp_path, rows, "funnel_account")
    assert set(alerts) == {keys.account_key("FUNNEL-1")}
    alert = alerts[str(keys.account_key("FUNNEL-1"))]
    assert sorted(alert.transactions) == sorted([f"F{n}" for n in range(1, 9)] + ["FO"])
    assert alert.facts["senders"] == 8 and alert.facts["out_pct"] == 88
