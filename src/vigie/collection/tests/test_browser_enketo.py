"""One submission end to end through Enketo, the web client of ODK and KoBoToolbox.

Enketo's own libraries (vendor/enketo, see its SOURCES.md) do the client's work in Chromium:
the XForm is fetched from Vigie's OpenRosa form list with a device's credentials, turned into
Enketo's form by enketo-transformer, filled by a person (Playwright types and clicks), checked
by enketo-core's validation (required questions, XPath constraints) and serialised to the
instance XML Enketo submits. The submission then goes to Vigie's OpenRosa endpoint as Enketo
Express forwards it (multipart, ``xml_submission_file``), and must reach the review queue with
the answers typed in the browser.
"""

from __future__ import annotations

import base64
import gzip
import json
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from playwright.sync_api import Route

from vigie.browser import screenshot
from vigie.collection import services
from vigie.collection.models import Submission
from vigie.collection.tests.conftest import HTCDS
from vigie.core.actor import Actor
from vigie.testing import World

pytestmark = pytest.mark.browser
BUNDLE = Path(__file__).parent / "vendor" / "enketo" / "enketo-bundle.js.gz"
ORIGIN = "http://enketo.invalid"  # the page's own origin, served by Playwright's router
OR_LIST = "{http://openrosa.org/xforms/xformsList}"


def _get(url: str, auth: str) -> bytes:
    request = urllib.request.Request(  # noqa: S310 (the live test server, http on loopback)
        url, headers={"Authorization": auth, "X-OpenRosa-Version": "1.0"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return bytes(response.read())


def _submit(url: str, auth: str, xml: str) -> tuple[int, bytes]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="xml_submission_file"; filename="submission.xml"'
            "\r\nContent-Type: text/xml\r\n\r\n"
        ).encode()
        + xml.encode()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(  # noqa: S310
        url,
        data=body,
        method="POST",
        headers={
            "Authorization": auth,
            "X-OpenRosa-Version": "1.0",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.status, bytes(response.read())


def test_a_form_filled_in_enketo_reaches_the_review_queue(
    page: Any, browser_world: tuple[World, str]
) -> None:
    world, url = browser_world
    manager = Actor(user=world.users["case_manager"])
    services.publish_form(manager, HTCDS.read_bytes(), HTCDS.name, [world.own])
    issued = services.issue_device(manager, world.own, "Enketo team")
    raw = f"{issued.device.username}:{issued.secret}".encode()
    auth = "Basic " + base64.b64encode(raw).decode()
    base = f"{url}/collect/{world.own.code}"

    forms = etree.fromstring(_get(f"{base}/formList", auth))
    (entry,) = forms.findall(f"{OR_LIST}xform")
    xform = _get(entry.findtext(f"{OR_LIST}downloadUrl") or "", auth).decode()

    def serve(route: Route) -> None:
        if route.request.url.endswith("/enketo-bundle.js"):
            route.fulfill(body=gzip.decompress(BUNDLE.read_bytes()), content_type="text/javascript")
        else:
            route.fulfill(
                body='<!doctype html><html lang="en"><head><meta charset="utf-8">'
                '<script src="/enketo-bundle.js"></script></head>'
                '<body><main id="form"></main></body></html>',
                content_type="text/html",
            )

    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/")
    loaded = page.evaluate("x => enketoRender(x, '#form')", xform)
    assert loaded["loadErrors"] == [], loaded

    page.fill("input[name='/data/prs_First_Name']", "Synthetic Enketo")
    # Enketo's date widget: a visible text box that writes the hidden question on change
    date = page.locator("[data-contains-ref-target='/data/prs_Birthdate'] .widget.date input")
    date.fill("2009-04-05")
    date.press("Enter")
    page.check("input[name='/data/con_Consent'][value='TRUE']")
    page.check("input[name='/data/prs_Gender'][value='Feminine']")
    page.check("input[name='/data/prs_Citizenship'][value='IQ']")
    page.check("input[name='/data/vic_TypeOfExploitation'][value='ForcedLabour']")
    screenshot(page, "collection-enketo-filled")
    data = page.evaluate("() => enketoData()")
    assert data["valid"] is True
    xml = data["xml"]
    assert "<prs_First_Name>Synthetic Enketo</prs_First_Name>" in xml
    assert "<prs_Birthdate>2009-04-05</prs_Birthdate>" in xml

    status, answer = _submit(f"{base}/submission", auth, xml)
    assert status == 201, answer
    sub = Submission.objects.get(instance_id=data["instanceID"])
    assert sub.status == "waiting" and sub.device_id == issued.device.pk
    answers = dict(json.loads(sub.answers))
    assert answers["prs_First_Name"] == "Synthetic Enketo"
    assert answers["prs_Gender"] == "Feminine" and answers["prs_Citizenship"] == "IQ"
    assert answers["vic_TypeOfExploitation"] == "ForcedLabour"
    assert answers["prs_Birthdate"] == "2009-04-05" and answers["con_Consent"] == "TRUE"
    # Enketo resends after a lost answer: the same instance is not stored twice
    assert _submit(f"{base}/submission", auth, xml)[0] == 202
    assert Submission.objects.filter(instance_id=data["instanceID"]).count() == 1
