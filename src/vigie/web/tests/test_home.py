"""The home page shows each person the work waiting for them and what their roles let them do;
the jobs pages name jobs in words; the evidence list links to cases."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.cases.models import Case
from vigie.core.models import Job
from vigie.testing import World

pytestmark = pytest.mark.django_db


def _home(web: Any, user: Any, lang: str = "en") -> str:
    response = web(user).get("/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return str(response.content.decode())


def test_cases_to_verify_and_failed_jobs_are_waiting(world: World, web: Any) -> None:
    for n in range(3):
        Case.objects.create(
            organisation=world.own, reference=f"C-{n}", source_type="mrm",
            verification_status="reported",
        )  # fmt: skip
    Case.objects.create(
        organisation=world.other, reference="X-1", source_type="mrm", verification_status="reported"
    )
    manager = world.users["case_manager"]
    Job.objects.create(kind="cases.import", created_by=manager, status="failed")
    page = _home(web, manager)
    assert 'data-testid="queues"' in page
    assert "/cases/?verification=reported" in page
    assert '<span class="badge">3</span> Cases reported, not yet verified' in page  # not X-1
    assert "Your jobs that failed this week" in page
    assert "Record a case" in page and "Import a file of cases" in page


def test_nothing_waiting_is_said_plainly(world: World, web: Any) -> None:
    page = _home(web, world.users["analyst"])
    assert 'data-testid="queues-empty"' in page
    assert "See the statistics" in page and "Record a case" not in page


@pytest.mark.parametrize("role", ["investigator", "financial_analyst"])
def test_roles_without_pages_of_their_own_say_what_they_can_do(
    world: World, web: Any, role: str
) -> None:
    page = _home(web, world.users[role])
    assert "is being built" in page or "are being built" in page
    assert "Screen a name" in page
    french = _home(web, world.users[role], "fr")
    assert "en préparation" in french


def test_jobs_are_named_in_words(world: World, web: Any) -> None:
    user = world.users["field_officer"]
    Job.objects.create(kind="cases.import", created_by=user, status="succeeded")
    page = web(user).get("/jobs/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Import de cas" in page and ">cases.import<" not in page
