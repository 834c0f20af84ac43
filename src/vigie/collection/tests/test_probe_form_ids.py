"""Probe (ADR 0053): a form id is unique per owning organisation, not across the installation.

Publishing a form whose id another organisation used answered ``form_id_taken``: an oracle
on what that organisation collects. Now each organisation has its own form, and every
OpenRosa route resolves the one published to the organisation in its URL.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree

from vigie.collection import services
from vigie.collection.models import Form, FormVersion, Submission
from vigie.collection.tests.conftest import VERSION, basic, instance
from vigie.collection.tests.test_forms import xlsform
from vigie.core.actor import Actor
from vigie.core.errors import Conflict
from vigie.core.models import Membership, Organisation, User
from vigie.testing import World

pytestmark = pytest.mark.django_db
OR_LIST = "{http://openrosa.org/xforms/xformsList}"
FORM_ID = "htcds_xlsform"  # the id the own organisation's HTCDS form has


def manager_of(*orgs: Organisation, name: str) -> Actor:
    user = User.objects.create_user(username=name, password="correct-horse-battery")
    for org in orgs:
        Membership.objects.create(user=user, organisation=org, role="case_manager")
    return Actor(user=user)


def their_form(version: str = "1") -> bytes:
    return xlsform(
        [["text", "q_other", "Other question"]], {"form_id": FORM_ID, "version": version}
    )


def test_probe_a_form_id_used_elsewhere_is_not_told(world: World, published: FormVersion) -> None:
    theirs = services.publish_form(
        manager_of(world.other, name="other_manager"), their_form(), "f.xlsx", [world.other]
    )
    assert theirs.form.owner == world.other
    assert theirs.form != published.form
    assert Form.objects.filter(form_id=FORM_ID).count() == 2


def test_probe_openrosa_routes_resolve_the_organisations_own_form(
    client: Any, world: World, published: FormVersion, device: services.Issued
) -> None:
    theirs = services.publish_form(
        manager_of(world.other, name="other_manager"), their_form(), "f.xlsx", [world.other]
    )
    system = Actor.system("test", world.other.pk)
    their_device = services.issue_device(system, world.other, "Team B")
    for org, issued, version in (
        ("own-org", device, published),
        ("other-org", their_device, theirs),
    ):
        listed = client.get(f"/collect/{org}/formList", {"formID": FORM_ID}, **basic(issued))
        (xform,) = etree.fromstring(listed.content).findall(f"{OR_LIST}xform")
        assert xform.findtext(f"{OR_LIST}hash") == f"md5:{version.md5}"
        got = client.get(f"/collect/{org}/forms/{FORM_ID}/form.xml", **basic(issued))
        assert got.status_code == 200 and got.content.decode() == version.xform
        manifest = client.get(f"/collect/{org}/forms/{FORM_ID}/manifest", **basic(issued))
        assert manifest.status_code == 200
    mine = instance("uuid:21111111-1111-4111-8111-111111111111", version=VERSION)
    other = (
        f'<data id="{FORM_ID}" version="1"><q_other>x</q_other>'
        "<meta><instanceID>uuid:31111111-1111-4111-8111-111111111111</instanceID></meta></data>"
    ).encode()
    for org, issued, xml in (("own-org", device, mine), ("other-org", their_device, other)):
        sent = client.post(
            f"/collect/{org}/submission",
            {"xml_submission_file": SimpleUploadedFile("submission.xml", xml)},
            **basic(issued),
        )
        assert sent.status_code == 201, sent.content
    assert {s.form_version for s in Submission.objects.all()} == {published, theirs}
    # the other organisation's version is not this device's form
    wrong = client.post(
        "/collect/own-org/submission",
        {"xml_submission_file": SimpleUploadedFile("submission.xml", other)},
        **basic(device),
    )
    assert wrong.status_code == 409


def test_probe_an_organisation_is_offered_one_form_per_id(
    world: World, published: FormVersion
) -> None:
    services.publish_form(
        manager_of(world.other, name="other_manager"), their_form(), "f.xlsx", [world.other]
    )
    both = manager_of(world.own, world.other, name="both_manager")
    # a new version for the other organisation is a version of the form it already has
    v2 = services.publish_form(both, their_form("2"), "f.xlsx", [world.other])
    assert v2.form.owner == world.other
    assert Form.objects.filter(form_id=FORM_ID).count() == 2
    # the own organisation's devices already have a form with this id: refused, and nothing
    # is published (a device knows a form by its id alone)
    with pytest.raises(Conflict) as refused:
        services.publish_form(both, their_form("3"), "f.xlsx", [world.own, world.other])
    assert refused.value.code == "form_id_published"
    assert not FormVersion.objects.filter(version="3").exists()
