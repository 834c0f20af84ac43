"""A refused questionnaire keeps what the supplier gave: the page comes back with every answer
still chosen, the statement and its year still typed (escaped), and the field at fault marked
for assistive technology. Only the document must be chosen again."""

from __future__ import annotations

import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from vigie.core.actor import Actor
from vigie.suppliers import duediligence
from vigie.suppliers.models import Invitation
from vigie.suppliers.tests.test_pages import ANSWERS, _supplier
from vigie.testing import World

STATEMENT = "We forbid recruitment fees <script>alert(1)</script> & audit our agents yearly."


def _link(world: World) -> str:
    actor = Actor(world.users["procurement_officer"], world.own.pk)
    _inv, token = duediligence.create_invitation(actor, _supplier(world), language="en")
    return f"/suppliers/answer/{token}/"


def _chosen(body: str) -> dict[str, str]:
    """The radio buttons the page shows as checked, by question."""
    found = re.findall(
        r'<input type="radio"[^>]*name="([^"]+)" value="([^"]+)"[^>]* checked>', body
    )
    return dict(found)


def _invalid_ids(body: str) -> set[str]:
    tags = re.findall(r"<(?:input|textarea|fieldset)[^>]*>", body)
    return {
        m[1] for t in tags if 'aria-invalid="true"' in t and (m := re.search(r'\sid="([^"]+)"', t))
    }


def test_a_year_refused_keeps_the_answers_and_the_statement(world: World, client: Any) -> None:
    link = _link(world)
    res = client.post(link, {**ANSWERS, "statement": STATEMENT, "statement_year": "2001"})
    assert res.status_code == 400, res.status_code
    body = res.content.decode()
    assert 'data-testid="answer-error"' in body
    assert _chosen(body) == ANSWERS
    assert "We forbid recruitment fees &lt;script&gt;alert(1)&lt;/script&gt; &amp; audit" in body
    assert "<script>alert(1)" not in body
    assert re.search(r'id="statement_year"[^>]*value="2001"', body)
    assert _invalid_ids(body) == {"statement_year"}
    assert Invitation.objects.get().status == "sent"


def test_a_missing_answer_is_marked_and_the_others_kept(world: World, client: Any) -> None:
    link = _link(world)
    given = {k: v for k, v in ANSWERS.items() if k != "grievance"}
    res = client.post(link, {**given, "statement": STATEMENT, "statement_year": "2026"})
    assert res.status_code == 400, res.status_code
    body = res.content.decode()
    assert _chosen(body) == given
    assert _invalid_ids(body) == {"q-grievance"}  # the question's group of choices, only
    assert body.count('aria-invalid="true"') == 1


def test_a_document_too_large_keeps_the_answers(world: World, client: Any) -> None:
    link = _link(world)
    document = SimpleUploadedFile("big.pdf", b"x" * (duediligence.MAX_ATTACHMENT + 1))
    res = client.post(link, {**ANSWERS, "statement": STATEMENT, "document": document})
    assert res.status_code == 413, res.status_code
    body = res.content.decode()
    assert _chosen(body) == ANSWERS
    assert "audit our agents yearly." in body
    assert _invalid_ids(body) == {"document"}
