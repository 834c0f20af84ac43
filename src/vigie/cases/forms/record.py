"""The case form's formsets and the nested record it builds for services.save_record (the
one writer, whose problems come back on the matching fields of the form)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.cases.forms.rows import (
    CASE_FIELDS,
    JUSTICE_FIELDS,
    ROWS,
    VictimForm,
)
from vigie.cases.models import Referral

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
    data: Any = None,
    record: dict[str, Any] | None = None,
    add: str = "",
    *,
    refer: bool = True,
    identity: bool = True,
) -> dict[str, Any]:
    """The row formsets of the case form, bound to ``data`` (a POST) or filled from the
    ``record`` being edited. ``add``: the prefix that gets one more empty row (the "Add
    another" button, which works without JavaScript). ``refer`` False (the user may not refer
    victims): no referral rows, so the record leaves them as they are. ``identity`` False:
    the people's rows have no identity fields."""
    out: dict[str, Any] = {}
    for prefix, (_form, section, new_rows) in ROWS.items():
        if prefix == "ref" and not refer:
            continue
        form_kwargs = {"show_identity": identity} if prefix == "vic" else {}
        if data is not None:
            bound = data.copy()
            for key, value in _management(data, prefix).items():
                bound[key] = value
            if add == prefix:
                total = int(bound.get(f"{prefix}-TOTAL_FORMS") or 0)
                bound[f"{prefix}-TOTAL_FORMS"] = str(min(total + 1, MAX_ROWS))
            out[prefix] = _formset_class(prefix, 0)(bound, prefix=prefix, form_kwargs=form_kwargs)
            continue
        rows = (record or {}).get(section) or []
        initial = [_row_initial(prefix, row) for row in rows]
        if prefix == "inc":
            person = ((record or {}).get("victims") or [{}])[0]
            for item in initial:
                item["includes_person"] = bool(item["uuid"]) and item["uuid"] == str(
                    person.get("incident") or ""
                )
        if record is None:
            extra = max(new_rows - len(initial), 0)
        else:
            extra = 0 if initial else min(new_rows, 1)
        out[prefix] = _formset_class(prefix, extra)(
            initial=initial or None, prefix=prefix, form_kwargs=form_kwargs
        )
    return out


def _row_initial(prefix: str, row: dict[str, Any]) -> dict[str, Any]:
    names = ROWS[prefix][0].model_fields()
    values = {n: row.get(n) for n in names}
    for n, value in values.items():
        if isinstance(value, bool):  # a yes/no/not recorded choice
            values[n] = "true" if value else "false"
    return {"uuid": row.get("uuid") or "", **values}


def formsets_valid(formsets: dict[str, Any]) -> bool:
    valid = all(fs.is_valid() for fs in formsets.values())
    if "inc" in formsets and valid:
        # the person is linked to one incident at most (Victim.incident)
        ticked = [row for row in _kept_rows(formsets["inc"]) if row.cleaned_data["includes_person"]]
        for row in ticked[1:]:
            row.add_error("includes_person", _("The person can be counted in one incident only."))
        valid = len(ticked) <= 1
    return valid


