"""The case form (one page, in steps: case, person, exploitation, perpetrator, route), with
repeated rows (formsets). The form only gathers values: it builds a nested record for
services.save_record, whose problems come back on the matching fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.cases import codelists

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
LEG_FIELDS = ["country", "area", "role", "latitude", "longitude", "transport_mode", "corridor"]

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

    def section(self, prefix: str) -> list[Any]:
        if prefix == "case":
            return [self[n] for n in CASE_FIELDS]
        return [self[n] for n in self.fields if n.startswith(prefix + "-")]

    def case_section(self) -> list[Any]:
        return self.section("case")

    def identity_section(self) -> list[Any]:
        return [self[f"victim-{n}"] for n in IDENTITY_FIELDS if f"victim-{n}" in self.fields]

    def profile_section(self) -> list[Any]:
        return [self[f"victim-{n}"] for n in VICTIM_FIELDS]


# --- rows that repeat: exploitations, perpetrators, route legs (Django formsets) -----------


class RowForm(forms.Form):
    """One repeated row; ``uuid`` names the stored row it edits (empty for a new row)."""

    uuid = forms.CharField(required=False, widget=forms.HiddenInput)
    FIELDS: list[str] = []

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(data.get(n) not in (None, "", []) for n in self.FIELDS)


class ExploitationForm(RowForm):
    FIELDS = EXPLOITATION_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        f["forms"] = forms.MultipleChoiceField(
            label=_("Forms of exploitation"),
            choices=_choices("exploitation_forms", False),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        f["means"] = forms.MultipleChoiceField(
            label=_("Means used"),
            choices=_choices("means", False),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        f["labour_sectors"] = forms.MultipleChoiceField(
            label=_("Sectors of forced labour"),
            choices=_choices("labour_sectors", False),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        f["country"] = forms.ChoiceField(
            label=_("Country of exploitation"), choices=_countries(), required=False
        )
        f["area"] = forms.CharField(label=_("Place of exploitation"), required=False)
        f["start_date"] = _date(_("Exploitation from"))
        f["end_date"] = _date(_("Exploitation until"))


class PerpetratorForm(RowForm):
    FIELDS = PERPETRATOR_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        f["perpetrator_type"] = forms.ChoiceField(
            label=_("Perpetrator type"), choices=_choices("perpetrator_types"), required=False
        )
        f["group_code"] = forms.ChoiceField(
            label=_("Armed or terrorist group"), choices=_choices("armed_groups"), required=False
        )
        f["group_name"] = forms.CharField(
            label=_("Group name (when not in the list)"), required=False
        )
        f["role"] = forms.ChoiceField(
            label=_("Role"), choices=_choices("perpetrator_roles"), required=False
        )
        f["relationship"] = forms.ChoiceField(
            label=_("Relationship to the person"),
            choices=_choices("relationships"),
            required=False,
        )


class LegForm(RowForm):
    FIELDS = LEG_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        f["country"] = forms.ChoiceField(label=_("Country"), choices=_countries(), required=False)
        f["area"] = forms.CharField(label=_("Area or town"), required=False)
        f["role"] = forms.ChoiceField(
            label=_("Role on the route"), choices=_choices("route_leg_roles"), required=False
        )
        f["latitude"] = forms.FloatField(
            label=_("Latitude"), required=False, min_value=-90, max_value=90
        )
        f["longitude"] = forms.FloatField(
            label=_("Longitude"), required=False, min_value=-180, max_value=180
        )
        f["transport_mode"] = forms.ChoiceField(
            label=_("Transport to the next place"),
            choices=_choices("transport_modes"),
            required=False,
        )
        f["corridor"] = forms.ChoiceField(
            label=_("Migration corridor"), choices=_choices("corridors"), required=False
        )


# prefix -> (row form, record section, rows shown on a new case)
ROWS: dict[str, tuple[type[RowForm], str, int]] = {
    "exp": (ExploitationForm, "exploitations", 1),
    "perp": (PerpetratorForm, "perpetrators", 1),
    "leg": (LegForm, "route", 2),
}
MAX_ROWS = 50


class RowFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this row")


def _formset_class(prefix: str, extra: int) -> type[forms.BaseFormSet[Any]]:
    form_class = ROWS[prefix][0]
    return forms.formset_factory(
        form_class,
        formset=RowFormSet,
        extra=extra,
        can_delete=True,
        max_num=MAX_ROWS,
        validate_max=True,
    )


def quiet(form: Any, rows: dict[str, Any]) -> None:
    """Show a bound form as typed, without validating it (after "Add another": no error
    messages for fields the user has not reached yet)."""
    from django.forms.utils import ErrorDict, ErrorList

    form._errors = ErrorDict()
    for formset in rows.values():
        formset._errors = []
        formset._non_form_errors = ErrorList()
        for row in formset.forms:
            row._errors = ErrorDict()


def _management(data: Any, prefix: str) -> dict[str, str]:
    """Management counts for a post that has none (a form posted without them, e.g. by a
    script): the rows present in the data."""
    if f"{prefix}-TOTAL_FORMS" in data:
        return {}
    rows = {
        int(key.split("-")[1])
        for key in data
        if key.startswith(prefix + "-") and key.split("-")[1].isdigit()
    }
    total = max(rows) + 1 if rows else 0
    return {
        f"{prefix}-TOTAL_FORMS": str(min(total, MAX_ROWS)),
        f"{prefix}-INITIAL_FORMS": "0",
    }


def row_formsets(
    data: Any = None, record: dict[str, Any] | None = None, add: str = ""
) -> dict[str, Any]:
    """The three formsets of the case form, bound to ``data`` (a POST) or filled from the
    ``record`` being edited. ``add``: the prefix that gets one more empty row (the "Add
    another" button, which works without JavaScript)."""
    out: dict[str, Any] = {}
    for prefix, (_form, section, new_rows) in ROWS.items():
        if data is not None:
            bound = data.copy()
            for key, value in _management(data, prefix).items():
                bound[key] = value
            if add == prefix:
                total = int(bound.get(f"{prefix}-TOTAL_FORMS") or 0)
                bound[f"{prefix}-TOTAL_FORMS"] = str(min(total + 1, MAX_ROWS))
            out[prefix] = _formset_class(prefix, 0)(bound, prefix=prefix)
            continue
        rows = (record or {}).get(section) or []
        initial = [_row_initial(prefix, row) for row in rows]
        extra = max(new_rows - len(initial), 0) if record is None else (0 if initial else 1)
        out[prefix] = _formset_class(prefix, extra)(initial=initial or None, prefix=prefix)
    return out


def _row_initial(prefix: str, row: dict[str, Any]) -> dict[str, Any]:
    names = ROWS[prefix][0].FIELDS
    return {"uuid": row.get("uuid") or "", **{n: row.get(n) for n in names}}


def formsets_valid(formsets: dict[str, Any]) -> bool:
    return all(fs.is_valid() for fs in formsets.values())


def _tri(value: Any) -> bool | None:
    return {"true": True, "false": False}.get(value or "")


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


NULLABLE = {"latitude", "longitude", "start_date", "end_date"}


def form_to_record(
    cd: dict[str, Any], formsets: dict[str, Any], existing: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """The nested record from the case form's cleaned data and its (valid) row formsets;
    ``existing`` is the record being edited: rows keep what the form does not show (matched by
    their ``uuid``), rows left out or marked "Remove" are deleted, blank rows are ignored.
    Also returns, per section, the form row of each record row (to put problems back)."""
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
    where: dict[str, list[int]] = {}
    for prefix, (form_class, section, _new) in ROWS.items():
        old = {str(r.get("uuid")): dict(r) for r in existing.get(section) or [] if r.get("uuid")}
        rows: list[dict[str, Any]] = []
        where[section] = []
        for index, form in enumerate(formsets[prefix].forms):
            data = form.cleaned_data
            if not data or data.get("DELETE") or form.is_blank():
                continue
            row = old.get(data.get("uuid") or "") or {"victim": vkey}
            for n in form_class.FIELDS:
                value = data.get(n)
                if isinstance(value, list):
                    row[n] = value
                elif value in (None, ""):
                    row[n] = None if n in NULLABLE else ""
                else:
                    row[n] = _plain(value)
            if prefix == "perp" and not row.get("kind"):
                row["kind"] = (
                    "group" if row.get("group_code") or row.get("group_name") else "person"
                )
            rows.append(row)
            where[section].append(index)
        if prefix == "leg":
            for seq, leg in enumerate(rows, 1):
                leg["sequence"] = seq
        record[section] = rows
    return record, where


def record_to_initial(record: dict[str, Any]) -> dict[str, Any]:
    initial: dict[str, Any] = {n: record.get(n) for n in CASE_FIELDS}
    if record.get("victims"):
        v = record["victims"][0]
        for n in IDENTITY_FIELDS + VICTIM_FIELDS:
            value = v.get(n)
            if isinstance(value, bool):
                value = "true" if value else "false"
            initial[f"victim-{n}"] = value
    return initial


SECTION_PREFIX = {section: prefix for prefix, (_f, section, _n) in ROWS.items()}


def problem_field(path: str, where: dict[str, list[int]] | None = None) -> tuple[str, int, str]:
    """Where a record problem goes on the form: ``("", -1, "victim-sex")`` for a field of the
    case form, ``("exp", 2, "country")`` for a field of a row, ``("", -1, "")`` for none."""
    if "." not in path:
        return ("", -1, path if path in CASE_FIELDS else "")
    head, name = path.split(".", 1)
    section, _sep, index = head.partition("[")
    number = int(index[:-1]) if index[:-1].isdigit() else -1
    if section == "victims":
        return ("", -1, f"victim-{name}" if number == 0 else "")
    prefix = SECTION_PREFIX.get(section)
    rows = (where or {}).get(section) or []
    if prefix is None or not 0 <= number < len(rows):
        return ("", -1, "")
    return (prefix, rows[number], name)
