"""Probe (issue 15, ADR 0053): what an OpenRosa submission's body may do to the server.

A submission sent without a Content-Length (chunked transfer encoding through a server that
passes it on) was answered "no xml_submission_file part", which sends a field team looking
for a fault in its form; and a part over Django's 2.5 MB memory size (a photo, a recording:
identity) was written in clear to the disk's temp directory while the request ran."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT, encode_multipart

from vigie.collection.models import Attachment, Submission
from vigie.collection.tests.conftest import basic, instance
from vigie.collection.tests.test_openrosa import URL, message, post

pytestmark = pytest.mark.django_db
BOUNDARY = "BoUnDaRyStRiNg"


def test_probe_a_chunked_submission_is_told_to_send_a_length(
    client: Any, published: Any, device: Any
) -> None:
    body = encode_multipart(
        BOUNDARY, {"xml_submission_file": SimpleUploadedFile("submission.xml", instance())}
    )
    response = client.generic(
        "POST",
        f"{URL}/submission",
        body,
        content_type=MULTIPART_CONTENT,
        CONTENT_LENGTH="",  # what Django sees of a chunked request
        HTTP_TRANSFER_ENCODING="chunked",
        **basic(device),
    )
    assert response.status_code == 411
    nature, text = message(response)
    assert nature == "error" and "Content-Length" in text
    assert not Submission.objects.exists()


def test_probe_a_large_attachment_never_touches_the_disk_temp_directory(
    client: Any, settings: Any, tmp_path: Path, published: Any, device: Any
) -> None:
    # a temp directory that does not exist: writing an upload there fails the request
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "absent")
    photo = b"\xff\xd8\xff\xe0 synthetic" + b"\0" * (3 * 1024 * 1024)
    assert len(photo) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    response = post(client, device, instance(), SimpleUploadedFile("p.jpg", photo, "image/jpeg"))
    assert response.status_code == 201, response.content
    assert Attachment.objects.get().size == len(photo)
