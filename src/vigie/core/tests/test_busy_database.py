"""A write that waits past SQLite's busy timeout for another writer (an import's publication
holds the lock for seconds) answers 503 ``database_busy`` with ``Retry-After``, not a 500:
nothing was changed and the client may send it again (issue 15)."""

from __future__ import annotations

import copy
import threading
from typing import Any

import pytest
from django.db import connection, connections, transaction

from vigie.cases.models import Case
from vigie.cases.tests.conftest import RECORD
from vigie.testing import World

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's one writer at a time; PostgreSQL waits"
)


@pytest.mark.django_db(transaction=True)
def test_a_write_behind_a_held_lock_is_a_503_to_send_again(world: World, api: Any) -> None:
    held, done = threading.Event(), threading.Event()

    def hold_the_write_lock() -> None:  # another connection, as an import's publication
        try:
            with transaction.atomic():  # BEGIN IMMEDIATE (settings: transaction_mode)
                # an UPDATE that matches nothing still takes the lock
                Case.objects.filter(summary="never a summary").update(summary="")
                held.set()
                done.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_write_lock)
    holder.start()
    assert held.wait(10)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout=200")  # the server waits 10 s; a test need not
    manager = api(world.users["case_manager"])
    record = copy.deepcopy(RECORD)
    try:
        response = manager.post("/api/cases/", record, format="json")
    finally:
        done.set()
        holder.join()
    assert response.status_code == 503, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["code"] == "database_busy" and body["type"] == "urn:vigie:error:database_busy"
    assert body["title"]  # in the request's language
    # nothing was half-written: the same request, sent again, creates the case once
    assert manager.get("/api/cases/").json()["results"] == []
    assert manager.post("/api/cases/", record, format="json").status_code == 201
    assert len(manager.get("/api/cases/").json()["results"]) == 1
