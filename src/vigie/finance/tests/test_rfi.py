"""The request for information to another FIU (Egmont style): the subjects in the requested
unit's country with their numbers, the Egmont conditions of use, the access log, and who may
make one."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from vigie.core.actor import Actor
from vigie.core.errors import Invalid
from vigie.core.models import AccessLogEntry
from vigie.finance import mapping, rfi, services
from vigie.finance.cli import finance
from vigie.finance.models import Account, Alert

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def alert(world: Any, analyst: Actor, tmp_path: Path) -> Alert:
    path = tmp_path / "t.csv"
    path.write_text(
        "tx_id,ts,amount,currency,from_account,to_account,from_country,to_country,to_name\n"
        "R1,2026-02-01 10:00:00,900,EUR,SYN-LY-1,SYN-TN-7,LY,TN,Synthetic Cousin Ltd\n"
        "R2,2026-02-02 10:00:00,950,EUR,SYN-LY-1,SYN-IT-3,LY,IT,Synthetic Other\n",
        encoding="utf-8",
    )
    services.import_transactions(analyst, world.own, path, mapping.IDENTITY_MAPPING)
    from vigie.finance import keys

    account = Account.objects.get(number_key=keys.account_key("SYN-LY-1"))
    return Alert.objects.create(
        organisation=world.own, account=account, rule="rapid_pass_through", rule_version=1,
        typology="laundering", transactions=["R1", "R2"], facts={},
    )  # fmt: skip


def test_the_request_names_the_subjects_in_the_requested_country(
    world: Any, analyst: Actor, alert: Alert
) -> None:
    req = rfi.Request("Synthetic FIU of Tunisia", "tn", ["Who holds account SYN-TN-7?"])
    data = rfi.build(analyst, alert, req, requesting_unit="Own FIU")
    text = _text(data)
    assert data.startswith(b"%PDF")
    assert "SYN-LY-1" in text and "SYN-TN-7" in text and "Synthetic Cousin Ltd" in text
    assert "SYN-IT-3" in text  # in the transactions table, not among the subjects
    subjects = text.split("Subjects", 1)[1].split("Transactions concerned", 1)[0]
    assert "SYN-IT-3" not in subjects
    assert "Egmont Group" in text and "prior consent" in text
    assert "Who holds account SYN-TN-7?" in text and "2 transaction(s), 1,850.00" in text
    entry = AccessLogEntry.objects.get(object_type="finance.alert", action="export")
    assert entry.detail["report"] == "egmont-rfi:TN"


def test_in_french(world: Any, analyst: Actor, alert: Alert) -> None:
    req = rfi.Request("CRF", "TN", ["Qui détient ce compte ?"], "urgent", True, "fr")
    text = _text(rfi.build(analyst, alert, req, requesting_unit="CRF"))
    assert "Demande d'informations" in text and "Conditions d'utilisation" in text
    assert "S/2017/939" in text


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"requested_unit": " "}, "unit_required"),
        ({"requested_country": "Tunisia"}, "bad_country"),
        ({"questions": []}, "questions_required"),
        ({"urgency": "yesterday"}, "bad_urgency"),
    ],
)
def test_incomplete_requests_are_refused(
    world: Any, analyst: Actor, alert: Alert, kwargs: dict[str, Any], code: str
) -> None:
    base: dict[str, Any] = {
        "requested_unit": "X", "requested_country": "TN", "questions": ["Q?"],
    }  # fmt: skip
    with pytest.raises(Invalid) as refused:
        rfi.build(analyst, alert, rfi.Request(**(base | kwargs)), requesting_unit="Own")
    assert refused.value.code == code
    assert not AccessLogEntry.objects.filter(action="export").exists()


def test_api_and_cli(world: Any, api: Any, alert: Alert, tmp_path: Path) -> None:
    body = {"requested_unit": "FIU TN", "requested_country": "TN", "questions": ["Q1?"]}
    url = f"/api/finance/alerts/{alert.pk}/rfi/"
    assert api(world.users["case_manager"]).post(url, body, format="json").status_code in (
        403,
        404,
    )
    r = api(world.users["financial_analyst"]).post(url, body, format="json")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    out = tmp_path / "rfi.pdf"
    result = CliRunner().invoke(
        finance,
        ["rfi", "--alert", str(alert.pk), "--to", "FIU TN", "--country", "TN",
         "--question", "Q1?", "-o", str(out), "--user", world.users["financial_analyst"].username],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "SYN-TN-7" in _text(out.read_bytes())


def test_a_cases_str_reports_the_linked_accounts_alerts(world: Any, api: Any, alert: Alert) -> None:
    from vigie.cases.models import Case, Exploitation, Victim
    from vigie.finance import goaml
    from vigie.finance.models import CaseLink

    case = Case.objects.create(organisation=world.own, reference="STR-CASE", country="LY")
    Victim.objects.create(case=case, given_name="Zzsyntheticname", sex="female")
    Exploitation.objects.create(case=case, forms=["forced_labour"])
    url = f"/api/finance/cases/{case.uuid}/goaml/"
    analyst = world.users["financial_analyst"]
    assert api(analyst).get(url).status_code == 404  # cannot read the case
    from vigie.core.models import Membership

    Membership.objects.get_or_create(user=analyst, organisation=world.own, role="investigator")
    analyst = type(analyst).objects.get(pk=analyst.pk)  # permissions are cached per instance
    r = api(analyst).get(url)
    assert r.status_code == 404 and r.json()["code"] == "no_linked_account"
    CaseLink.objects.create(organisation=world.own, account=alert.account, case=case)
    r = api(analyst).get(url)
    assert r.status_code == 200, r.content
    parsed = goaml.parse_received(r.content, "case STR")
    assert {t["transactionnumber"] for t in parsed["transaction"]} == {"R1", "R2"}
    assert "forced_labour" in parsed["reason"] and b"Zzsyntheticname" not in r.content
    assert b"SYN-LY-1" in r.content
