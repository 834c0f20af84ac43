"""Closing and reopening a form publication (ADR 0911), through the API, the web page, the
command line and what ODK Collect sees: a closed form leaves the device's form list and a
submission to it is refused with ``form_closed`` (409, as ODK Central's "not accepting
submissions"); reopening brings both back. Submissions received before stay to review."""

from __future__ import annotations

from typing import Any

import pytest
from auditlog.models import LogEntry
from click.testing import CliRunner
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree

from vigie.collection.cli import forms
from vigie.collection.models import FormVersion, Publication, Submission
from vigie.collection.tests.conftest import basic, instance
from vigie.testing import World, capture_changes

pytestmark = pytest.mark.django_db
API = "/api/collection/forms/htcds_xlsform/publications"
OR_LIST = "{http://openrosa.org/xforms/xformsList}"
OR_RESPONSE = "{http://openrosa.org/http/response}"


def _listed(client: Any, device: Any) -> list[str]:
    response = client.get("/collect/own-org/formList", **basic(device))
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    return [x.findtext(f"{OR_LIST}formID") or "" for x in root.findall(f"{OR_LIST}xform")]


def _send(client: Any, device: Any, instance_id: str) -> Any:
    xml = SimpleUploadedFile("submission.xml", instance(instance_id))
    return client.post("/collect/own-org/submission", {"xml_submission_file": xml}, **basic(device))


def _is_open() -> bool:
    return Publication.objects.get(form__form_id="htcds_xlsform").is_open


def test_closing_hides_the_form_and_refuses_submissions_until_reopened(
    api: Any,
    client: Any,
    world: World,
    published: FormVersion,
    device: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    first = "uuid:10000000-0000-4000-8000-000000000001"
    assert _send(client, device, first).status_code == 201
    manager = api(world.users["case_manager"])

    with (
        capture_changes("collection.publication") as closed,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = manager.post(f"{API}/own-org/close/")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "organisation": "own-org",
        "version": published.version,
        "is_open": False,
    }
    assert _listed(client, device) == []
    got = client.get("/collect/own-org/forms/htcds_xlsform/form.xml", **basic(device))
    assert got.status_code == 404
    refused = _send(client, device, "uuid:10000000-0000-4000-8000-000000000002")
    assert refused.status_code == 409
    msg = etree.fromstring(refused.content).find(f"{OR_RESPONSE}message")
    assert msg is not None and "no longer accepts submissions" in (msg.text or "")
    # what was received before the closing stays in the review queue
    assert list(Submission.objects.values_list("instance_id", "status")) == [(first, "waiting")]
    ((event,),) = [c["ids"] for c in closed]
    assert event == Publication.objects.get().pk
    assert closed[0]["action"] == "changed"
    assert closed[0]["actor"].user == world.users["case_manager"]

    assert manager.post(f"{API}/own-org/reopen/").json()["is_open"] is True
    assert _listed(client, device) == ["htcds_xlsform"]
    assert _send(client, device, "uuid:10000000-0000-4000-8000-000000000002").status_code == 201


def test_closing_again_changes_nothing(
    api: Any, world: World, published: FormVersion, django_capture_on_commit_callbacks: Any
) -> None:
    manager = api(world.users["case_manager"])
    manager.post(f"{API}/own-org/close/")
    with (
        capture_changes("collection.publication") as again,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert manager.post(f"{API}/own-org/close/").json()["is_open"] is False
    assert again == []


def test_closing_needs_collection_manage_in_the_organisation(
    api: Any, world: World, published: FormVersion
) -> None:
    assert api(world.users["analyst"]).post(f"{API}/own-org/close/").status_code == 403
    assert api(world.users["case_manager"]).post(f"{API}/nowhere/close/").status_code == 404
    assert _is_open()


def test_the_web_page_closes_and_reopens_and_the_change_log_names_who(
    web: Any, world: World, published: FormVersion
) -> None:
    manager = world.users["case_manager"]
    browser = web(manager)
    page = browser.get("/collection/forms/").content.decode()
    assert 'action="/collection/forms/own-org/htcds_xlsform/close/"' in page
    assert 'aria-label="Close htcds_xlsform for own-org"' in page
    done = browser.post("/collection/forms/own-org/htcds_xlsform/close/", follow=True)
    assert done.status_code == 200
    assert "no longer see htcds_xlsform" in done.content.decode()
    assert not _is_open()
    page = browser.get("/collection/forms/").content.decode()
    assert 'action="/collection/forms/own-org/htcds_xlsform/reopen/"' in page
    pub = Publication.objects.get(form__form_id="htcds_xlsform")
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Publication), object_pk=str(pub.pk)
    ).latest("timestamp")
    assert entry.actor == manager
    assert entry.changes_dict["is_open"] == ["True", "False"]
    browser.post("/collection/forms/own-org/htcds_xlsform/reopen/")
    assert _is_open()


def test_the_command_line_closes_and_reopens(world: World, published: FormVersion) -> None:
    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(forms, list(args))
        assert result.exit_code == code, result.output
        return result.output

    out = run("close", "htcds_xlsform", "--org", "own-org", "--user", "u-case_manager")
    assert out.strip() == "htcds_xlsform in own-org: closed"
    assert not _is_open()
    run("reopen", "htcds_xlsform", "--org", "own-org", "--user", "u-analyst", code=3)
    assert not _is_open()
    assert "own-org: open" in run("reopen", "htcds_xlsform", "--org", "own-org", "--as-system")
    assert _is_open()
    out = run("close", "no_such_form", "--org", "own-org", "--as-system", code=4)
    assert "not published" in out
