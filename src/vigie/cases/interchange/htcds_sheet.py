"""The HTCDS v2.0 spreadsheet layout ("HTCDS Excel Spreadsheet v2.0.xlsx" of the HTCDS
toolkit), read and written as XLSX or CSV with the same columns.

The official template has, on its first sheet, a first column of row numbers with no header,
a row of field names (``cas_*``, ``prs_*``, ``vic_*``, ``con_*``) and a row of labels, then
empty numbered rows. One filled row is one person (a victim) and their case. The template's
names and labels are not aligned for the mailing address (e.g. ``prs_MailingCity`` sits over
"Mailing Street") and the column of "Reason for Outgoing Referral" has no name: we read and
write the names (the system identifiers), and name that column
``cas_ReasonForOutgoingReferral``. A header of labels instead of names is also read.

What each field becomes is the HTCDS JSON mapping (``htcds.htcds_to_record``): multi-valued
picklists are ``;``-separated HTCDS value names in a cell; fields with no place in the Vigie
standard are kept verbatim and written back on export; names, e-mail, title of people and
case workers are dropped (never stored). The template has no record id: Vigie writes
``cas_CaseNumber`` as an extra first column so that a re-import updates instead of
duplicating; a file without it is identified by each row's content (as for CTDC).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from vigie.cases.interchange import htcds, layouts
from vigie.core import cells

ID_COLUMN = "cas_CaseNumber"
# (name, label) in the template's column order (labels put back over their own field)
FIELDS: list[tuple[str, str]] = [
    ("cas_CaseOwner", "Case Owner"),
    ("prs_Salutation", "Salutation"),
    ("prs_FirstName", "First Name"),
    ("prs_SecondName", "Second Name"),
    ("con_Consent", "Consent"),
    ("prs_Birthdate", "Birthdate"),
    ("prs_Gender", "Gender"),
    ("prs_Citizenship", "Citizenship"),
    ("prs_Title", "Title"),
    ("prs_Email", "Email"),
    ("prs_HomePhone", "Home Phone"),
    ("prs_MobilePhone", "Mobile Phone"),
    ("prs_MailingCity", "Mailing City"),
    ("prs_MailingCountry", "Mailing Country"),
    ("prs_MailingState", "Mailing State/Province"),
    ("prs_MailingStreet", "Mailing Street"),
    ("prs_MailingPostalCode", "Mailing Zip/Postal Code"),
    ("vic_TraffickingStatus", "Trafficking Status"),
    ("vic_TraffickinStatusDecisionMakingOrg", "Trafficking Status Decision Making Organization"),
    ("vic_MethodOfRecruitment", "Method of Recruitment"),
    ("vic_LocationOfRecruitment", "Location of Recruitment"),
    ("vic_MethodsOfControl", "Methods of Control"),
    ("vic_TypeOfExploitation", "Type of Exploitation"),
    ("vic_ForcedLabourIndustry", "Forced Labour Industry"),
    ("vic_TypeOfSexExploitation", "Type of Sex Exploitation"),
    ("vic_LocationOfExploitation", "Location of Exploitation"),
    ("cas_Status", "Status"),
    ("cas_ReferringOrganisation", "Referring Organisation"),
    ("cas_IncomingReferralDate", "Incoming Referral Date"),
    ("cas_ReferringPrimaryCaseWorker", "Referring Primary Case Worker"),
    ("cas_ReasonForIncomingReferral", "Reason for Incoming Referral"),
    ("cas_IncomingReferralDetails", "Incoming Referral Details"),
    ("cas_ReferredOrganisation", "Referred Organisation"),
    ("cas_ReferredPrimaryCaseWorker", "Referred Primary Case Worker"),
    ("cas_ReasonForOutgoingReferral", "Reason for Outgoing Referral"),
    ("cas_OutgoingReferralDate", "Outgoing Referral Date"),
    ("cas_OutgoingReferralDetails", "Outgoing Referral Details"),
    ("cas_ReasonForCaseClosure", "Reason for Case Closure"),
]
NAMES = [name for name, _label in FIELDS]
COLUMNS = [ID_COLUMN, *NAMES]  # what Vigie writes
LABELS = {label.casefold(): name for name, label in FIELDS} | {"case number": ID_COLUMN}
KNOWN = set(COLUMNS) | set(htcds.HTCDS_ID_FIELDS)
PREFIXES = ("cas_", "prs_", "vic_", "con_")


def problem_columns() -> list[layouts.Col]:
    """Which column a record problem comes from (for reports: file, row, COLUMN, value)."""
    pairs = [
        ("prs_Gender", "victim.sex"),
        ("prs_Citizenship", "victim.citizenship"),
        ("prs_Birthdate", "victim.date_of_birth"),
        ("prs_FirstName", "victim.given_name"),
        ("prs_SecondName", "victim.family_name"),
        ("prs_MobilePhone", "victim.phone"),
        ("vic_TraffickingStatus", "victim.trafficking_status"),
        ("cas_Status", "case.status"),
        ("cas_CaseNumber", "case.source_record_id"),
        ("vic_LocationOfExploitation", "exploitation.area"),
        ("cas_ReferredOrganisation", "referral.receiving_organisation_name"),
        ("cas_OutgoingReferralDate", "referral.referred_on"),
    ]
    pairs += [(name, f"exploitation.{field}") for name, (_l, field) in htcds.HTCDS_MULTI.items()]
    return [layouts.Col(name, target) for name, target in pairs]


def _name(cell: str) -> str:
    """A header cell -> the field name it stands for ('' for a column to ignore)."""
    cell = cell.strip()
    if not cell:
        return ""
    if cell in KNOWN or cell.startswith(PREFIXES):
        return cell
    return LABELS.get(cell.casefold(), cell)


def looks_like(header: list[str]) -> bool:
    """True for a header of the HTCDS spreadsheet (names or labels)."""
    names = {_name(h) for h in header}
    return len(names & set(NAMES)) >= 3


def check_header(header: list[str]) -> list[str]:
    """The field name of each header cell; RowError names the cells that are not HTCDS."""
    names = [_name(h) for h in header]
    unknown = [h for h, n in zip(header, names, strict=True) if n and n not in KNOWN]
    unknown = [h for h in unknown if not h.startswith(("cas_", "vic_"))]
    if unknown:
        raise layouts.RowError(
            ", ".join(unknown[:8]),
            "",
            "not an HTCDS v2.0 spreadsheet column (field names such as prs_Gender, "
            "vic_TypeOfExploitation, or their labels)",
        )
    if not set(names) & set(NAMES):
        raise layouts.RowError("", "", "no HTCDS v2.0 spreadsheet column in the header")
    return names


def is_label_row(names: list[str], values: list[str]) -> bool:
    """The template's second header row: every filled cell of a named column is an HTCDS
    label (not necessarily its own column's: the template's address labels are shifted)."""
    filled = [v.strip() for n, v in zip(names, values, strict=False) if n and v.strip()]
    return len(filled) >= 3 and all(v.casefold() in LABELS for v in filled)


def row_item(names: list[str], values: list[str]) -> dict[str, str]:
    """One data row -> ``{field: text}`` of its filled cells (the row-number column, which
    has no name, is left out)."""
    return {n: v.strip() for n, v in zip(names, values, strict=False) if n and v.strip()}


def items(header: list[str], rows: Iterable[list[str]]) -> Iterator[tuple[int, dict[str, str]]]:
    """``(file row, item)`` for each filled data row after ``header`` (row 1); the label row
    and blank rows (the template's numbered empty rows) are skipped."""
    names = check_header(header)
    for number, values in enumerate(rows, 2):
        if number == 2 and is_label_row(names, values):
            continue
        item = row_item(names, values)
        if item:
            yield number, item


# --- writing ---------------------------------------------------------------------------------


def record_rows(record: dict[str, Any], *, with_identity: bool) -> list[dict[str, str]]:
    """A nested record -> one spreadsheet row per victim (lists joined with ``;``)."""
    rows = []
    for item in htcds.record_to_htcds(record, with_identity=with_identity):
        row = {c: "" for c in COLUMNS}
        for key, value in item.items():
            if key not in row and key in htcds.HTCDS_ID_FIELDS:
                key = ID_COLUMN
            text = ";".join(str(v) for v in value) if isinstance(value, list) else str(value)
            row[key] = text
        rows.append(row)
    return rows


def write_csv(path: Path, rows: Iterable[dict[str, str]]) -> int:
    """Rows under one header row of field names; returns the rows written."""
    n = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(cells.csv_dict(row))
            n += 1
    return n


def write_xlsx(path: Path, rows: Iterable[dict[str, str]]) -> int:
    """Like the official template: a row of field names, a row of labels, then the rows."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(cells.xlsx_row(sheet, COLUMNS))
    sheet.append(cells.xlsx_row(sheet, ["Case Number", *(label for _name, label in FIELDS)]))
    n = 0
    for row in rows:
        sheet.append(cells.xlsx_row(sheet, [row.get(c, "") for c in COLUMNS]))
        n += 1
    book.save(path)
    return n


def write(path: Path, rows: Iterable[dict[str, str]]) -> int:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return write_xlsx(path, rows)
    return write_csv(path, rows)
