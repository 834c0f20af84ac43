"""The mapping editor: a published form's questions -> fields of Vigie's data standard, and
its choices -> codes, saved as a mapping profile of the case import (ADR 0910).

One page per form and organisation. Each question gets a field (or none: its answers stay in
the case's source attributes); each choice of a question mapped to a coded field gets a code
(or none: the answer is kept as it is and, if it is no code, shown as a mapping problem). The
page starts from the organisation's saved profile for the form, else the built-in one.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from vigie.cases import codelists, records
from vigie.cases.interchange import mapping as case_mapping
from vigie.collection import mapping, selectors, services
from vigie.collection.models import Publication
from vigie.core.actor import actor_of_request
from vigie.core.errors import VigieError
from vigie.web.mixins import PermissionRequired

SECTIONS = {
    "case": gettext_lazy("Case"),
    "victim": gettext_lazy("Victim"),
    "exploitation": gettext_lazy("Exploitation"),
    "perpetrator": gettext_lazy("Perpetrator"),
}
ASKED = ("input", "select1", "select", "range", "upload")


def _targets() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = [("", _("— keep in the source attributes —"))]
    for target, f in case_mapping.vigie_fields().items():
        section = target.split(".", 1)[0]
        out.append((target, f"{SECTIONS[section]}: {f.verbose_name}"))
    return out


def codelist_of(target: str) -> str:
    f: Any = case_mapping.vigie_fields().get(target)
    if f is None:
        return ""
    if getattr(f, "codelist", ""):
        return str(f.codelist)
    if f.name in records.COUNTRY_FIELDS:
        return "countries"
    return ""


class MappingForm(forms.Form):
    """Fields ``q<i>`` (a question's target) and ``v<i>_<j>`` (the code of choice j)."""

    name = forms.CharField(label=gettext_lazy("Profile name"), max_length=120)

    def __init__(
        self, *args: Any, questions: list[tuple[str, dict[str, Any]]], rules: Any, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.questions = questions
        self.rows: list[dict[str, Any]] = []
        targets = _targets()
        for i, (path, q) in enumerate(questions):
            current = mapping._target(rules, path) if rules is not None else ""
            name = f"q{i}"
            self.fields[name] = forms.ChoiceField(
                label=q.get("label") or path, choices=targets, required=False, initial=current
            )
            chosen = self.data.get(name, current) if self.is_bound else current
            row: dict[str, Any] = {
                "path": path,
                "field": self[name],
                "choices": [],
                "type": q.get("type"),
            }
            lst = codelist_of(chosen)
            table = (rules.values.get(chosen) or {}) if rules is not None else {}
            known = codelists.get(lst).codes if lst else {}
            row["codes_already"] = bool(
                lst and q.get("choices") and not table and all(v in known for v in q["choices"])
            )
            if lst and q.get("choices") and not row["codes_already"]:
                codes = [("", _("— as it is —")), *codelists.get(lst).choices()]
                for j, (value, label) in enumerate(q["choices"].items()):
                    key = f"v{i}_{j}"
                    initial = table.get(value, value if value in dict(codes) else "")
                    self.fields[key] = forms.ChoiceField(
                        label=f"{label} ({value})", choices=codes, required=False, initial=initial
                    )
                    row["choices"].append((value, self[key]))
            self.rows.append(row)

    def rules(self) -> case_mapping.Mapping:
        """The mapping the page says (as the case import reads it)."""
        columns: dict[str, str] = {}
        values: dict[str, dict[str, str]] = {}
        for i, (path, q) in enumerate(self.questions):
            target = self.cleaned_data.get(f"q{i}") or ""
            if not target:
                continue
            columns[path] = target
            for j, value in enumerate((q.get("choices") or {}).keys()):
                code = self.cleaned_data.get(f"v{i}_{j}") or ""
                if code and code != value:
                    values.setdefault(target, {})[value] = code
        return case_mapping.Mapping(columns=columns, values=values)


class MappingEditorView(PermissionRequired, View):
    required_permission = services.MANAGE

    def _context(
        self, request: HttpRequest, org: str, form_id: str
    ) -> tuple[Publication, Any, Any]:
        orgs = selectors.organisations_for(request.user, services.MANAGE)
        pub = (
            Publication.objects.select_related("form", "version", "organisation")
            .filter(form_key=form_id, organisation__in=orgs, organisation__code=org)
            .first()
        )
        if pub is None:
            raise Http404
        questions = [
            (path, q) for path, q in pub.version.questions.items() if q.get("type") in ASKED
        ]
        name, rules = mapping.rules_for(form_id, pub.organisation_id)
        return pub, questions, (name, rules)

    def _render(
        self, request: HttpRequest, pub: Publication, form: MappingForm, status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "collection/mapping.html",
            {"pub": pub, "form": form},
            status=status,
        )

    def get(self, request: HttpRequest, org: str, form_id: str) -> HttpResponse:
        pub, questions, (name, rules) = self._context(request, org, form_id)
        form = MappingForm(
            questions=questions, rules=rules, initial={"name": name or pub.form.title}
        )
        return self._render(request, pub, form)

    def post(self, request: HttpRequest, org: str, form_id: str) -> HttpResponse:
        pub, questions, (_name, rules) = self._context(request, org, form_id)
        form = MappingForm(request.POST, questions=questions, rules=rules)
        if not form.is_valid():
            return self._render(request, pub, form, 400)
        try:
            services.save_mapping(
                actor_of_request(request, pub.organisation_id),
                pub.form,
                pub.organisation,
                form.cleaned_data["name"],
                form.rules(),
            )
        except VigieError as exc:
            form.add_error(None, exc.message)
            return self._render(request, pub, form, exc.status)
        messages.success(
            request,
            _("Mapping profile %(name)s saved for %(form)s.")
            % {"name": form.cleaned_data["name"], "form": pub.form.title},
        )
        return redirect(request.path)
