"""Every concrete field of every model of every Vigie app has one classification (identity,
sensitive, ordinary), declared on its model (ADR 0008, docs/adr/0020). A new field without
one fails here, and so does a declaration naming a field that no longer exists."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.conf import settings

from vigie.core import classification
from vigie.core.fields import EncryptedTextField


def _models() -> list[Any]:
    out = []
    for dotted in settings.VIGIE_APPS:
        config = next(c for c in apps.get_app_configs() if c.name == dotted)
        out.extend(config.get_models())
    return out


MODELS = _models()


def test_every_vigie_app_is_walked() -> None:
    labels = {m._meta.app_label for m in MODELS}
    assert {"core", "cases", "analytics", "screening", "evidence"} <= labels


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_field_is_classified(model: Any) -> None:
    assert "CLASSIFICATION" in vars(model), f"{model._meta.label} declares no CLASSIFICATION"
    assert classification.undeclared(model) == []
    # every concrete field, encrypted ones too, is named (they are identity regardless)
    names = set(classification.concrete_fields(model))
    missing = names - set(model.CLASSIFICATION)
    assert not missing, f"{model._meta.label}: {sorted(missing)} not declared"
    stale = set(model.CLASSIFICATION) - names
    assert not stale, f"{model._meta.label}: {sorted(stale)} are not fields"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_encrypted_fields_are_identity(model: Any) -> None:
    for f in model._meta.concrete_fields:
        if isinstance(f, EncryptedTextField):
            assert model.CLASSIFICATION[f.name] == classification.IDENTITY, f.name
            assert classification.classification_of(model, f.name) == classification.IDENTITY


def test_an_undeclared_field_is_treated_as_identity() -> None:
    from vigie.cases.models import Case

    class Probe:
        CLASSIFICATION: dict[str, str] = {}
        _meta = Case._meta

    assert classification.level_of(Probe, "summary") == classification.IDENTITY
    assert classification.undeclared(Probe)
