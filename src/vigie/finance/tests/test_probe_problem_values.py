"""Probe (issue 15, ADR 0054): a refused row never quotes a name, whatever its column.

A mistaken mapping (or a holder name holding a comma, which shifts a row's cells) puts a
holder's name in an ordinary column (date, amount, channel), whose refused values were quoted
in the job's error, read by organisation administrators without the identity permission."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vigie.core.actor import Actor
from vigie.core.errors import Invalid
from vigie.finance import mapping, services
from vigie.finance.cli import finance

pytestmark = pytest.mark.django_db
# the bank's file: the holder's name beside the date, and a mapping that took one for the other
BANK = (
    "ref,holder,booked,sum,payer,payee\n"
    "T1,Haddad,2025-01-02 10:00:00,100,A1,B2\n"
    "T2,Amina,2025-01-02 10:00:00,7y,A1,B2\n"
)
MISTAKEN = (
    "columns:\n  tx_id: ref\n  ts: holder\n  amount: sum\n  currency: {value: EUR}\n"
    "  from_account: payer\n  to_account: payee\n"
)


def _files(tmp_path: Path) -> tuple[Path, Path]:
    path, rules = tmp_path / "bank.csv", tmp_path / "mapping.yaml"
    path.write_text(BANK, encoding="utf-8")
    rules.write_text(MISTAKEN, encoding="utf-8")
    return path, rules


def test_probe_a_shifted_name_is_described_not_quoted(
    world: Any, analyst: Actor, tmp_path: Path
) -> None:
    path, rules = _files(tmp_path)
    with pytest.raises(Invalid) as refused:
        services.import_transactions(analyst, world.own, path, mapping.load(rules))
    text = json.dumps(refused.value.as_problem()) + refused.value.message
    assert "Haddad" not in text and "Amina" not in text
    problems = refused.value.detail["problems"]
    assert {
        "line": 2,
        "column": "ts",
        "value": None,
        "shape": "6 characters: letters",
        "why": "not a date and time",
    } in problems
    # a value that cannot be a name is still quoted: the error stays specific
    assert any(p["line"] == 3 and p["column"] == "amount" and p["value"] == "7y" for p in problems)


def test_probe_the_cli_describes_a_shifted_name(world: Any, analyst: Actor, tmp_path: Path) -> None:
    path, rules = _files(tmp_path)
    user = analyst.user.username
    args = ["import", str(path), "--mapping", str(rules), "--partial", "--user", user]
    out = CliRunner().invoke(finance, args, catch_exceptions=False).output
    assert "Amina" not in out and "Haddad" not in out
    assert "line 2, ts (6 characters: letters): not a date and time" in out
