from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.linkage.models import Decision


class DecisionForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Decision"), choices=Decision.Verdict.choices)
    reason = forms.CharField(label=_("Reason (no names)"), max_length=500)


class ThresholdForm(forms.Form):
    threshold = forms.FloatField(label=_("Threshold"), min_value=0.01, max_value=0.99)


class EncodeForm(forms.Form):
    secret = forms.CharField(
        label=_("Secret agreed with the other organisations"),
        widget=forms.PasswordInput,
        min_length=12,
        help_text=_("Never stored: only the encodings of your records are kept."),
    )
