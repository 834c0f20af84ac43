"""Every field classified, identities encrypted, and every writer announces its change."""

from __future__ import annotations

import inspect

import pytest
from django.apps import apps

from vigie.cases.models import Case
from vigie.core.actor import Actor
from vigie.core.classification import IDENTITY, classification_of, undeclared
from vigie.core.fields import EncryptedTextField
from vigie.dossiers import services
from vigie.testing import World, capture_changes


def test_every_field_classified_and_identity_encrypted() -> None:
    for model in apps.get_app_config("dossiers").get_models():
        assert undeclared(model) == [], model.__name__
        for f in model._meta.concrete_fields:
            if classification_of(model, f.name) == IDENTITY:
                assert isinstance(f, EncryptedTextField), f"{model.__name__}.{f.name}"


@pytest.mark.django_db(transaction=True)
def test_every_writer_announces(world: World, cases: list[Case]) -> None:
    with capture_changes() as seen:
        expert = Actor(world.users["panel_expert"], world.own.pk)
        analyst = Actor(world.users["sanctions_analyst"], world.own.pk)
        d = services.create_dossier(expert, kind="individual", regime="1970", primary_name="A")
        calls = {
            "create_dossier": None,
            "update_dossier": lambda: services.update_dossier(expert, d, narrative="n"),
            "add_alias": lambda: services.add_alias(expert, d, "Alias"),
            "add_identifier": lambda: services.add_identifier(
                expert, d, type="passport", number="1"
            ),
            "link_case": lambda: services.link_case(expert, d, cases[0].uuid),
            "add_fact": lambda: services.add_fact(
                expert, d, criterion="threat_to_peace", statement="s",
                sources=[{"kind": "case", "ref": str(cases[0].uuid)}],
            ),
            "remove_fact": lambda: services.remove_fact(expert, d, d.facts.get().uuid),
            "record_transition": lambda: (
                services.add_fact(expert, d, criterion="threat_to_peace", statement="s",
                                  sources=[{"kind": "document", "ref": "S/1"}]),
                services.record_transition(expert, d, "send_to_review", "r"),
                services.record_transition(analyst, d, "submit", "r"),
            ),
            "record_export": lambda: services.record_export(
                analyst, d, fmt="xml", language="en", sha256="0" * 64, identity_fields={}
            ),
        }  # fmt: skip
        writers = {
            name
            for name, fn in inspect.getmembers(services, inspect.isfunction)
            if fn.__module__ == services.__name__
            and name.split("_")[0] in {"create", "update", "add", "link", "remove", "record"}
        }  # fmt: skip
        assert writers == set(calls)
        assert seen[0]["action"] == "created"
        for name, call in calls.items():
            before = len(seen)
            if call is not None:
                call()
            else:  # create_dossier: called above, the first event
                before = 0
            assert len(seen) > before, name
            assert seen[-1]["kind"] == "dossiers.dossier"
            assert seen[-1]["ids"] == [d.pk]
