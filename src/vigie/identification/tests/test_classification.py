from __future__ import annotations

from django.apps import apps

from vigie.core.classification import IDENTITY, classification_of, undeclared
from vigie.core.fields import EncryptedTextField


def test_every_field_classified_and_identity_encrypted() -> None:
    for model in apps.get_app_config("identification").get_models():
        assert undeclared(model) == [], model.__name__
        for f in model._meta.concrete_fields:
            if classification_of(model, f.name) == IDENTITY:
                assert isinstance(f, EncryptedTextField), f"{model.__name__}.{f.name}"
