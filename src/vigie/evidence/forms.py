from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExportForm(forms.Form):
    case = forms.CharField(label=_("Case"), max_length=100)
    lang = forms.ChoiceField(
        label=_("Report language"), choices=[("fr", _("French")), ("en", _("English"))]
    )


class AddForm(forms.Form):
    """The collection record typed in the upload page (the file goes by chunks, in JS)."""

    case_ref = forms.CharField(
        label=_("Case"), max_length=100, help_text=_("The reference of a case in Vigie.")
    )
    external_case = forms.BooleanField(
        label=_("External reference (no case record in Vigie)"), required=False
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    collected_at = forms.DateTimeField(
        label=_("Collected at (UTC)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    collected_by = forms.CharField(label=_("Collected by"), required=False, max_length=200)
    place = forms.CharField(label=_("Place"), required=False, max_length=300)
    consent = forms.CharField(
        label=_("Consent"),
        required=False,
        max_length=500,
        help_text=_("Under what consent it was obtained."),
    )
    perpetrators = forms.MultipleChoiceField(
        label=_("Perpetrators of the case"),
        required=False,
        help_text=_("Optional. Hold Ctrl (or Cmd) to choose several."),
    )
    incidents = forms.MultipleChoiceField(
        label=_("Incidents of the case"),
        required=False,
        help_text=_("Optional. Hold Ctrl (or Cmd) to choose several."),
    )

    def __init__(
        self,
        *args: Any,
        perpetrators: list[Any] | None = None,
        incidents: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """``perpetrators`` and ``incidents``: the records of the chosen case (no names)."""
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["perpetrators"].choices = [
            (str(p.uuid), perpetrator_label(p)) for p in perpetrators or []
        ]
        fields["incidents"].choices = [(str(i.uuid), incident_label(i)) for i in incidents or []]
        # Changing the case reloads the lists of its perpetrators and incidents (htmx).
        fields["case_ref"].widget.attrs.update(
            {
                "hx-get": reverse("evidence:add"),
                "hx-trigger": "change",
                "hx-select": "#case-records",
                "hx-target": "#case-records",
                "hx-swap": "outerHTML",
            }
        )


def perpetrator_label(p: Any) -> str:
    """Number, person or group, and the group: never the (encrypted) name."""
    parts = [f"#{p.pk}", str(p.get_kind_display())]
    group = p.group_name or p.group_code
    if group:
        parts.append(str(group))
    return " · ".join(parts)


def incident_label(i: Any) -> str:
    parts = [f"#{i.pk}"]
    if i.date_start:
        parts.append(i.date_start.isoformat())
    place = ", ".join(x for x in (i.area, i.country) if x)
    if place:
        parts.append(place)
    return " · ".join(parts)
