"""Form fields made from the case models' fields: the label, help text, choices, bounds and
validation of each come from the model (its ``verbose_name`` is the one translated label),
so the web form cannot drift from what the models, the API and the imports accept.

``ModelRowForm`` is the base of every part of the case form (the case and each repeated
row). It gathers values only: services.save_record is the one writer, whose problems
(future dates, dates out of order, unknown keys) come back on the matching fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from vigie.cases import codelists
from vigie.cases.fields import CodeListField
from vigie.cases.records import COUNTRY_FIELDS
from vigie.core.fields import EncryptedDateField, EncryptedTextField

# a yes/no that may be "not recorded" (a nullable BooleanField)
TRI = [("", _("Not recorded")), ("true", _("Yes")), ("false", _("No"))]
BLANK = ("", "—")


def defaulted(db_field: models.Field[Any, Any]) -> bool:
    """A field that always holds a value (a non-empty default): its select has no blank
    choice, and a form that leaves it out (a script's post) gets the default."""
    if not db_field.has_default():
        return False
    default = db_field.get_default()
    return default not in (None, "", [], {})


def _bounds(db_field: models.Field[Any, Any]) -> dict[str, Any]:
    """min_value/max_value for a number's form field, from the model's validators."""
    out: dict[str, Any] = {}
    for v in db_field.validators:
        if isinstance(v, MinValueValidator) and not callable(v.limit_value):
            out["min_value"] = max(out.get("min_value", v.limit_value), v.limit_value)
        elif isinstance(v, MaxValueValidator) and not callable(v.limit_value):
            out["max_value"] = min(out.get("max_value", v.limit_value), v.limit_value)
    return out


def _tri(value: Any) -> bool | None:
    return {"true": True, "false": False, "True": True, "False": False}.get(str(value))


def _label(db_field: models.Field[Any, Any]) -> Any:
    """The model field's label, read when shown (in the language of the request)."""
    return lazy(lambda: capfirst(db_field.verbose_name), str)()


def formfield(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """The form field of a case model field (``formfield_callback`` of the case forms)."""
    if not db_field.editable:
        return None
    common: dict[str, Any] = {
        "label": _label(db_field),
        "help_text": db_field.help_text,
        "required": not db_field.blank and not defaulted(db_field),
    }
    # Choices are callables, read when the form is shown: the form classes are built at import,
    # in the default language, and Arabic pages listed French labels.
    codelist = getattr(db_field, "codelist", "")
    if isinstance(db_field, CodeListField):
        return forms.MultipleChoiceField(
            choices=codelists.get(codelist).choices,
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if codelist or db_field.choices:
        choices: Callable[[], list[tuple[str, str]]]
        if codelist:
            choices = codelists.get(codelist).choices
        else:

            def choices() -> list[tuple[str, str]]:
                return [(str(v), capfirst(label)) for v, label in db_field.flatchoices]

        if defaulted(db_field):
            return forms.ChoiceField(choices=choices, initial=db_field.get_default(), **common)
        return forms.ChoiceField(choices=lambda: [BLANK, *choices()], **common)
    if db_field.name in COUNTRY_FIELDS:
        countries = codelists.get("countries")
        return forms.ChoiceField(choices=lambda: [BLANK, *countries.sorted_choices()], **common)
    if isinstance(db_field, models.BooleanField):
        return forms.TypedChoiceField(choices=TRI, coerce=_tri, empty_value=None, **common)
    if isinstance(db_field, models.DateField | EncryptedDateField):
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if isinstance(db_field, EncryptedTextField):  # one line of text, stored encrypted
        return forms.CharField(**common)
    if isinstance(db_field, models.IntegerField | models.FloatField):
        return db_field.formfield(**common, **_bounds(db_field))
    if isinstance(db_field, models.TextField):
        return db_field.formfield(widget=forms.Textarea(attrs={"rows": 3}), **common)
    return db_field.formfield(**common)


class ModelRowForm(forms.ModelForm):  # type: ignore[type-arg,unused-ignore]
    """A part of the case form made from a model. Validation: the form field's own (type,
    bounds, choices), then the model field's validators and code-list check on each value
    given; the whole record is checked by services.save_record."""

    # fields that always hold a value: not something the user typed (a row is blank without)
    DEFAULTED: frozenset[str] = frozenset()

    @classmethod
    def model_fields(cls) -> list[str]:
        """The fields of the row that are fields of the model, in form order."""
        meta: Any = cls._meta
        return [n for n in meta.fields or () if n in cls.base_fields]

    def _post_clean(self) -> None:
        model = self._meta.model
        errors: Any = self.errors
        for name, value in list(self.cleaned_data.items()):
            if name in errors or value in (None, "", []):
                continue
            try:
                db_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue  # a field of the form only (the row's uuid, "Remove")
            try:
                db_field.run_validators(value)
                if getattr(db_field, "codelist", ""):
                    db_field.validate(value, None)
            except ValidationError as exc:
                self.add_error(name, exc)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(
            data.get(n) not in (None, "", [])
            for n in self.model_fields()
            if n not in self.DEFAULTED and n in self.fields
        )


def defaulted_fields(model: type[models.Model], names: list[str]) -> frozenset[str]:
    fields: dict[str, Any] = {f.name: f for f in model._meta.get_fields()}
    return frozenset(n for n in names if defaulted(fields[n]))
