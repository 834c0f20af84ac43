"""Importing transaction files: mappings, refusals with line and column, atomic or partial."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from vigie.core.actor import Actor
from vigie.core.errors import Conflict, Forbidden, Invalid
from vigie.finance import keys, mapping, services
from vigie.finance.cli import finance
from vigie.finance.models import Account, TransactionFile
from vigie.finance.tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db
AMLSIM = Path(mapping.__file__).with_name("data") / "mappings" / "amlsim.yaml"
HEADER = "tx_id,ts,amount,currency,from_account,to_account,channel\n"


def _csv(tmp_path: Path, body: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_amlsim_output_imports_through_its_mapping(world: Any, analyst: Actor) -> None:
    result = services.import_transactions(
        analyst, world.own, FIXTURES / "amlsim_sample_tx.csv", mapping.load(AMLSIM)
    )
    assert result.rows == 45 and result.rejected == 0
    assert Account.objects.filter(organisation=world.own).count() == result.accounts_new > 10
    tx_file = TransactionFile.objects.get()
    assert tx_file.first_at is not None and tx_file.first_at.year == 2017


def test_a_bad_row_refuses_the_file_and_names_line_column_and_why(
    world: Any, analyst: Actor, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path,
        "T1,2025-01-02 10:00:00,100,EUR,IBAN-SECRET-1,B2,transfer\n"
        "T2,yesterday,12x,EUR,A1,B2,teleport\n"
        "T1,2025-01-03 10:00:00,50,EUR,A1,B2,transfer\n",
    )
    with pytest.raises(Invalid) as refused:
        services.import_transactions(analyst, world.own, path, mapping.IDENTITY_MAPPING)
    problems = refused.value.detail["problems"]
    # a value is quoted only when it cannot be a name (at most one letter); words are
    # described instead, since a shifted row can put a holder's name in any column (ADR 0054)
    assert {(p["line"], p["column"], p["value"], p["shape"]) for p in problems} >= {
        (3, "ts", None, "9 characters: letters"),
        (3, "amount", "12x", None),
        (3, "channel", None, "8 characters: letters"),
        (4, "tx_id", "T1", None),
    }
    assert "line 3" in refused.value.message
    assert "IBAN-SECRET-1" not in json.dumps(refused.value.as_problem())
    assert not TransactionFile.objects.exists() and not Account.objects.exists()


def test_partial_keeps_the_good_rows(world: Any, analyst: Actor, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "T1,2025-01-02 10:00:00,100,EUR,A1,B2,transfer\nT2,2025-01-02,-5,EUR,A1,,cash_deposit\n",
    )
    result = services.import_transactions(
        analyst, world.own, path, mapping.IDENTITY_MAPPING, partial=True
    )
    assert (result.rows, result.rejected) == (1, 1)
    assert result.problems[0].reason == "negative"


def test_the_same_file_twice_and_a_known_transaction_are_refused(
    world: Any, analyst: Actor, tmp_path: Path
) -> None:
    path = _csv(tmp_path, "T1,2025-01-02 10:00:00,100,EUR,A1,B2,transfer\n")
    services.import_transactions(analyst, world.own, path, mapping.IDENTITY_MAPPING)
    with pytest.raises(Conflict):
        services.import_transactions(analyst, world.own, path, mapping.IDENTITY_MAPPING)
    again = _csv(tmp_path, "T1,2025-01-05 10:00:00,100,EUR,A1,B2,transfer\n", "again.csv")
    with pytest.raises(Invalid) as known:
        services.import_transactions(analyst, world.own, again, mapping.IDENTITY_MAPPING)
    assert known.value.detail["problems"][0]["why"] == "already imported"


def test_a_missing_column_names_the_mapping(world: Any, analyst: Actor, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("id,when,value\n1,2025-01-01,3\n", encoding="utf-8")
    with pytest.raises(Invalid) as missing:
        services.import_transactions(analyst, world.own, path, mapping.IDENTITY_MAPPING)
    assert missing.value.code == "column_missing" and "mapping" in missing.value.message


def test_xlsx_files_import_and_huge_cells_are_refused(
    world: Any, analyst: Actor, tmp_path: Path
) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER.strip().split(","))
    ws.append(["X1", "2025-02-01 09:00:00", 250.5, "EUR", "A9", "B9", "transfer"])
    wb.save(tmp_path / "t.xlsx")
    result = services.import_transactions(
        analyst, world.own, tmp_path / "t.xlsx", mapping.IDENTITY_MAPPING
    )
    assert result.rows == 1
    ws.append(["X2", "2025-02-01 09:00:00", 1, "EUR", "A" * 100_000, "B9", "transfer"])
    wb.save(tmp_path / "big.xlsx")
    with pytest.raises(Invalid) as big:
        services.import_transactions(
            analyst, world.own, tmp_path / "big.xlsx", mapping.IDENTITY_MAPPING
        )
    assert big.value.code == "cell_too_long" and big.value.detail["row"] == 3


def test_only_finance_roles_import(world: Any, tmp_path: Path) -> None:
    path = _csv(tmp_path, "T1,2025-01-02 10:00:00,100,EUR,A1,B2,transfer\n")
    with pytest.raises(Forbidden):
        services.import_transactions(
            Actor(user=world.users["case_manager"]), world.own, path, mapping.IDENTITY_MAPPING
        )


def test_cli_import_run_alerts_report(
    world: Any, tmp_path: Path, planted: tuple[Path, dict[str, str]]
) -> None:
    path, _labels = planted
    runner = CliRunner()
    user = world.users["financial_analyst"].username
    out = runner.invoke(finance, ["import", str(path), "--user", user, "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["rows"] > 4000
    out = runner.invoke(finance, ["run", "--user", user, "--json"])
    assert out.exit_code == 0 and json.loads(out.output)["alerts_new"] > 0
    out = runner.invoke(finance, ["alerts", "--user", user, "--json"])
    flagged = json.loads(out.output)
    assert flagged and all(row["rules"] for row in flagged)
    target = tmp_path / "str.xml"
    out = runner.invoke(
        finance,
        ["report", "--alert", flagged[0]["alerts"][0], "-o", str(target), "--user", user],
    )
    assert out.exit_code == 0, out.output
    assert target.read_bytes().startswith(b"<?xml")
    denied = runner.invoke(finance, ["run", "--user", world.users["case_manager"].username])
    assert denied.exit_code == 3 and "finance.view" in denied.output
    neither = runner.invoke(finance, ["run"])
    assert neither.exit_code == 2 and "--as-system" in neither.output


@pytest.mark.django_db(transaction=False)
def test_the_fast_account_insert_stores_what_bulk_create_stores(world: Any) -> None:
    """accounts.insert_accounts copies bulk_create: both paths, same input, same accounts."""
    import datetime as dt

    from django.utils import timezone
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from vigie.finance import accounts as importer

    text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)
    when = st.none() | st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2030, 1, 1)).map(
        lambda d: timezone.make_aware(d.replace(microsecond=0), dt.UTC)
    )
    account = st.tuples(
        text.filter(bool), st.none() | text, st.sampled_from(["", "LY", "TN"]), when, when
    )

    @settings(max_examples=25, deadline=None)
    @given(st.lists(account, min_size=1, max_size=5))
    def check(items: list[tuple[Any, ...]]) -> None:
        def build(prefix: str) -> list[Account]:
            return [
                Account(organisation=world.own, number=n, number_key=f"{prefix}{i}",
                        holder=h, country=c, first_seen=f, last_seen=last)
                for i, (n, h, c, f, last) in enumerate(items)
            ]  # fmt: skip

        Account.objects.bulk_create(build("orm-"))
        raw = [
            {"organisation_id": world.own.pk, "number": n, "number_key": f"raw-{i}",
             "holder": h, "country": c, "first_seen": f, "last_seen": last}
            for i, (n, h, c, f, last) in enumerate(items)
        ]  # fmt: skip
        importer.insert_accounts(raw)
        fields = ["number", "holder", "country", "first_seen", "last_seen", "organisation_id",
                  "score", "score_detail", "institution"]  # fmt: skip
        for i in range(len(items)):
            orm = Account.objects.get(number_key=f"orm-{i}")
            fast = Account.objects.get(number_key=f"raw-{i}")
            assert [getattr(orm, f) for f in fields] == [getattr(fast, f) for f in fields]
        Account.objects.all().delete()

    check()


def test_a_second_file_widens_known_accounts_and_fills_an_unknown_holder(
    world: Any, analyst: Actor, tmp_path: Path
) -> None:
    header = "tx_id,ts,amount,currency,from_account,to_account,channel,from_name\n"
    first = tmp_path / "a.csv"
    first.write_text(header + "T1,2025-03-02 10:00:00,100,EUR,A1,B2,transfer,\n", "utf-8")
    second = tmp_path / "b.csv"
    second.write_text(
        header
        + "T2,2025-01-05 09:00:00,40,EUR,A1,C3,transfer,Synthetic Holder\n"
        + "T3,2025-02-01 09:00:00,40,EUR,C3,D4,transfer,\n",
        "utf-8",
    )
    services.import_transactions(analyst, world.own, first, mapping.IDENTITY_MAPPING)
    result = services.import_transactions(analyst, world.own, second, mapping.IDENTITY_MAPPING)
    assert result.accounts_new == 2  # C3 and D4; A1 is known
    a1 = Account.objects.get(organisation=world.own, number_key=keys.account_key("A1"))
    assert a1.first_seen is not None and a1.first_seen.month == 1
    assert a1.last_seen is not None and a1.last_seen.month == 3
    assert a1.holder == "Synthetic Holder"
    b2 = Account.objects.get(organisation=world.own, number_key=keys.account_key("B2"))
    assert b2.first_seen == b2.last_seen and b2.holder is None