def _kept_rows(formset: Any) -> list[Any]:
    """The rows of a (valid) formset that make a record row: not blank, not removed."""
    return [
        form
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE") and not form.is_blank()
    ]


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def form_to_record(
    cd: dict[str, Any], formsets: dict[str, Any], existing: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """The nested record from the case form's cleaned data and its (valid) row formsets;
    ``existing`` is the record being edited: rows keep what the form does not show (matched by
    their ``uuid``), rows left out or marked "Remove" are deleted, blank rows are ignored.
    Also returns, per section, the form row of each record row (to put problems back).

    People are rows too: a person's row left blank is no person, except on a case that has
    neither people nor incidents (it records one person with the defaults). A new case whose
    people are left blank while it has incidents records no person: the people are the
    incidents' counts (a blank person would be counted once more). Exploitations,
    perpetrators and route legs belong to the first person."""
    existing = existing or {}
    record: dict[str, Any] = {n: _plain(cd.get(n)) for n in CASE_FIELDS + JUSTICE_FIELDS}
    incident_rows = _kept_rows(formsets["inc"]) if "inc" in formsets else []
    linked = [r for r in incident_rows if r.cleaned_data.get("includes_person")]
    victims, where = _victims(formsets, existing, bool(incident_rows) and not linked)
    victim = victims[0] if victims else {}
    vkey = (victim.get("uuid") or victim.get("key")) if victims else None
    record["victims"] = victims
    people = {v.get("uuid") or v.get("key") for v in victims}
    for prefix, (form_class, section, _new) in ROWS.items():
        if prefix not in formsets or prefix == "vic":
            continue
        old = {str(r.get("uuid")): dict(r) for r in existing.get(section) or [] if r.get("uuid")}
        rows: list[dict[str, Any]] = []
        where[section] = []
        kept = _kept_rows(formsets[prefix])
        for index, form in enumerate(formsets[prefix].forms):
            if form not in kept:
                continue
            data = form.cleaned_data
            new_row: dict[str, Any] = (
                {"key": f"inc-{index}"} if prefix == "inc" else {"victim": vkey}
            )
            row = old.get(data.get("uuid") or "") or new_row
            if prefix != "inc" and row.get("victim") not in people:
                row["victim"] = vkey  # its person was removed: the rows are the first person's
            model = form_class._meta.model
            for n in form_class.model_fields():
                value = data.get(n)
                if isinstance(value, list):
                    row[n] = value
                elif value in (None, ""):
                    row[n] = None if model._meta.get_field(n).null else ""
                else:
                    row[n] = _plain(value)
            if prefix == "perp" and not row.get("kind"):
                row["kind"] = (
                    "group" if row.get("group_code") or row.get("group_name") else "person"
                )
            if prefix == "ref" and not row.get("status"):
                row["status"] = Referral.Status.PROPOSED
            if prefix == "inc" and victims and data.get("includes_person"):
                victim["incident"] = row.get("uuid") or row["key"]
            rows.append(row)
            where[section].append(index)
        if prefix == "leg":
            for seq, leg in enumerate(rows, 1):
                leg["sequence"] = seq
        if prefix == "inc" and victims and not linked:
            victim["incident"] = None  # not (or no longer) counted in an incident
        record[section] = rows
    return record, where


def _victims(
    formsets: dict[str, Any], existing: dict[str, Any], counts_only: bool
) -> tuple[list[dict[str, Any]], dict[str, list[int]]]:
    """The people of the record from the (valid) people's rows, each stored person matched by
    its ``uuid`` (keeping what the form does not show, such as an identity the user may not
    see); also the form row of each (to put problems back)."""
    old = {str(v.get("uuid")): dict(v) for v in existing.get("victims") or [] if v.get("uuid")}
    formset = formsets.get("vic")
    if formset is None:
        return [dict(v) for v in existing.get("victims") or []], {}
    forms_ = list(formset.forms)
    # a stored person stays unless removed, even with every field the form shows cleared
    kept = [
        f
        for f in forms_
        if f.cleaned_data
        and not f.cleaned_data.get("DELETE")
        and (f.cleaned_data.get("uuid") or not f.is_blank())
    ]
    if not kept and not counts_only and not existing.get("victims"):
        # a case with nobody recorded at all: one person with the defaults, as before
        kept = [f for f in forms_ if f.cleaned_data and not f.cleaned_data.get("DELETE")][:1]
    victims: list[dict[str, Any]] = []
    rows: list[int] = []
    for index, form in enumerate(forms_):
        if form not in kept:
            continue
        data = form.cleaned_data
        victim = old.get(data.get("uuid") or "") or {"key": f"v{index + 1}"}
        for n in VictimForm.model_fields():
            if n in form.fields:
                victim[n] = _plain(data.get(n))
        for derived in (
            "age_band_at_identification",
            "age_band_at_exploitation",
            "age_group_at_identification",
            "age_group_at_exploitation",
        ):
            victim.pop(derived, None)  # recomputed from the ages
        victims.append(victim)
        rows.append(index)
    return victims, {"victims": rows}


def record_to_initial(record: dict[str, Any]) -> dict[str, Any]:
    return {n: record.get(n) for n in CASE_FIELDS + JUSTICE_FIELDS}


SECTION_PREFIX = {section: prefix for prefix, (_f, section, _n) in ROWS.items()}


def problem_field(path: str, where: dict[str, list[int]] | None = None) -> tuple[str, int, str]:
    """Where a record problem goes on the form: ``("", -1, "country")`` for a field of the
    case form, ``("vic", 1, "sex")`` or ``("exp", 2, "country")`` for a field of a row,
    ``("", -1, "")`` for none."""
    if "." not in path:
        return ("", -1, path if path in CASE_FIELDS + JUSTICE_FIELDS else "")
    head, name = path.split(".", 1)
    section, _sep, index = head.partition("[")
    number = int(index[:-1]) if index[:-1].isdigit() else -1
    prefix = SECTION_PREFIX.get(section)
    rows = (where or {}).get(section) or []
    if prefix is None or not 0 <= number < len(rows):
        return ("", -1, "")
    return (prefix, rows[number], name)
