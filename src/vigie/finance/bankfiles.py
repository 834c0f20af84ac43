"""XML inputs of the transaction import: ISO 20022 bank statements (camt.053) and goAML
reports received from reporting entities (ADR 0803).

Both are turned into a CSV in Vigie's own column layout (``mapping.FIELDS``), which then goes
through the one import path as any CSV does (the same checks, keys, Parquet and accounts), so
an XML file is never a second writer. Each CSV row remembers the XML line it came from, and
the import reports problems at that line.

camt.053 is streamed entry by entry (``lxml.iterparse``, no DTD, no entities, no network,
elements cleared as they are read), so a statement of millions of entries keeps memory flat.
A goAML report is validated against the 5.0.1 schema first (``goaml.parse_received``: size
bound, DTD refused, every schema error located) and is read whole, as goAML files are
bounded by that size.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vigie.core.errors import Invalid, TooLarge
from vigie.finance.mapping import FIELDS

MAX_STATEMENT = 4 * 1024**3  # bytes of one camt.053 file
CAMT = "urn:iso:std:iso:20022:tech:xsd:camt.053."

# ISO 20022 bank transaction codes (Domain/Family/SubFamily) -> Vigie channel. Only the
# families that say how money moved; anything else stays empty rather than guessed.
SUBFAMILY_CHANNELS = {
    "CDPT": "cash_deposit",  # cash deposit
    "CWDL": "cash_withdrawal",  # cash withdrawal
    "SALA": "payroll",  # payroll / salary payment
    "PMDD": "transfer",  # direct debit
}
FAMILY_CHANNELS = {
    "RCDT": "transfer",  # received credit transfers
    "ICDT": "transfer",  # issued credit transfers
    "RRCT": "transfer",  # received real-time credit transfers
    "IRCT": "transfer",  # issued real-time credit transfers
    "CCRD": "card",  # customer card transactions
    "MCRD": "card",  # merchant card transactions
    "RCHQ": "cheque",  # received cheques
    "ICHQ": "cheque",  # issued cheques
    "CNTR": None,  # counter transactions: the subfamily says deposit or withdrawal
}
# goAML transmode codes are set by each FIU's lookup tables; these are the common ones.
GOAML_CHANNELS = {
    "A": "cash_deposit",
    "B": "cash_withdrawal",
    "C": "transfer",
    "D": "card",
    "E": "cheque",
    "K": "remittance",
}


def kind_of(path: Path) -> str | None:
    """``"camt053"``, ``"goaml"`` or None (not XML), from the first element of the file."""
    if path.suffix.lower() != ".xml":
        return None
    head = path.open("rb").read(4096)
    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
        raise Invalid(
            f"{path.name}: an XML input may not declare a DTD or entities",
            code="xml_dtd_refused",
            detail={"file": path.name},
        )
    if CAMT.encode() in head:
        return "camt053"
    if b"<report" in head:
        return "goaml"
    raise Invalid(
        f"{path.name}: an XML file must be an ISO 20022 camt.053 statement or a goAML report",
        code="xml_unknown",
        detail={"file": path.name},
    )


def to_csv(path: Path, out: Path) -> list[int]:
    """Write ``out`` in Vigie's layout; return the XML line of each data row, in order."""
    kind = kind_of(path)
    rows = _camt_rows(path) if kind == "camt053" else _goaml_rows(path)
    lines: list[int] = []
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(FIELDS)
        for line, row in rows:
            writer.writerow([row.get(f) or "" for f in FIELDS])
            lines.append(line)
    return lines


# camt.053 ------------------------------------------------------------------------------------


def _text(el: Any, path: str, ns: dict[str, str]) -> str | None:
    found = el.find(path, ns)
    if found is None or found.text is None:
        return None
    text: str = found.text.strip()
    return text or None


def _account(el: Any, ns: dict[str, str]) -> str | None:
    if el is None:
        return None
    return _text(el, "c:Id/c:IBAN", ns) or _text(el, "c:Id/c:Othr/c:Id", ns)


def _party_name(parent: Any, role: str, ns: dict[str, str]) -> str | None:
    # camt.053.001.02-07: <Dbtr><Nm>; 001.08 and later: <Dbtr><Pty><Nm>
    return _text(parent, f"c:{role}/c:Nm", ns) or _text(parent, f"c:{role}/c:Pty/c:Nm", ns)


