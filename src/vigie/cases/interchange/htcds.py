"""The HTCDS v2.0 JSON layout (field names ``cas_*``, ``prs_*``, ``vic_*``), both ways: one
HTCDS object -> a nested Vigie record, and a record -> HTCDS objects (one per victim). The
values are read with the CTDC layouts' readers (:mod:`vigie.cases.interchange.layouts`);
the HTCDS spreadsheet (:mod:`vigie.cases.interchange.htcds_sheet`) maps its columns here."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from vigie.cases import codelists
from vigie.cases.interchange.layouts import Col, RowError, clean, read_code, read_country

HTCDS_IDENTITY = {
    "prs_FirstName": "given_name",
    "prs_SecondName": "family_name",
    "prs_Birthdate": "date_of_birth",
    "prs_MobilePhone": "phone",
}
HTCDS_ADDRESS = (
    "prs_MailingStreet",
    "prs_MailingCity",
    "prs_MailingState",
    "prs_MailingPostalCode",
    "prs_MailingCountry",
)
# identifying details of people that the standard does not keep: dropped, never stored in clear
HTCDS_DROPPED = {
    "prs_Salutation",
    "prs_Title",
    "prs_Email",
    "prs_HomePhone",
    "cas_CaseOwner",
    "cas_ReferringPrimaryCaseWorker",
    "cas_ReferredPrimaryCaseWorker",
}
HTCDS_MULTI = {
    "vic_MethodOfRecruitment": ("recruitment_channels", "recruitment_channels"),
    "vic_MethodsOfControl": ("means", "means"),
    "vic_TypeOfExploitation": ("exploitation_forms", "forms"),
    "vic_ForcedLabourIndustry": ("labour_sectors", "labour_sectors"),
    "vic_TypeOfSexExploitation": ("sex_exploitation_types", "sex_exploitation_types"),
}
HTCDS_ID_FIELDS = ("cas_CaseNumber", "cas_CaseId", "id")


def _multi(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value or "").replace(",", ";").split(";") if v.strip()]


def htcds_to_record(item: dict[str, Any]) -> dict[str, Any]:
    """One HTCDS object -> a nested record. Raises RowError on the first bad field."""
    victim: dict[str, Any] = {"key": "v"}
    exploitation: dict[str, Any] = {"victim": "v"}
    record: dict[str, Any] = {
        "source_type": "case_management",
        "victims": [victim],
        "exploitations": [exploitation],
        "source_attributes": {},
    }
    for name, value in item.items():
        raw = value if isinstance(value, list) else clean(value)
        if raw in ("", []) or name in HTCDS_DROPPED or name in HTCDS_ADDRESS:
            continue
        if name in HTCDS_IDENTITY:
            victim[HTCDS_IDENTITY[name]] = raw
        elif name == "prs_Gender":
            victim["sex"] = read_code(Col(name, codes="sex"), str(raw), "htcds")
        elif name == "prs_Citizenship":
            victim["citizenship"] = read_country(Col(name), str(raw))
        elif name == "con_Consent":
            victim["consent_services"] = str(raw).casefold() in ("true", "1", "yes")
        elif name == "vic_TraffickingStatus":
            victim["trafficking_status"] = read_code(
                Col(name, codes="trafficking_status"), str(raw), "htcds"
            )
        elif name in HTCDS_MULTI:
            listname, field = HTCDS_MULTI[name]
            codes = [read_code(Col(name, codes=listname), v, "htcds") for v in _multi(raw)]
            exploitation[field] = list(dict.fromkeys(codes))
        elif name == "vic_LocationOfExploitation":
            exploitation["area"] = str(raw)[:200]
        elif name == "cas_Status":
            record["status"] = read_code(Col(name, codes="case_status"), str(raw), "htcds")
        elif name == "cas_ReferredOrganisation":
            record.setdefault("referrals", [{"victim": "v", "service": "other"}])
            record["referrals"][0]["receiving_organisation_name"] = str(raw)[:200]
        elif name == "cas_OutgoingReferralDate":
            record.setdefault("referrals", [{"victim": "v", "service": "other"}])
            record["referrals"][0]["referred_on"] = str(raw)
        elif name in HTCDS_ID_FIELDS:
            record["source_record_id"] = str(raw)
        elif name.startswith(("cas_", "vic_")):
            # a field no layout knows may name a person (vic_MotherName): identity by default,
            # kept encrypted (Case.source_identity), never with the unmapped known columns
            record.setdefault("source_identity", {})[name] = raw
        else:
            # the value of a field nobody knows is identity by default: never quoted
            raise RowError(name, "…", _("is not an HTCDS v2.0 field"))
    address = ", ".join(clean(item.get(n)) for n in HTCDS_ADDRESS if clean(item.get(n)))
    if address:
        victim["address"] = address
    return record


def record_to_htcds(record: dict[str, Any], *, with_identity: bool) -> list[dict[str, Any]]:
    """A nested record -> one HTCDS object per victim."""
    out = []
    for victim in record.get("victims") or []:
        item: dict[str, Any] = {
            "cas_CaseNumber": record.get("source_record_id") or record["reference"]
        }
        if with_identity:
            for theirs, ours in HTCDS_IDENTITY.items():
                if victim.get(ours):
                    item[theirs] = victim[ours]
            if victim.get("address"):
                item["prs_MailingStreet"] = victim["address"]
        if victim.get("sex"):
            item["prs_Gender"] = codelists.get("sex").to_external("htcds", victim["sex"])
        if victim.get("citizenship"):
            item["prs_Citizenship"] = victim["citizenship"]
        if victim.get("consent_services") is not None:
            item["con_Consent"] = "TRUE" if victim["consent_services"] else "FALSE"
        if victim.get("trafficking_status"):
            item["vic_TraffickingStatus"] = codelists.get("trafficking_status").to_external(
                "htcds", victim["trafficking_status"]
            )
        exps = [
            e
            for e in record.get("exploitations") or []
            if e.get("victim") in (None, victim["uuid"])
        ]
        for theirs, (listname, field) in HTCDS_MULTI.items():
            values = []
            for e in exps:
                for code in e.get(field) or []:
                    ext = codelists.get(listname).to_external("htcds", code)
                    if ext and ext not in values:
                        values.append(ext)
            if values:
                item[theirs] = values
        area = next((e["area"] for e in exps if e.get("area")), "")
        if area:
            item["vic_LocationOfExploitation"] = area
        status = codelists.get("case_status").to_external("htcds", record.get("status") or "")
        if status:
            item["cas_Status"] = status
        for ref in record.get("referrals") or []:
            if ref.get("receiving_organisation_name"):
                item["cas_ReferredOrganisation"] = ref["receiving_organisation_name"]
            if ref.get("referred_on"):
                item["cas_OutgoingReferralDate"] = ref["referred_on"]
        # the record carries source_identity only when identities are exported
        kept = {**(record.get("source_attributes") or {}), **(record.get("source_identity") or {})}
        item.update({k: v for k, v in kept.items() if k.startswith(("cas_", "vic_"))})
        out.append(item)
    return out
