from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.core.models import Organisation, OrganisationShare
from vigie.core.roles import catalogue


def role_choices(include_system: bool) -> list[tuple[str, str]]:
    return [
        (r.code, r.label)
        for r in catalogue().roles.values()
        if include_system or r.scope != "system"
    ]


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters. The user should change it at first login."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args: Any, include_system: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["roles"]).choices = role_choices(include_system)


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), widget=forms.CheckboxSelectMultiple, choices=(), required=False
    )

    def __init__(self, *args: Any, include_system: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["roles"]).choices = role_choices(include_system)


class OrganisationForm(forms.ModelForm[Organisation]):
    class Meta:
        model = Organisation
        fields = ["code", "name", "kind", "country"]


class ShareForm(forms.ModelForm[OrganisationShare]):
    class Meta:
        model = OrganisationShare
        fields = ["partner", "scope", "include_identities"]

    def __init__(self, *args: Any, owner: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partner = cast(forms.ModelChoiceField, self.fields["partner"])
        partner.queryset = Organisation.objects.filter(is_active=True).exclude(pk=owner.pk)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100, help_text=_("What it is for."))
