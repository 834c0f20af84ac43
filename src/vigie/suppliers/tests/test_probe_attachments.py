"""Probe (issue 15, round eleven, ADR 0070): a questionnaire link cannot fill the vault.

The supplier's link needs no account and may be forwarded. Its page stored the attached
document in the evidence vault before it checked the answers: a holder of the link could
post a document with an incomplete answer again and again (each refused, the link staying
open) and every copy stayed in the vault; and nothing bounded the document but the
server's request limit (2 GiB)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from vigie.core.actor import Actor
from vigie.evidence.models import Item
from vigie.suppliers import duediligence
from vigie.suppliers.models import Attachment, Invitation
from vigie.suppliers.tests.test_pages import ANSWERS, _supplier
from vigie.testing import World


def _link(world: World) -> str:
    actor = Actor(world.users["procurement_officer"], world.own.pk)
    _inv, token = duediligence.create_invitation(actor, _supplier(world), language="en")
    return f"/suppliers/answer/{token}/"


def test_probe_refused_answers_store_no_document(world: World, client: Any) -> None:
    link = _link(world)
    incomplete = {k: v for k, v in ANSWERS.items() if k != "fees"}
    for i in range(4):
        document = SimpleUploadedFile(f"scan-{i}.pdf", b"%PDF-1.4 synthetic " * 200)
        res = client.post(link, {**incomplete, "document": document})
        assert res.status_code == 400, res.status_code
    assert Attachment.objects.count() == 0
    assert Item.objects.count() == 0
    assert Invitation.objects.get().status == "sent"
    document = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 synthetic " * 200)
    res = client.post(link, {**ANSWERS, "document": document})
    assert res.status_code == 200, res.status_code
    assert Attachment.objects.count() == 1 and Item.objects.count() == 1


def test_probe_a_document_over_the_bound_is_refused_before_the_vault(
    world: World, client: Any
) -> None:
    link = _link(world)
    big = BytesIO(b"x" * (duediligence.MAX_ATTACHMENT + 1))
    document = SimpleUploadedFile("big.pdf", big.getvalue())
    res = client.post(link, {**ANSWERS, "document": document})
    assert res.status_code == 413, res.status_code
    assert Item.objects.count() == 0
    assert Invitation.objects.get().status == "sent"  # the supplier may send a smaller one


def test_probe_the_api_stores_a_bounded_number_of_documents(world: World, client: Any) -> None:
    link = _link(world).replace("/suppliers/", "/api/suppliers/") + "files/"
    statuses = []
    for i in range(duediligence.MAX_ATTACHMENTS + 2):
        document = SimpleUploadedFile(f"scan-{i}.pdf", b"%PDF-1.4 synthetic")
        statuses.append(client.post(link, {"file": document}).status_code)
    assert statuses == [201] * duediligence.MAX_ATTACHMENTS + [413, 413], statuses
    assert Attachment.objects.count() == duediligence.MAX_ATTACHMENTS
