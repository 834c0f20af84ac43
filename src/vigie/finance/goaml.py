"""Suspicious-transaction reports in the goAML 5.0.1 XML format (ADR 0802).

Built from an alert: the reporting entity (settings ``VIGIE_GOAML``), the reason (the
rule's explanation and the analyst's notes), and each transaction that triggered the alert
with its accounts. Every report is validated against the schema shipped in
``data/goaml/`` before it leaves (``xmlschema``; the schema is XSD 1.1, which lxml cannot
validate). Received reports go through :func:`parse_received`, which refuses DTDs and
entities before any parsing and then validates, naming the line of each problem.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.utils import timezone

from vigie.core.errors import Invalid, TooLarge

SCHEMA = Path(__file__).with_name("data") / "goaml" / "goAMLSchema-5.0.1.xsd"
MAX_RECEIVED = 50 * 1024 * 1024

DEFAULTS: dict[str, Any] = {
    "rentity_id": 1,
    "rentity_branch": "FIU",
    "currency": "EUR",
    "country": "IT",
    "city": "-",
    "address": "-",
    "address_type": "-",
    "funds_code": "-",
    "cash_funds_code": "-",
    "transmode_code": "-",
    "institution_name": "Reported institution",
    "institution_code": "-",
    "report_indicator": "-",
    "reporting_person": {"first_name": "FIU", "last_name": "Analyst"},
}


def config() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "VIGIE_GOAML", {})}


@cache
def schema() -> Any:
    import xmlschema

    return xmlschema.XMLSchema11(str(SCHEMA))


def _sub(parent: ET.Element, tag: str, text: Any = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = str(text)
    return el


def _date(value: dt.datetime | dt.date) -> str:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)
        return value.replace(microsecond=0).isoformat()
    return dt.datetime.combine(value, dt.time()).isoformat()


def _account(parent: ET.Element, tag: str, number: str, conf: dict[str, Any]) -> None:
    acc = _sub(parent, tag)
    _sub(acc, "institution_name", conf["institution_name"])
    _sub(acc, "institution_code", conf["institution_code"])
    _sub(acc, "account", number)


def build_str(
    *,
    reference: str,
    reason: str,
    action: str,
    transactions: list[dict[str, Any]],
    accounts: dict[str, str],
) -> bytes:
    """The XML of one STR. ``transactions`` are rows of the ``tx`` view (account keys);
    ``accounts`` maps each key to the account number, decrypted by the caller."""
    conf = config()
    if not transactions:
        raise Invalid("A report needs at least one transaction.", code="report_empty")
    root = ET.Element("report")
    _sub(root, "rentity_id", int(conf["rentity_id"]))
    _sub(root, "rentity_branch", conf["rentity_branch"])
    _sub(root, "submission_code", "E")
    _sub(root, "report_code", "STR")
    _sub(root, "entity_reference", reference[:255])
    _sub(root, "submission_date", _date(timezone.now()))
    _sub(root, "currency_code_local", conf["currency"])
    person = _sub(root, "reporting_person")
    _sub(person, "first_name", conf["reporting_person"]["first_name"])
    _sub(person, "last_name", conf["reporting_person"]["last_name"])
    location = _sub(root, "location")
    _sub(location, "address_type", conf["address_type"])
    _sub(location, "address", conf["address"])
    _sub(location, "city", conf["city"])
    _sub(location, "country_code", conf["country"])
    _sub(root, "reason", reason[:4000])
    _sub(root, "action", action[:4000])
    for tx in transactions:
        _transaction(root, tx, accounts, conf)
    indicators = _sub(root, "report_indicators")
    _sub(indicators, "indicator", conf["report_indicator"])
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    validate(data, "generated report")
    return data


def _transaction(
    root: ET.Element, tx: dict[str, Any], accounts: dict[str, str], conf: dict[str, Any]
) -> None:
    t = _sub(root, "transaction")
    _sub(t, "transactionnumber", str(tx["tx_id"])[:100])
    _sub(t, "transaction_location", (tx.get("location") or "")[:255])
    _sub(t, "transaction_description", tx.get("channel") or "transaction")
    _sub(t, "date_transaction", _date(tx["ts"]))
    _sub(t, "transmode_code", conf["transmode_code"])
    _sub(t, "amount_local", Decimal(str(tx["amount"])).quantize(Decimal("0.01")))
    cash = tx.get("from_account") is None
    src = _sub(t, "t_from")
    _sub(src, "from_funds_code", conf["cash_funds_code"] if cash else conf["funds_code"])
    if cash:
        entity = _sub(src, "from_entity")
        _sub(entity, "name", f"Cash deposit at {tx.get('location') or 'an unknown place'}"[:255])
    else:
        _account(src, "from_account", accounts.get(tx["from_account"], tx["from_account"]), conf)
    _sub(src, "from_country", tx.get("from_country") or conf["country"])
    dst = _sub(t, "t_to")
    _sub(dst, "to_funds_code", conf["funds_code"])
    if tx.get("to_account") is None:
        entity = _sub(dst, "to_entity")
        _sub(entity, "name", f"Cash withdrawal at {tx.get('location') or 'an unknown place'}"[:255])
    else:
        _account(dst, "to_account", accounts.get(tx["to_account"], tx["to_account"]), conf)
    _sub(dst, "to_country", tx.get("to_country") or conf["country"])


def validate(data: bytes, what: str) -> None:
    """Raise :class:`Invalid` listing the schema's complaints (line and reason)."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        tree = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise Invalid(
            f"{what}: not well-formed XML (line {exc.lineno}: {exc.msg})",
            code="xml_malformed",
            detail={"line": exc.lineno},
        ) from None
    errors = []
    for error in schema().iter_errors(tree):
        line = getattr(error.elem, "sourceline", None) if error.elem is not None else None
        where = f"line {line}, {error.path}: " if line else f"{error.path}: "
        errors.append(f"{where}{error.reason or error.message}")
        if len(errors) >= 20:
            break
    if errors:
        raise Invalid(
            f"{what} is not valid goAML 5.0.1: " + "; ".join(errors),
            code="goaml_invalid",
            detail={"errors": errors},
        )


def parse_received(data: bytes, name: str) -> Any:
    """Check a received goAML report (no DTD, no entities, bounded) and decode it."""
    if len(data) > MAX_RECEIVED:
        raise TooLarge(
            f"{name}: {len(data)} bytes (the limit is {MAX_RECEIVED})", code="report_too_large"
        )
    head = data[:4096].upper()
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in head:
        raise Invalid(
            f"{name}: a goAML report may not declare a DTD or entities", code="xml_dtd_refused"
        )
    validate(data, name)
    return schema().to_dict(data.decode("utf-8"))
