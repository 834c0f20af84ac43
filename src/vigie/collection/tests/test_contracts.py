"""The shared contracts (ADR 0008): every field classified, identity fields encrypted, every
writer announces its change after commit."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from vigie.collection import receipt, services
from vigie.collection.tests.conftest import instance
from vigie.core.actor import Actor
from vigie.core.classification import IDENTITY, classification_of, undeclared
from vigie.core.fields import EncryptedTextField
from vigie.testing import World, capture_changes

MODELS = list(apps.get_app_config("collection").get_models())


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_field_is_classified_and_identity_is_encrypted(model: Any) -> None:
    assert undeclared(model) == []
    for f in model._meta.concrete_fields:
        if classification_of(model, f.name) == IDENTITY:
            assert isinstance(f, EncryptedTextField), f"{model.__name__}.{f.name}"


@pytest.mark.django_db(transaction=True)
def test_writers_announce(world: World, published: Any, device: Any) -> None:
    with capture_changes() as changes:
        sub, _ = receipt.receive(
            device.device, instance(), [receipt.Upload("p.jpg", "image/jpeg", b"\xff\xd8\xff\xe0")]
        )
        services.reject(Actor(user=world.users["field_officer"]), sub, "duplicate of a case")
        services.revoke_device(Actor.system("test"), device.device)
    seen = [(c["kind"], c["action"]) for c in changes]
    assert ("collection.submission", "created") in seen
    assert ("collection.attachment", "created") in seen
    assert ("collection.submission", "changed") in seen
    assert ("collection.device", "changed") in seen
    with connection.cursor() as cursor:
        cursor.execute("SELECT xml, answers FROM collection_submission")
        xml, answers = cursor.fetchone()
    assert xml.startswith("v1:") and "Feminine" not in xml and "Feminine" not in answers


@pytest.mark.django_db(transaction=True)
def test_writers_of_the_second_round_announce(
    world: World, published: Any, device: Any, tmp_path: Any
) -> None:
    """Teams, mapping profiles, imports and acceptance into an existing case."""
    from vigie.cases import services as cases
    from vigie.cases.interchange.mapping import Mapping
    from vigie.collection import imports

    manager = Actor(user=world.users["case_manager"])
    case = cases.save_record(manager, world.own, {"source_type": "hotline"})
    with capture_changes() as changes:
        services.issue_device(manager, world.own, "T", team="East")
        rules = Mapping(columns={"prs_Gender": "victim.sex"})
        services.save_mapping(manager, published.form, world.own, "P", rules)
        export = tmp_path / "kobo.csv"
        export.write_text("meta/instanceID;prs_Gender\nuuid:e-1;Feminine\n", encoding="utf-8")
        imports.import_export(manager, world.own, published.form, export)
        sub, _ = receipt.receive(device.device, instance("uuid:e-2"), [])
        services.accept(manager, sub, case)
    seen = [(c["kind"], c["action"]) for c in changes]
    assert ("collection.fieldteam", "created") in seen
    assert ("cases.mappingprofile", "changed") in seen
    assert ("collection.publication", "changed") in seen
    assert seen.count(("collection.submission", "created")) == 2  # imported and received
    assert ("cases.case", "changed") in seen
