"""The case form (one page, in steps: case, person, exploitation, perpetrator, route) and the
import form. The form only gathers values: it builds a nested record for
services.save_record, whose problems come back on the matching fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.cases import codelists

LEGS = 3
CASE_FIELDS = [
    "reference",
    "summary",
    "status",
    "source_type",
    "source_record_id",
    "verification_status",
    "conflict_situation",
    "conflict_context",
    "country",
    "area",
    "event_date_start",
    "event_date_end",
    "identification_date",
    "report_date",
]
IDENTITY_FIELDS = ["given_name", "family_name", "date_of_birth", "document_number", "phone"]
VICTIM_FIELDS = [
    "sex",
    "age_at_identification",
    "age_at_exploitation",
    "citizenship",
    "displacement_status",
    "care_status",
    "minority_group",
    "has_disability",
    "trafficking_status",
    "non_punishment_recorded",
    "consent_services",
    "consent_sharing",
    "consent_evidence",
]
EXPLOITATION_FIELDS = [
    "forms",
    "means",
    "labour_sectors",
    "country",
    "area",
    "start_date",
    "end_date",
]
PERPETRATOR_FIELDS = ["perpetrator_type", "group_code", "group_name", "role", "relationship"]
LEG_FIELDS = ["country", "area", "role", "transport_mode", "corridor"]

TRI = [("", _("Not recorded")), ("true", _("Yes")), ("false", _("No"))]


def _choices(listname: str, blank: bool = True) -> list[tuple[str, str]]:
    items = codelists.get(listname).choices()
    return [("", "—"), *items] if blank else items


def _countries() -> list[tuple[str, str]]:
    items = sorted(codelists.get("countries").choices(), key=lambda c: c[1])
    return [("", "—"), *items]


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class CaseForm(forms.Form):
    """Field names: ``case-*``, ``victim-*``, ``exp-*``, ``perp-*``, ``leg1-*`` ..."""

    def __init__(self, *args: Any, show_identity: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        f["reference"] = forms.CharField(
            label=_("Reference"),
            required=False,
            max_length=60,
            help_text=_("Left empty, one is generated."),
        )
        f["summary"] = forms.CharField(
            label=_("Summary"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("What happened, without names, addresses or other identifying details."),
        )
        f["status"] = forms.ChoiceField(label=_("Status"), choices=_choices("case_status", False))
        f["source_type"] = forms.ChoiceField(
            label=_("Data source type"), choices=_choices("data_source_types")
        )
        f["source_record_id"] = forms.CharField(
            label=_("Source record id"), required=False, max_length=120
        )
        f["verification_status"] = forms.ChoiceField(
            label=_("Verification status"), choices=_choices("verification_status", False)
        )
        f["conflict_situation"] = forms.ChoiceField(
            label=_("Conflict situation"), choices=_choices("conflict_situations"), required=False
        )
        f["conflict_context"] = forms.ChoiceField(
            label=_("Conflict context"), choices=_choices("conflict_contexts"), required=False
        )
        f["country"] = forms.ChoiceField(
            label=_("Country where identified"), choices=_countries(), required=False
        )
        f["area"] = forms.CharField(label=_("Sub-national area"), required=False, max_length=200)
        f["event_date_start"] = _date(_("Events from"))
        f["event_date_end"] = _date(_("Events until"))
        f["identification_date"] = _date(_("Date of identification"))
        f["report_date"] = _date(_("Date of report"))
        if show_identity:
            f["victim-given_name"] = forms.CharField(label=_("Given name"), required=False)
            f["victim-family_name"] = forms.CharField(label=_("Family name"), required=False)
            f["victim-date_of_birth"] = _date(_("Date of birth"))
            f["victim-document_number"] = forms.CharField(
                label=_("Identity document number"), required=False
            )
            f["victim-phone"] = forms.CharField(label=_("Phone"), required=False)
        f["victim-sex"] = forms.ChoiceField(label=_("Sex"), choices=_choices("sex"), required=False)
        f["victim-age_at_identification"] = forms.IntegerField(
            label=_("Age at identification"), required=False, min_value=0, max_value=120
        )
        f["victim-age_at_exploitation"] = forms.IntegerField(
            label=_("Age when exploitation began"), required=False, min_value=0, max_value=120
        )
        f["victim-citizenship"] = forms.ChoiceField(
            label=_("Citizenship"), choices=_countries(), required=False
        )
        f["victim-displacement_status"] = forms.ChoiceField(
            label=_("Displacement status"), choices=_choices("displacement_status"), required=False
        )
        f["victim-care_status"] = forms.ChoiceField(
            label=_("Unaccompanied or separated child"),
            choices=_choices("care_status"),
            required=False,
        )
        f["victim-minority_group"] = forms.ChoiceField(
            label=_("Minority group"), choices=_choices("minority_groups"), required=False
        )
        for name, label in [
            ("has_disability", _("Disability")),
            ("non_punishment_recorded", _("Non-punishment principle applied")),
            ("consent_services", _("Consents to services")),
            ("consent_sharing", _("Consents to sharing with other organisations")),
            ("consent_evidence", _("Consents to use as evidence")),
        ]:
            f[f"victim-{name}"] = forms.ChoiceField(label=label, choices=TRI, required=False)
        f["victim-trafficking_status"] = forms.ChoiceField(
            label=_("Trafficking status"), choices=_choices("trafficking_status", False)
        )
        f["exp-forms"] = forms.MultipleChoiceField(
            label=_("Forms of exploitation"),
            choices=_choices("exploitation_forms", False),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        f["exp-means"] = forms.MultipleChoiceField(
            label=_("Means used"),
            choices=_choices("means", False),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        f["exp-labour_sectors"] = forms.MultipleChoiceField(
            label=_("Sectors of forced labour"),
            choices=_choices("labour_sectors", False),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        f["exp-country"] = forms.ChoiceField(
            label=_("Country of exploitation"), choices=_countries(), required=False
        )
        f["exp-area"] = forms.CharField(label=_("Place of exploitation"), required=False)
        f["exp-start_date"] = _date(_("Exploitation from"))
        f["exp-end_date"] = _date(_("Exploitation until"))
        f["perp-perpetrator_type"] = forms.ChoiceField(
            label=_("Perpetrator type"), choices=_choices("perpetrator_types"), required=False
        )
        f["perp-group_code"] = forms.ChoiceField(
            label=_("Armed or terrorist group"), choices=_choices("armed_groups"), required=False
        )
        f["perp-group_name"] = forms.CharField(
            label=_("Group name (when not in the list)"), required=False
        )
        f["perp-role"] = forms.ChoiceField(
            label=_("Role"), choices=_choices("perpetrator_roles"), required=False
        )
        f["perp-relationship"] = forms.ChoiceField(
            label=_("Relationship to the person"),
            choices=_choices("relationships"),
            required=False,
        )
        for i in range(1, LEGS + 1):
            f[f"leg{i}-country"] = forms.ChoiceField(
                label=_("Country"), choices=_countries(), required=False
            )
            f[f"leg{i}-area"] = forms.CharField(label=_("Area or town"), required=False)
            f[f"leg{i}-role"] = forms.ChoiceField(
                label=_("Role on the route"), choices=_choices("route_leg_roles"), required=False
            )
            f[f"leg{i}-transport_mode"] = forms.ChoiceField(
                label=_("Transport to the next place"),
                choices=_choices("transport_modes"),
                required=False,
            )
            f[f"leg{i}-corridor"] = forms.ChoiceField(
                label=_("Migration corridor"), choices=_choices("corridors"), required=False
            )

    def section(self, prefix: str) -> list[Any]:
        if prefix == "case":
            return [self[n] for n in CASE_FIELDS]
        return [self[n] for n in self.fields if n.startswith(prefix + "-")]

    def case_section(self) -> list[Any]:
        return self.section("case")

    def exploitation_section(self) -> list[Any]:
        return self.section("exp")

    def perpetrator_section(self) -> list[Any]:
        return self.section("perp")

    def identity_section(self) -> list[Any]:
        return [self[f"victim-{n}"] for n in IDENTITY_FIELDS if f"victim-{n}" in self.fields]

    def profile_section(self) -> list[Any]:
        return [self[f"victim-{n}"] for n in VICTIM_FIELDS]

    def legs(self) -> list[list[Any]]:
        return [[self[f"leg{i}-{n}"] for n in LEG_FIELDS] for i in range(1, LEGS + 1)]


def _tri(value: Any) -> bool | None:
    return {"true": True, "false": False}.get(value or "")


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def form_to_record(cd: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
    """The nested record from cleaned data; ``existing`` is the record being edited (its first
    victim, exploitation and perpetrator and its first legs are the ones on the form)."""
    existing = existing or {}
    record: dict[str, Any] = {n: _plain(cd.get(n)) for n in CASE_FIELDS}
    victims = [dict(v) for v in existing.get("victims") or []]
    victim = victims[0] if victims else {"key": "v1"}
    for n in IDENTITY_FIELDS + VICTIM_FIELDS:
        key = f"victim-{n}"
        if key not in cd:
            continue
        value = cd[key]
        if n in ("has_disability", "non_punishment_recorded") or n.startswith("consent_"):
            value = _tri(value)
        victim[n] = _plain(value)
    for derived in (
        "age_band_at_identification",
        "age_band_at_exploitation",
        "age_group_at_identification",
        "age_group_at_exploitation",
    ):
        victim.pop(derived, None)  # recomputed from the ages
    if not victims:
        victims = [victim]
    vkey = victim.get("uuid") or victim.get("key")
    record["victims"] = victims
    exps = [dict(e) for e in existing.get("exploitations") or []]
    exp = exps[0] if exps else {"victim": vkey}
    for n in EXPLOITATION_FIELDS:
        exp[n] = _plain(cd.get(f"exp-{n}"))
    has_exp = any(exp.get(n) for n in EXPLOITATION_FIELDS)
    record["exploitations"] = ([exp] if has_exp or exps else []) + exps[1:]
    perps = [dict(p) for p in existing.get("perpetrators") or []]
    perp = perps[0] if perps else {"victim": vkey}
    for n in PERPETRATOR_FIELDS:
        perp[n] = cd.get(f"perp-{n}") or ""
    has_perp = any(perp.get(n) for n in PERPETRATOR_FIELDS)
    if has_perp and not perp.get("kind"):
        perp["kind"] = "group" if perp.get("group_code") or perp.get("group_name") else "person"
    record["perpetrators"] = ([perp] if has_perp or perps else []) + perps[1:]
    old_legs = [dict(leg) for leg in existing.get("route") or []]
    legs = []
    for i in range(1, LEGS + 1):
        leg = old_legs[i - 1] if i <= len(old_legs) else {}
        for n in LEG_FIELDS:
            leg[n] = cd.get(f"leg{i}-{n}") or ""
        if leg.get("country") or any(leg.get(n) for n in LEG_FIELDS):
            legs.append(leg)
    legs += old_legs[LEGS:]
    for seq, leg in enumerate(legs, 1):
        leg["sequence"] = seq
    record["route"] = legs
    return record


def record_to_initial(record: dict[str, Any]) -> dict[str, Any]:
    initial: dict[str, Any] = {n: record.get(n) for n in CASE_FIELDS}
    if record.get("victims"):
        v = record["victims"][0]
        for n in IDENTITY_FIELDS + VICTIM_FIELDS:
            value = v.get(n)
            if isinstance(value, bool):
                value = "true" if value else "false"
            initial[f"victim-{n}"] = value
    if record.get("exploitations"):
        for n in EXPLOITATION_FIELDS:
            initial[f"exp-{n}"] = record["exploitations"][0].get(n)
    if record.get("perpetrators"):
        for n in PERPETRATOR_FIELDS:
            initial[f"perp-{n}"] = record["perpetrators"][0].get(n)
    for i, leg in enumerate(record.get("route") or [], 1):
        if i > LEGS:
            break
        for n in LEG_FIELDS:
            initial[f"leg{i}-{n}"] = leg.get(n)
    return initial


def problem_field(path: str) -> str | None:
    """The form field for a record problem path (``victims[0].sex`` -> ``victim-sex``)."""
    if "." not in path:
        return path if path in CASE_FIELDS else None
    head, name = path.split(".", 1)
    section, _, index = head.partition("[")
    first = index.startswith("0]")
    if section == "victims" and first:
        return f"victim-{name}"
    if section == "exploitations" and first:
        return f"exp-{name}"
    if section == "perpetrators" and first:
        return f"perp-{name}"
    if section == "route" and index[:-1].isdigit() and int(index[:-1]) < LEGS:
        return f"leg{int(index[:-1]) + 1}-{name}"
    return None


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("CTDC layout as CSV or XLSX, or HTCDS records as JSON.")
    )
    format = forms.ChoiceField(
        label=_("Layout"),
        choices=[("", _("From the file name")), ("ctdc", "CTDC"), ("htcds", "HTCDS (JSON)")],
        required=False,
    )
    partial = forms.BooleanField(
        label=_("Write the valid rows even if some are invalid"),
        required=False,
        help_text=_("Otherwise nothing is written when any row is invalid."),
    )
    organisation = forms.ChoiceField(label=_("Organisation"))

    def __init__(self, *args: Any, organisations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(o.code, o.name) for o in organisations]
