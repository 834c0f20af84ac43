from __future__ import annotations

from django import forms
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
