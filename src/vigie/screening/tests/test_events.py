"""Every screening writer announces its change after the commit (ADR 0008): list loading
("screening.listversion"), subjects, hits, decisions. The writers are enumerated from the
services module, as in ``vigie.core.tests.test_events``: a public function whose name says it
writes must have a scenario here."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from vigie.screening import services
from vigie.screening.models import Hit, ListVersion, Subject
from vigie.screening.tests.factories import SAMPLE, un_individual, un_xml, write
from vigie.testing import World, assert_announced_after_commit, writers

WRITES = re.compile(r"^(create|update|load|record|decide|rescreen)(_|$)")


def _load(world: World, tmp: Path, _before: Any) -> Any:
    return services.load_list(write(tmp, "v1.xml", un_xml(SAMPLE)))


def _load_new_version(world: World, tmp: Path, _before: Any) -> Any:
    extra = un_individual("LYi.950", "Ermias", "Testfay Second")
    return services.load_list(write(tmp, "v2.xml", un_xml([*SAMPLE, extra])))


def _subject(world: World, tmp: Path, _before: Any) -> Subject:
    subject, _outcome = services.create_subject(
        world.users["screening_officer"], world.own, name="Ermias Testfay"
    )
    return subject


def _subjects(world: World, tmp: Path, _before: Any) -> list[Subject]:
    return services.create_subjects(
        world.users["screening_officer"],
        world.own,
        [{"name": "Ermias Testfay"}, {"name": "Acme Trading", "kind": "Organization"}],
        purpose="supplier",
    )


def _update(world: World, tmp: Path, subject: Subject) -> Any:
    return services.update_subject(world.users["screening_officer"], subject, name="Ermias Gebray")


def _decide(world: World, tmp: Path, subject: Subject) -> Any:
    hit = Hit.objects.filter(subject=subject).first()
    assert hit is not None
    return services.decide(world.users["screening_officer"], hit, "false_positive", "other man")


def _loaded_and_subject(world: World, tmp: Path, before: Any) -> Subject:
    _load(world, tmp, before)
    return _subject(world, tmp, before)


Step = Callable[[World, Path, Any], Any]
# name: (setup, write, kind, action)
SCENARIOS: dict[str, tuple[Step | None, Step, str, str]] = {
    "load_list": (None, _load, "screening.listversion", "created"),
    "load_list (subjects re-screened)": (
        _loaded_and_subject,
        _load_new_version,
        "screening.hit",
        "created",
    ),
    "create_subject": (_load, _subject, "screening.subject", "created"),
    "create_subject (hits)": (_load, _subject, "screening.hit", "created"),
    "create_subjects": (_load, _subjects, "screening.subject", "created"),
    "create_subjects (hits)": (_load, _subjects, "screening.hit", "created"),
    "update_subject": (_loaded_and_subject, _update, "screening.subject", "changed"),
    "record_hits": (_loaded_and_subject, _update, "screening.hit", "changed"),
    "rescreen_for_version": (
        _loaded_and_subject,
        _load_new_version,
        "screening.listversion",
        "created",
    ),
    "decide": (_loaded_and_subject, _decide, "screening.decision", "created"),
    "decide (hit)": (_loaded_and_subject, _decide, "screening.hit", "changed"),
}


def test_every_writer_has_a_scenario() -> None:
    found = writers(services, WRITES)
    covered = {name.split(" ")[0] for name in SCENARIOS}
    assert found, "the writers were not found: is the pattern still right?"
    assert found <= covered, f"writers without a change-event scenario: {found - covered}"


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_writer_announces_its_change_after_commit(
    name: str,
    world: World,
    tmp_path: Path,
    changes: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    setup, write_, kind, action = SCENARIOS[name]
    with django_capture_on_commit_callbacks(execute=True):
        before = setup(world, tmp_path, None) if setup else None
    assert_announced_after_commit(
        changes,
        django_capture_on_commit_callbacks,
        lambda: write_(world, tmp_path, before),
        kind,
        action,
    )


def test_the_list_version_event_names_the_version(
    world: World,
    tmp_path: Path,
    changes: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = _load(world, tmp_path, None)
    (event,) = [c for c in changes if c["kind"] == "screening.listversion"]
    assert list(event["ids"]) == [result.version.pk]
    assert ListVersion.objects.filter(pk=result.version.pk).exists()


def test_a_rolled_back_load_announces_nothing(
    world: World,
    tmp_path: Path,
    changes: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    class Undo(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                _load(world, tmp_path, None)
                raise Undo
        except Undo:
            pass
    assert not changes
