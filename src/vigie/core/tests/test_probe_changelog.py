"""Attacker's probe (issue 15, ADR 0020, 0059): the change log keeps each entry's object
label (``str(instance)``, django-auditlog's ``object_repr``) in clear, shown to
administrators and auditors. For every model the change log records, a label must not
carry any identity field's value."""

from __future__ import annotations

from auditlog.registry import auditlog

from vigie.core.classification import identity_fields

MARK = "Zarqa-Identity-7731"


def test_no_change_log_label_repeats_an_identity_value() -> None:
    wrong: list[str] = []
    models = list(auditlog.get_models())
    assert len(models) > 5  # the registry was read
    for model in models:
        names = identity_fields(model)
        if not names:
            continue
        instance = model()
        for field in model._meta.concrete_fields:  # unsaved rows for the label's relations
            if field.many_to_one and field.related_model is not None:
                setattr(instance, field.name, field.related_model())
        for name in names:
            field = model._meta.get_field(name)
            if getattr(field, "is_relation", False):
                continue
            try:
                setattr(instance, field.attname, MARK)
            except (TypeError, ValueError):
                continue
        label = str(instance)
        if MARK in label:
            wrong.append(f"{model._meta.label}: {label!r}")
    assert not wrong, "\n".join(wrong)
