"""ISO 20022 camt.053 statements and received goAML reports imported through the one import
path: direction from the credit/debit indicator, several transactions in one entry, both party
layouts, problems at the XML line, hostile XML refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest

from vigie.core.actor import Actor
from vigie.core.errors import Invalid
from vigie.finance import bankfiles, goaml, keys, mapping, services, store
from vigie.finance.models import Account, TransactionFile
from vigie.finance.tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db


def rows_of(tx_file: TransactionFile) -> list[dict[str, Any]]:
    con = duckdb.connect()
    rel = con.sql(
        "SELECT * FROM read_parquet(?) ORDER BY tx_id", params=[str(store.path_of(tx_file))]
    )
    names = [d[0] for d in rel.description]
    return [dict(zip(names, r, strict=True)) for r in rel.fetchall()]


def test_camt053_v08_entries_and_their_transactions(world: Any, analyst: Actor) -> None:
    result = services.import_transactions(
        analyst, world.own, FIXTURES / "camt053_v08_synthetic.xml", mapping.load(None)
    )
    assert (result.rows, result.rejected) == (4, 0)
    rows = {r["tx_id"]: r for r in rows_of(TransactionFile.objects.get())}
    assert sorted(rows) == ["BANKREF-0001", "E2E-OUT-1", "TX-A-1", "TX-A-2"]
    own = keys.account_key("LY83002048000020100120361")
    cash = rows["BANKREF-0001"]  # a counter cash deposit: no sending account
    assert cash["channel"] == "cash_deposit" and cash["from_key"] is None
    assert cash["to_key"] == own and float(cash["amount"]) == 1500.0
    assert cash["ts"] == dt.datetime(2026, 3, 1, 9, 15)
    one = rows["TX-A-1"]  # a credit: the debtor sends to the statement's account
    assert one["from_key"] == keys.account_key("NE-ACCT-778812") and one["to_key"] == own
    assert float(one["amount"]) == 400.0 and one["from_country"] == "NE"
    assert one["channel"] == "transfer" and one["currency"] == "LYD"
    assert rows["TX-A-2"]["from_country"] == "TN"  # from the IBAN
    out = rows["E2E-OUT-1"]  # a debit: the statement's account pays the creditor
    assert out["from_key"] == own and out["to_key"] == keys.account_key(
        "IT60X0542811101000000123456"
    )
    assert float(out["amount"]) == 2300.0 and out["to_country"] == "IT"
    holders = {a.holder for a in Account.objects.filter(organisation=world.own)}
    assert {"Synthetic Travel Agency", "Synthetic Sender One"} <= holders


def test_camt053_v02_problem_named_at_its_xml_line(world: Any, analyst: Actor) -> None:
    path = FIXTURES / "camt053_v02_synthetic.xml"
    with pytest.raises(Invalid) as refused:
        services.import_transactions(analyst, world.own, path, mapping.load(None))
    problems = refused.value.detail["problems"]
    assert [(p["column"], p["why"]) for p in problems] == [("amount", "missing")]
    text = path.read_text().splitlines()
    assert "<TxDtls>" in text[problems[0]["line"] - 1]  # the line of the refused transaction
    assert not TransactionFile.objects.exists()
    result = services.import_transactions(
        analyst, world.own, path, mapping.load(None), partial=True
    )
    assert (result.rows, result.rejected) == (1, 1)
    (card,) = rows_of(TransactionFile.objects.get())
    assert card["channel"] == "card" and card["from_key"] == keys.account_key("ACCT-SYN-55")


def test_a_mapping_file_is_refused_for_xml(world: Any, analyst: Actor) -> None:
    custom = mapping.from_dict({"columns": {"tx_id": "a", "ts": "b", "amount": "c"}})
    with pytest.raises(Invalid) as refused:
        services.import_transactions(
            analyst, world.own, FIXTURES / "camt053_v08_synthetic.xml", custom
        )
    assert refused.value.code == "mapping_not_applicable"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]>'
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"/>',
            "xml_dtd_refused",
        ),
        ('<?xml version="1.0"?><invoice/>', "xml_unknown"),
        (
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
            "<Stmt><Ntry>",
            "xml_malformed",
        ),
        (
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'
            "<BkToCstmrStmt><Stmt/></BkToCstmrStmt></Document>",
            "statement_empty",
        ),
    ],
)
def test_hostile_or_wrong_xml_is_refused(
    world: Any, analyst: Actor, tmp_path: Path, body: str, code: str
) -> None:
    path = tmp_path / "in.xml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(Invalid) as refused:
        services.import_transactions(analyst, world.own, path, mapping.load(None))
    assert refused.value.code == code
    assert not TransactionFile.objects.exists()


def test_a_received_goaml_report_imports_its_transactions(
    world: Any, analyst: Actor, tmp_path: Path
) -> None:
    when = dt.datetime(2026, 5, 4, 11, 30)
    data = goaml.build_str(
        reference="RE-SYN-1",
        reason="synthetic",
        action="none",
        transactions=[
            {"tx_id": "G-1", "ts": when, "amount": "250.00", "from_account": "k1",
             "to_account": "k2", "from_country": "NG", "to_country": "LY", "channel": "transfer"},
            {"tx_id": "G-2", "ts": when, "amount": "80.00", "from_account": None,
             "to_account": "k2", "location": "Sabha"},
        ],
        accounts={"k1": "NG-SYN-ACCT-1", "k2": "LY-SYN-ACCT-2"},
    )  # fmt: skip
    path = tmp_path / "received.xml"
    path.write_bytes(data)
    assert bankfiles.kind_of(path) == "goaml"
    result = services.import_transactions(analyst, world.own, path, mapping.load(None))
    assert (result.rows, result.rejected) == (2, 0)
    rows = {r["tx_id"]: r for r in rows_of(TransactionFile.objects.get())}
    assert rows["G-1"]["from_key"] == keys.account_key("NG-SYN-ACCT-1")
    assert rows["G-1"]["to_key"] == keys.account_key("LY-SYN-ACCT-2")
    assert rows["G-1"]["from_country"] == "NG" and float(rows["G-1"]["amount"]) == 250.0
    assert rows["G-2"]["from_key"] is None and rows["G-2"]["location"] == "Sabha"
    assert rows["G-1"]["currency"] == goaml.config()["currency"]


def test_an_invalid_goaml_report_names_the_schema_problem(
    world: Any, analyst: Actor, tmp_path: Path
) -> None:
    path = tmp_path / "bad.xml"
    path.write_text('<?xml version="1.0"?>\n<report><rentity_id>x</rentity_id></report>\n')
    with pytest.raises(Invalid) as refused:
        services.import_transactions(analyst, world.own, path, mapping.load(None))
    assert refused.value.code == "goaml_invalid" and "line 2" in refused.value.message
