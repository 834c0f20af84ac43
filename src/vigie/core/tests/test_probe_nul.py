"""Attacker's probe (ADR 0059): a NUL character in a path, a query parameter or a form field
is refused with 400 before any view reads it. On PostgreSQL it reached queries as a
DataError (a 500: ``cases:create ?all=%00``, ``/api/dossiers/?…``, the collection merge
form); SQLite stores it, so this checks the refusal itself, on any database."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from vigie.testing import World


def _client(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role], backend=settings.AUTHENTICATION_BACKENDS[0])
    return client


@pytest.mark.django_db
def test_a_nul_in_a_page_query_is_refused_with_400(world: World) -> None:
    client = _client(world, "case_manager")
    url = reverse("cases:create")
    assert client.get(url, {"all": "1"}).status_code == 200
    refused = client.get(url, {"all": "a\x00b"})
    assert refused.status_code == 400
    assert client.get(url, {"a\x00": "1"}).status_code == 400


@pytest.mark.django_db
def test_a_nul_in_an_api_query_is_a_problem_document(world: World) -> None:
    client = _client(world, "case_manager")
    got = client.get("/api/cases/", {"q": "\x00"})
    assert got.status_code == 400
    assert got["Content-Type"] == "application/problem+json"
    assert got.json()["code"] == "nul_character"


@pytest.mark.django_db
def test_a_nul_in_a_posted_form_is_refused_before_the_view(world: World) -> None:
    client = _client(world, "case_manager")
    url = reverse("cases:create")
    got = client.post(url, {"reference": "REF\x00", "summary": "x"})
    assert got.status_code == 400
