"""The supplier's link: no account, reads only its own questionnaire, expires, cannot be
replayed after submission; answers feed the risk score; attachments go to the vault."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.core import signing
from django.utils import timezone

from vigie.core.actor import Actor
from vigie.evidence.models import Item
from vigie.suppliers import duediligence, questionnaire, services
from vigie.suppliers.models import Invitation, Supplier
from vigie.testing import World

ANSWERS = {
    "fees": "yes",
    "documents": "no",
    "contract_language": "yes",
    "movement": "yes",
    "grievance": "no",
    "subcontracting": "no",
    "monitoring": "internal_audit",
}


def _supplier(world: World, ref: str, name: str) -> Supplier:
    actor = Actor(world.users["procurement_officer"], world.own.pk)
    return services.create_supplier(
        actor, world.own, services.SupplierData(reference=ref, name=name, country="India")
    )


def _link(api: Any, world: World, supplier: Supplier, language: str = "fr") -> str:
    res = api(world.users["procurement_officer"]).post(
        f"/api/suppliers/{supplier.pk}/invitations/", {"language": language}, format="json"
    )
    assert res.status_code == 201, res.content
    return str(res.json()["token"])


def test_link_opens_its_own_questionnaire_only(world: World, api: Any) -> None:
    a = _supplier(world, "A-1", "Synthetic Alpha Textiles")
    b = _supplier(world, "B-1", "Synthetic Beta Garments")
    token_a, token_b = _link(api, world, a), _link(api, world, b)
    res = api().post(f"/api/suppliers/answer/{token_b}/", {"answers": ANSWERS}, format="json")
    assert res.status_code == 201
    seen = api().get(f"/api/suppliers/answer/{token_a}/").json()
    assert seen["supplier"] == "Synthetic Alpha Textiles" and "answers" not in seen
    assert seen["questions"][0]["text"].startswith("Les travailleurs paient-ils")
    # a token whose claim names the other invitation is refused (signature)
    claim = signing.loads(token_a, salt=duediligence.SALT)
    forged = signing.dumps({**claim, "i": b.invitations.get().pk}, salt="another salt")
    assert api().get(f"/api/suppliers/answer/{forged}/").status_code == 404
    # the real pk with the wrong nonce, correctly signed, is refused too
    other = signing.dumps({**claim, "i": b.invitations.get().pk}, salt=duediligence.SALT)
    assert api().get(f"/api/suppliers/answer/{other}/").status_code == 404
    # and the web page of A shows A, never B's answers
    page = api().get(f"/suppliers/answer/{token_a}/").content.decode()
    assert "Synthetic Alpha Textiles" in page and "Synthetic Beta" not in page


def test_link_expires(world: World, api: Any) -> None:
    supplier = _supplier(world, "C-1", "Synthetic Gamma Bricks")
    token = _link(api, world, supplier)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api().get(f"/api/suppliers/answer/{token}/").status_code == 410
    res = api().post(f"/api/suppliers/answer/{token}/", {"answers": ANSWERS}, format="json")
    assert res.status_code == 410
    assert Invitation.objects.get().submitted_at is None


def test_submission_cannot_be_replayed(world: World, api: Any) -> None:
    supplier = _supplier(world, "D-1", "Synthetic Delta Cotton")
    token = _link(api, world, supplier)
    before = Supplier.objects.get(pk=supplier.pk).risk_score
    first = api().post(
        f"/api/suppliers/answer/{token}/",
        {"answers": ANSWERS, "statement": "Déclaration annuelle", "statement_year": 2026},
        format="json",
    )
    assert first.status_code == 201
    changed = {**ANSWERS, "fees": "no"}
    again = api().post(f"/api/suppliers/answer/{token}/", {"answers": changed}, format="json")
    assert again.status_code == 409
    inv = Invitation.objects.get()
    assert inv.answers["fees"] == "yes" and inv.statement == "Déclaration annuelle"
    # answers feed the score: fees yes (20) + grievance no (10) + internal audit (5)
    after = Supplier.objects.get(pk=supplier.pk)
    assert inv.score == 35
    dd = [p for p in after.risk_detail if p["source"] == "Due-diligence questionnaire"]
    assert sorted(p["points"] for p in dd) == [5, 10, 20]
    assert after.risk_score == before - 10 + 35
    assert api().get(f"/api/suppliers/answer/{token}/").status_code == 409


def test_answers_must_be_choices(world: World, api: Any) -> None:
    supplier = _supplier(world, "E-1", "Synthetic Epsilon Fish")
    token = _link(api, world, supplier)
    bad = {**ANSWERS, "fees": "perhaps", "extra": "no"}
    res = api().post(f"/api/suppliers/answer/{token}/", {"answers": bad}, format="json")
    assert res.status_code == 400
    assert set(res.json()["detail"]) == {"fees", "extra"}
    assert Invitation.objects.get().status == "sent"


def test_attachment_in_the_evidence_vault(world: World, api: Any) -> None:
    supplier = _supplier(world, "F-1", "Synthetic Zeta Cocoa")
    token = _link(api, world, supplier)
    data = b"%PDF-1.4 synthetic audit report"
    upload = io.BytesIO(data)
    upload.name = "audit.pdf"
    res = api().post(f"/api/suppliers/answer/{token}/files/", {"file": upload}, format="multipart")
    assert res.status_code == 201, res.content
    import hashlib

    assert res.json()["sha256"] == hashlib.sha256(data).hexdigest()
    item = Item.objects.get()
    assert item.organisation_id == world.own.pk and item.blob.sha256 == res.json()["sha256"]


def test_questionnaire_has_every_language() -> None:
    q = questionnaire.current()
    codes = {x.code for x in q.questions}
    assert {"fees", "documents", "contract_language", "movement", "grievance"} <= codes
    assert {"subcontracting", "monitoring"} <= codes
    for x in q.questions:
        assert all(x.text[lang] for lang in ("en", "fr", "ar"))


def test_reminders_once_before_expiry(world: World, api: Any, mailoutbox: Any) -> None:
    supplier = _supplier(world, "G-1", "Synthetic Eta Tea")
    Supplier.objects.filter(pk=supplier.pk).update(contact_email="dd@example.org")
    _link(api, world, supplier)
    far = _supplier(world, "G-2", "Synthetic Theta Tea")
    _link(api, world, far)
    Invitation.objects.filter(supplier=supplier).update(
        expires_at=timezone.now() + timedelta(days=3)
    )
    system = Actor.system("test")
    assert duediligence.send_reminders(system) == 1
    assert duediligence.send_reminders(system) == 0
    assert len(mailoutbox) == 1 and "/suppliers/answer/" in mailoutbox[0].body