def _country(account: str | None, parent: Any, role: str, ns: dict[str, str]) -> str | None:
    stated = _text(parent, f"c:{role}/c:PstlAdr/c:Ctry", ns) or _text(
        parent, f"c:{role}/c:Pty/c:PstlAdr/c:Ctry", ns
    )
    return stated or _iban_country(account)


def _iban_country(account: str | None) -> str | None:
    """An IBAN starts with its country's ISO 3166 code."""
    if account and len(account) > 15 and account[:2].isalpha() and account[2:4].isdigit():
        return account[:2].upper()
    return None


def _channel(entry: Any, ns: dict[str, str]) -> str | None:
    family = _text(entry, "c:BkTxCd/c:Domn/c:Fmly/c:Cd", ns)
    sub = _text(entry, "c:BkTxCd/c:Domn/c:Fmly/c:SubFmlyCd", ns)
    if sub in SUBFAMILY_CHANNELS:
        return SUBFAMILY_CHANNELS[sub]
    return FAMILY_CHANNELS.get(family or "")


def _camt_rows(path: Path) -> Iterator[tuple[int, dict[str, str | None]]]:
    from lxml import etree

    if path.stat().st_size > MAX_STATEMENT:
        raise TooLarge(
            f"{path.name}: {path.stat().st_size} bytes (the limit is {MAX_STATEMENT})",
            code="statement_too_large",
            detail={"file": path.name},
        )
    own: str | None = None
    own_name: str | None = None
    stmt_id = ""
    ns: dict[str, str] = {}
    entries = 0
    context = etree.iterparse(
        str(path),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    try:
        for event, el in context:
            tag = etree.QName(el).localname
            if event == "start":
                if tag == "Document" and not ns:
                    ns = {"c": etree.QName(el).namespace or ""}
                continue
            if tag == "Acct" and etree.QName(el.getparent()).localname == "Stmt":
                own = _account(el, ns)
                own_name = _text(el, "c:Ownr/c:Nm", ns)
            elif tag == "Id" and etree.QName(el.getparent()).localname == "Stmt":
                stmt_id = (el.text or "").strip()
            elif tag == "Ntry":
                entries += 1
                yield from _entry_rows(el, ns, own, own_name, stmt_id, entries)
                el.clear(keep_tail=False)
                while el.getprevious() is not None:
                    del el.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise Invalid(
            f"{path.name}: not well-formed XML (line {exc.lineno}: {exc.msg})",
            code="xml_malformed",
            detail={"file": path.name, "line": exc.lineno},
        ) from None
    if entries == 0:
        raise Invalid(
            f"{path.name}: the statement has no entry (Ntry)",
            code="statement_empty",
            detail={"file": path.name},
        )


def _entry_rows(
    entry: Any, ns: dict[str, str], own: str | None, own_name: str | None, stmt: str, n: int
) -> Iterator[tuple[int, dict[str, str | None]]]:
    credit = _text(entry, "c:CdtDbtInd", ns) == "CRDT"
    when = (
        _text(entry, "c:BookgDt/c:DtTm", ns)
        or _text(entry, "c:BookgDt/c:Dt", ns)
        or _text(entry, "c:ValDt/c:DtTm", ns)
        or _text(entry, "c:ValDt/c:Dt", ns)
    )
    channel = _channel(entry, ns)
    entry_ref = _text(entry, "c:AcctSvcrRef", ns) or _text(entry, "c:NtryRef", ns)
    details = entry.findall("c:NtryDtls/c:TxDtls", ns) or [None]
    for i, tx in enumerate(details, start=1):
        source = tx if tx is not None else entry
        # (an lxml element without children is falsy: compare with None, never use `or`)
        amount_el = None
        if tx is not None:
            amount_el = tx.find("c:AmtDtls/c:TxAmt/c:Amt", ns)
            if amount_el is None:
                amount_el = tx.find("c:Amt", ns)
        if amount_el is None:
            amount_el = entry.find("c:Amt", ns)
        amount = amount_el.text.strip() if amount_el is not None and amount_el.text else None
        currency = amount_el.get("Ccy") if amount_el is not None else None
        ref = None
        if tx is not None:
            ref = (
                _text(tx, "c:Refs/c:AcctSvcrRef", ns)
                or _text(tx, "c:Refs/c:TxId", ns)
                or _text(tx, "c:Refs/c:EndToEndId", ns)
            )
            if ref == "NOTPROVIDED":
                ref = None
        tx_id = ref or (f"{entry_ref}/{i}" if entry_ref and len(details) > 1 else entry_ref)
        parties = tx.find("c:RltdPties", ns) if tx is not None else None
        other_role = "Dbtr" if credit else "Cdtr"
        other_acct = (
            _account(parties.find(f"c:{other_role}Acct", ns), ns) if parties is not None else None
        )
        other_name = _party_name(parties, other_role, ns) if parties is not None else None
        other_country = (
            _country(other_acct, parties, other_role, ns) if parties is not None else None
        )
        own_country = _iban_country(own)
        if channel == "cash_deposit":
            other_acct = other_name = None
        mine: dict[str, str | None] = {
            "account": own,
            "name": own_name,
            "country": own_country,
        }
        theirs: dict[str, str | None] = {
            "account": other_acct,
            "name": other_name,
            "country": other_country,
        }
        src, dst = (theirs, mine) if credit else (mine, theirs)
        yield (
            int(getattr(source, "sourceline", 0) or 0),
            {
                "tx_id": tx_id or f"{stmt or 'statement'}:{n}:{i}",
                "ts": when,
                "amount": amount,
                "currency": currency,
                "from_account": src["account"],
                "to_account": dst["account"],
                "from_name": src["name"],
                "to_name": dst["name"],
                "from_country": src["country"],
                "to_country": dst["country"],
                "channel": channel,
            },
        )


# goAML ---------------------------------------------------------------------------------------


def _goaml_side(t: dict[str, Any], side: str) -> tuple[str | None, str | None, str | None]:
    """(account, holder name, country) of ``t_from``/``t_from_my_client`` (or ``to``)."""
    party = t.get(f"t_{side}_my_client") or t.get(f"t_{side}") or {}
    account = party.get(f"{side}_account") or {}
    number = account.get("account") if isinstance(account, dict) else None
    name = None
    if isinstance(account, dict) and account.get("t_entity"):
        name = account["t_entity"].get("name")
    person = party.get(f"{side}_person")
    if isinstance(person, dict):
        name = " ".join(p for p in (person.get("first_name"), person.get("last_name")) if p)
    entity = party.get(f"{side}_entity")
    if isinstance(entity, dict) and entity.get("name"):
        name = name or entity["name"]
    return (
        str(number) if number else None,
        name or None,
        party.get(f"{side}_country"),
    )


def _goaml_rows(path: Path) -> Iterator[tuple[int, dict[str, str | None]]]:
    from vigie.finance import goaml

    data = path.read_bytes() if path.stat().st_size <= goaml.MAX_RECEIVED else None
    if data is None:
        raise TooLarge(
            f"{path.name}: {path.stat().st_size} bytes (the limit is {goaml.MAX_RECEIVED})",
            code="report_too_large",
            detail={"file": path.name},
        )
    report = goaml.parse_received(data, path.name)
    lines = _transaction_lines(data)
    currency = report.get("currency_code_local")
    transactions = report.get("transaction") or []
    if not transactions:
        raise Invalid(
            f"{path.name}: the report holds no transaction (activity reports are not imported)",
            code="report_without_transactions",
            detail={"file": path.name},
        )
    for n, t in enumerate(transactions):
        src_acct, src_name, src_country = _goaml_side(t, "from")
        dst_acct, dst_name, dst_country = _goaml_side(t, "to")
        mode = t.get("transmode_code")
        yield (
            lines[n] if n < len(lines) else 0,
            {
                "tx_id": t.get("transactionnumber"),
                "ts": t.get("date_transaction"),
                "amount": str(t.get("amount_local")) if t.get("amount_local") is not None else None,
                "currency": currency,
                "from_account": src_acct,
                "to_account": dst_acct,
                "from_name": src_name,
                "to_name": dst_name,
                "from_country": src_country,
                "to_country": dst_country,
                "location": t.get("transaction_location"),
                "channel": GOAML_CHANNELS.get(str(mode)) if mode else None,
            },
        )


def _transaction_lines(data: bytes) -> list[int]:
    """The line of each ``<transaction>`` (the report was validated: no DTD, bounded)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(data, parser)
    return [int(el.sourceline or 0) for el in root.iterfind("transaction")]
