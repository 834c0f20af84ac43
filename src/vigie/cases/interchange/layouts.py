"""File layouts of other standards, both ways: a source row -> a nested Vigie record
(vigie.cases.records) and a case -> rows.

- ``ctdc``: the CTDC global dataset, 63 columns (April 2020 release); one row = one victim.
- ``ctdc-sample``: the 17-column CTDC-derived sample in shared/data/ctdc (renamed and merged
  columns); detected from its header.
- ``htcds``: HTCDS v2.0 field names (``cas_*``, ``prs_*``, ``vic_*``), as JSON objects: in
  :mod:`vigie.cases.interchange.htcds`, with the value readers of this module.

Unknown is ``-99`` in CTDC (``00`` for an unknown country). A value with no place in the
standard, or a non-canonical "unknown", is kept verbatim in ``Case.source_attributes`` so that
an export gives back the file that was imported. Identifying columns are never put there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from vigie.cases import codelists
from vigie.core import quoting
from vigie.core.errors import Invalid

UNKNOWN = "-99"
UNKNOWN_VALUES = {"", "-99", "unknown", "nan", "null", "none"}

CTDC_COLUMNS = [
    "yearOfRegistration",
    "Datasource",
    "gender",
    "ageBroad",
    "majorityStatus",
    "majorityStatusAtExploit",
    "majorityEntry",
    "citizenship",
    "meansOfControlDebtBondage",
    "meansOfControlTakesEarnings",
    "meansOfControlRestrictsFinancialAccess",
    "meansOfControlThreats",
    "meansOfControlPsychologicalAbuse",
    "meansOfControlPhysicalAbuse",
    "meansOfControlSexualAbuse",
    "meansOfControlFalsePromises",
    "meansOfControlPsychoactiveSubstances",
    "meansOfControlRestrictsMovement",
    "meansOfControlRestrictsMedicalCare",
    "meansOfControlExcessiveWorkingHours",
    "meansOfControlUsesChildren",
    "meansOfControlThreatOfLawEnforcement",
    "meansOfControlWithholdsNecessities",
    "meansOfControlWithholdsDocuments",
    "meansOfControlOther",
    "meansOfControlNotSpecified",
    "meansOfControlConcatenated",
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
    "isSexAndLabour",
    "isForcedMarriage",
    "isForcedMilitary",
    "isOrganRemoval",
    "isSlaveryAndPractices",
    "typeOfExploitConcatenated",
    "typeOfLabourAgriculture",
    "typeOfLabourAquafarming",
    "typeOfLabourBegging",
    "typeOfLabourConstruction",
    "typeOfLabourDomesticWork",
    "typeOfLabourHospitality",
    "typeOfLabourIllicitActivities",
    "typeOfLabourManufacturing",
    "typeOfLabourMiningOrDrilling",
    "typeOfLabourPeddling",
    "typeOfLabourTransportation",
    "typeOfLabourOther",
    "typeOfLabourNotSpecified",
    "typeOfLabourConcatenated",
    "typeOfSexProstitution",
    "typeOfSexPornography",
    "typeOfSexRemoteInteractiveServices",
    "typeOfSexPrivateSexualServices",
    "typeOfSexConcatenated",
    "isAbduction",
    "RecruiterRelationship",
    "CountryOfExploitation",
    "recruiterRelationIntimatePartner",
    "recruiterRelationFriend",
    "recruiterRelationFamily",
    "recruiterRelationOther",
    "recruiterRelationUnknown",
]

SAMPLE_COLUMNS = [
    "registration_year",
    "datasource",
    "gender",
    "age_range",
    "majority_status",
    "majority_status_at_exploit",
    "majority_entry",
    "citizenship",
    "country_of_exploitation",
    "control_financial",
    "control_threats",
    "control_physical",
    "control_limit_necessities",
    "control_other",
    "labor",
    "victim_purpose",
    "trafficker_relationship",
]


class RowError(Invalid, ValueError):
    """A cell that cannot be read: ``column``, ``value``, ``reason``. The cells read here are
    codes, years, countries and flags, none of them identity; still, a shifted row or a
    wrong mapping can put a name there, so a value is quoted only when no name has its
    shape, and otherwise described (``core.quoting``, ADR 0054)."""

    default_code = "cell_invalid"

    def __init__(self, column: str, value: Any, reason: str) -> None:
        text = str(value)
        if not quoting.quotable(text):
            value = f"… ({quoting.shape(text)})"
        self.column, self.value, self.reason = column, value, reason
        super().__init__(
            f"column {column}: value {value!r}: {reason}",
            detail={"column": column, "reason": reason},
        )


def clean(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _is_unknown(value: str) -> bool:
    return value.casefold() in UNKNOWN_VALUES


# --- one column's reading and writing -------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """How one column maps: ``target`` is "case.x", "victim.x" or "exploitation.x"; ``codes``
    a code list read through its ``system`` crosswalk, or ``kind`` year/country/flag."""

    name: str
    target: str = ""
    codes: str = ""
    kind: str = "code"  # code | year | country | flags
    flag_codes: tuple[str, ...] = ()  # kind flags: the codes one column stands for


def read_code(col: Col, raw: str, system: str) -> str:
    code = codelists.get(col.codes).from_external(system, raw)
    if code is None:
        lst = codelists.get(col.codes)
        allowed = sorted({v for c in lst.codes.values() if (v := c.xwalk.get(system))})
        raise RowError(
            col.name,
            raw,
            _("not a %(system)s value; expected one of %(allowed)s")
            % {"system": system.upper(), "allowed": ", ".join(allowed)},
        )
    return code


def _read_year(col: Col, raw: str) -> int:
    try:
        year = int(float(raw))
    except (ValueError, OverflowError) as exc:
        raise RowError(col.name, raw, _("is not a year")) from exc
    import datetime as dt

    if not 1900 <= year <= dt.date.today().year:
        raise RowError(
            col.name, raw, _("year out of range (1900-%(year)s)") % {"year": dt.date.today().year}
        )
    return year


def read_country(col: Col, raw: str) -> str:
    code = raw.upper()
    if code not in codelists.get("countries"):
        raise RowError(col.name, raw, _("is not an ISO 3166 alpha-2 country code"))
    return code


def _read_flag(col: Col, raw: str) -> bool | None:
    """1 -> True; 0 -> False; -99 / blank -> None."""
    if _is_unknown(raw):
        return None
    try:
        number = int(float(raw))
    except (ValueError, OverflowError):
        number = -1
    if number not in (0, 1):
        raise RowError(col.name, raw, _("expected 1, 0 or -99"))
    return number == 1


def _put(record: dict[str, Any], target: str, value: Any) -> None:
    where, name = target.split(".")
    if where == "case":
        record[name] = value
    elif where == "victim":
        record["victims"][0][name] = value
    elif where == "exploitation":
        exp = record["exploitations"][0]
        if isinstance(exp.get(name), list):
            if value not in exp[name]:
                exp[name].append(value)
        else:
            exp[name] = value


def _get(record: dict[str, Any], target: str) -> Any:
    where, name = target.split(".")
    if where == "case":
        return record.get(name)
    if where == "victim":
        return (record.get("victims") or [{}])[0].get(name)
    return (record.get("exploitations") or [{}])[0].get(name)


# --- CTDC ------------------------------------------------------------------------------------


def _flag_cols(listname: str, target: str, columns: list[str]) -> list[Col]:
    lst = codelists.get(listname)
    out = []
    for column in columns:
        code = lst.from_external("ctdc", column)
        if code is not None:
            out.append(Col(column, target, listname, "flags", (code,)))
    return out


def ctdc_spec() -> list[Col]:
    spec = [
        Col("yearOfRegistration", "case.identification_year", kind="year"),
        Col("Datasource", "case.source_type", "data_source_types"),
        Col("gender", "victim.sex", "sex"),
        Col("ageBroad", "victim.age_band_at_identification", "age_bands"),
        Col("majorityStatus", "victim.age_group_at_identification", "age_groups"),
        Col("majorityStatusAtExploit", "victim.age_group_at_exploitation", "age_groups"),
        Col("citizenship", "victim.citizenship", kind="country"),
        Col("CountryOfExploitation", "exploitation.country", kind="country"),
    ]
    spec += _flag_cols("means", "exploitation.means", CTDC_COLUMNS)
    spec += _flag_cols("exploitation_forms", "exploitation.forms", CTDC_COLUMNS)
    spec += _flag_cols("labour_sectors", "exploitation.labour_sectors", CTDC_COLUMNS)
    spec += _flag_cols(
        "sex_exploitation_types", "exploitation.sex_exploitation_types", CTDC_COLUMNS
    )
    spec += _flag_cols("relationships", "perpetrator.relationship", CTDC_COLUMNS)
    return spec


def sample_spec() -> list[Col]:
    return [
        Col("registration_year", "case.identification_year", kind="year"),
        Col("datasource", "case.source_type", "data_source_types"),
        Col("gender", "victim.sex", "sex"),
        Col("age_range", "victim.age_band_at_identification", "age_bands"),
        Col("majority_status", "victim.age_group_at_identification", "age_groups"),
        Col("majority_status_at_exploit", "victim.age_group_at_exploitation", "age_groups"),
        Col("citizenship", "victim.citizenship", kind="country"),
        Col("country_of_exploitation", "exploitation.country", kind="country"),
        # merged columns of the sample: read as the first code, written if any code is present
        Col(
            "control_financial",
            "exploitation.means",
            "means",
            "flags",
            ("restricts_financial_access", "debt_bondage", "takes_earnings"),
        ),
        Col(
            "control_threats",
            "exploitation.means",
            "means",
            "flags",
            ("threats", "threat_of_law_enforcement"),
        ),
        Col(
            "control_physical",
            "exploitation.means",
            "means",
            "flags",
            ("physical_violence", "sexual_abuse"),
        ),
        Col(
            "control_limit_necessities",
            "exploitation.means",
            "means",
            "flags",
            ("withholds_necessities",),
        ),
        Col("control_other", "exploitation.means", "means", "flags", ("other",)),
    ]


@dataclass(frozen=True)
class Layout:
    name: str
    columns: list[str]
    spec: Callable[[], list[Col]]


LAYOUTS = {
    "ctdc": Layout("ctdc", CTDC_COLUMNS, ctdc_spec),
    "ctdc-sample": Layout("ctdc-sample", SAMPLE_COLUMNS, sample_spec),
}


def detect_ctdc(header: list[str]) -> Layout:
    """The CTDC variant a header belongs to; RowError names the missing columns."""
    have = {h.strip() for h in header}
    best = max(LAYOUTS.values(), key=lambda lay: len(have & set(lay.columns)))
    missing = [c for c in best.columns if c not in have]
    if missing:
        raise RowError(
            ", ".join(missing[:8]) + (" ..." if len(missing) > 8 else ""),
            "",
            _("missing from the header (layout %(layout)s, %(n)s column(s) missing)")
            % {"layout": best.name, "n": len(missing)},
        )
    return best


def row_id(values: list[str], seen: dict[str, int]) -> str:
    """A stable id for a row that has none: its content hash, numbered among duplicates."""
    digest = hashlib.sha256("\x1f".join(values).encode("utf-8")).hexdigest()[:16]
    seen[digest] = seen.get(digest, 0) + 1
    return f"{digest}-{seen[digest]}"


def ctdc_row_to_record(layout: Layout, row: dict[str, str], spec: list[Col]) -> dict[str, Any]:
    """One CTDC row -> a nested record. Raises RowError on the first bad cell."""
    record: dict[str, Any] = {
        "victims": [{"key": "v"}],
        "exploitations": [
            {
                "victim": "v",
                "means": [],
                "forms": [],
                "labour_sectors": [],
                "sex_exploitation_types": [],
            }
        ],
        "source_attributes": {},
        "source_type": "",
    }
    relationships: list[str] = []
    kept = record["source_attributes"]
    used = set()
    for col in spec:
        used.add(col.name)
        raw = clean(row.get(col.name))
        if col.kind == "flags":
            flag = _read_flag(col, raw)
            if flag:
                if col.target == "perpetrator.relationship":
                    relationships.append(col.flag_codes[0])
                else:
                    _put(record, col.target, col.flag_codes[0])
            elif raw != UNKNOWN:
                kept[col.name] = raw  # an explicit 0, or a blank: give it back on export
            continue
        if _is_unknown(raw) or (col.kind == "country" and raw == "00"):
            if raw != UNKNOWN:
                kept[col.name] = raw
            continue
        if col.kind == "year":
            value: Any = _read_year(col, raw)
        elif col.kind == "country":
            value = read_country(col, raw)
        else:
            value = read_code(col, raw, "ctdc")
        _put(record, col.target, value)
    for name in layout.columns:
        if name not in used:
            raw = clean(row.get(name))
            if raw != UNKNOWN:
                kept[name] = raw
    if relationships:
        record["perpetrators"] = [
            {"victim": "v", "kind": "person", "role": "recruiter", "relationship": rel}
            for rel in relationships
        ]
    if not record["source_type"]:
        record["source_type"] = "other"
    return record


def _concatenated(listname: str, codes: list[str]) -> str:
    lst = codelists.get(listname)
    return ";".join(lst.label(c, "en") for c in codes)


def record_to_ctdc_rows(layout: Layout, record: dict[str, Any]) -> list[dict[str, str]]:
    """A nested record -> one row per victim (incident-only cases give no row)."""
    rows = []
    kept: dict[str, str] = record.get("source_attributes") or {}
    spec = layout.spec()
    for victim in record.get("victims") or []:
        exps = [
            e
            for e in record.get("exploitations") or []
            if e.get("victim") in (None, victim["uuid"])
        ]
        merged: dict[str, Any] = {
            "means": sorted({m for e in exps for m in e.get("means") or []}),
            "forms": sorted({f for e in exps for f in e.get("forms") or []}),
            "labour_sectors": sorted({s for e in exps for s in e.get("labour_sectors") or []}),
            "sex_exploitation_types": sorted(
                {s for e in exps for s in e.get("sex_exploitation_types") or []}
            ),
            "country": next((e["country"] for e in exps if e.get("country")), ""),
        }
        rels = {
            p.get("relationship")
            for p in record.get("perpetrators") or []
            if p.get("victim") in (None, victim["uuid"]) and p.get("relationship")
        }
        view = {"victims": [victim], "exploitations": [merged], **record}
        view["victims"], view["exploitations"] = [victim], [merged]
        row: dict[str, str] = {}
        for col in spec:
            if col.kind == "flags":
                if col.target == "perpetrator.relationship":
                    present = bool(rels & set(col.flag_codes))
                else:
                    present = bool(set(_get(view, col.target) or []) & set(col.flag_codes))
                row[col.name] = "1" if present else kept.get(col.name, UNKNOWN)
                continue
            value = _get(view, col.target)
            if value in (None, ""):
                row[col.name] = kept.get(col.name, UNKNOWN)
            elif col.kind in ("year", "country"):
                row[col.name] = str(value)
            else:
                row[col.name] = codelists.get(col.codes).to_external("ctdc", value) or UNKNOWN
        for name in layout.columns:
            if name not in row:
                row[name] = kept.get(name, UNKNOWN)
        if layout.name == "ctdc":
            for column, listname, key in (
                ("meansOfControlConcatenated", "means", "means"),
                ("typeOfExploitConcatenated", "exploitation_forms", "forms"),
                ("typeOfLabourConcatenated", "labour_sectors", "labour_sectors"),
                ("typeOfSexConcatenated", "sex_exploitation_types", "sex_exploitation_types"),
            ):
                if column not in kept:
                    row[column] = _concatenated(listname, merged[key]) or UNKNOWN
        rows.append({name: row[name] for name in layout.columns})
    return rows


# --- HTCDS -----------------------------------------------------------------------------------
