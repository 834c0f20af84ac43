"""Issue 15, the promise made whole: an identity value written into a case (through the API
and through an import, known and unknown fields, valid and invalid values) appears nowhere
it may not: not in any database table in clear (every table scanned with raw SQL: change
log, access log, job results, search terms...), not in the files of the data directory
(read as they are, nothing decrypted), not in the screening subjects, API responses or
exports of roles without the identity permissions.

Evidence too: the marker in an uploaded file's name and in its EXIF (ADR 0045).

Each example generates identity values around a fresh marker string."""

from __future__ import annotations

import copy
import json
import uuid as uuidlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.cases.tests.conftest import RECORD
from vigie.core import filecrypt, jobs
from vigie.core.models import Job, Membership, OrganisationShare, User
from vigie.testing import World

# identity values: the marker inside text of any script (names are not only Latin)
SURROUND = st.text(
    alphabet=st.characters(categories=["L", "Zs"], max_codepoint=0x6FF), min_size=0, max_size=6
)
MARKERS = st.from_regex(r"Mk[a-z]{12}", fullmatch=True)


def _tables_text() -> dict[str, str]:
    out = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            out[table] = str(cursor.fetchall())
    return out


def _files_text(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in root.rglob("*") if p.is_file()}


WINDOW = 7  # any 7 letters of the marker in a row: a part of a value is a leak too


def _assert_absent(marker: str, where: str, text: str | bytes) -> None:
    """Neither the marker (in any case) nor any fragment of it (a value cut or masked by
    halves still leaks): fragments of 7 random letters do not occur in base64 by chance."""
    core = marker[2:]
    pieces = {core[i : i + WINDOW] for i in range(len(core) - WINDOW + 1)}
    if isinstance(text, bytes):
        assert marker.lower().encode() not in text.lower(), where
        found = [p for p in pieces if p.encode() in text]
    else:
        assert marker.lower() not in text.lower(), f"{where}: {marker}"
        found = [p for p in pieces if p in text]
    assert not found, f"{where}: fragments {found} of {marker}"


@pytest.fixture
def listed(tmp_path: Path, db: Any) -> None:
    from vigie.screening import services
    from vigie.screening.tests.factories import SAMPLE, un_xml, write

    services.load_list(write(tmp_path, "v1.xml", un_xml(SAMPLE)))


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(marker=MARKERS, before=SURROUND, after=SURROUND)
def test_no_identity_value_leaks(
    world: World,
    api: Any,
    listed: None,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
    marker: str,
    before: str,
    after: str,
) -> None:
    from vigie.cases.interchange import exporter, uploads
    from vigie.cases.models import Case

    value = f"{before}{marker}{after}".strip() or marker
    run = uuidlib.uuid4().hex[:12]  # hypothesis may replay a marker: records stay distinct
    # 1. through the API: every identity field of a victim, a named perpetrator
    record = copy.deepcopy(RECORD)
    record["reference"] = f"P-{run}"  # ordinary fields: no marker in them
    record["source_record_id"] = f"src-{run}"
    victim = record["victims"][0]
    victim.update(
        given_name=value,
        family_name=f"{marker}fam",
        other_names=f"{marker} alias",
        document_number=f"{marker}-doc",
        phone=f"+964 {marker}",
        address=f"{marker} street",
    )
    record["perpetrators"] = [
        *record["perpetrators"],
        {"kind": "person", "name": f"{marker} Perp", "role": "recruiter"},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        created = api(world.users["field_officer"]).post("/api/cases/", record, format="json")
    assert created.status_code == 201, created.json()
    uuid = created.json()["uuid"]
    bad = copy.deepcopy(record)
    bad["reference"] = f"B-{run}"
    bad["source_record_id"] = f"bad-{run}"
    bad["victims"][0]["date_of_birth"] = f"{marker}-13-45"
    res = api(world.users["field_officer"]).post("/api/cases/", bad, format="json")
    assert res.status_code == 400
    _assert_absent(marker, "API error", res.content)

    # 1b. evidence: the marker in the file name and in the photo's EXIF (author, serial)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from vigie.evidence.tests.test_names_and_exif import jpeg_with_exif

    photo = SimpleUploadedFile(f"{marker}_{run}.jpg", jpeg_with_exif(marker), "image/jpeg")
    added = api(world.users["field_officer"]).post(
        "/api/evidence/items/",
        {"file": photo, "case_ref": record["reference"]},
        format="multipart",
    )
    assert added.status_code == 201, added.content
    evidence_uuid = added.json()["uuid"]

    # 2. through an import: known identity fields, an unknown field, an invalid birth date
    items = [
        {
            "cas_CaseNumber": f"IMP-{run}",
            "prs_FirstName": f"{marker}first",
            "prs_Gender": "Feminine",
            "vic_MotherName": f"{marker}mother",
            "vic_NationalIDOfFather": f"{marker}-77",
        },
        {"cas_CaseNumber": f"BAD-{run}", "prs_FirstName": "x", "prs_Birthdate": f"{marker}"},
    ]
    upload = uploads.upload_dir() / f"{run}-upload.json"
    uploads.keep_encrypted([json.dumps(items).encode()], upload)
    user = world.users["case_manager"]
    for partial in (False, True):
        with django_capture_on_commit_callbacks(execute=True):
            job = jobs.start(
                "cases.import",
                user=user,
                organisation=world.own,
                params={
                    "path": str(upload),
                    "format": "htcds",
                    "organisation_id": world.own.pk,
                    "user_id": user.pk,
                    "partial": partial,
                    "rejects": str(upload.with_suffix(".rejects.csv")) if partial else "",
                },
            )
            jobs.run_now(Job.objects.get(pk=job.pk))

    # the paths above did run: a screened perpetrator, an imported unknown field, rejects
    from vigie.screening.models import Subject

    assert Subject.objects.filter(purpose="perpetrator", kind="Person").exists()
    assert Case.objects.filter(
        source_record_id=f"IMP-{run}", source_identity__isnull=False
    ).exists()
    assert upload.with_suffix(".rejects.csv").exists()

    # 3. reads by roles without the identity permission, and a partner without identities
    partner = User.objects.get_or_create(username="leak-partner")[0]
    Membership.objects.get_or_create(user=partner, organisation=world.other, role="case_manager")
    OrganisationShare.objects.get_or_create(owner=world.own, partner=world.other, scope="case")
    for role in ("analyst", "auditor", "org_admin", "screening_officer", "financial_analyst"):
        client = api(world.users[role])
        for url in (
            "/api/cases/",
            f"/api/cases/{uuid}/?include=identity",
            "/api/screening/subjects/",
            "/api/screening/alerts/?status=all",
            "/api/audit/changes/?model=victim",
            "/api/audit/changes/?model=case",
            "/api/audit/changes/?model=perpetrator",
            "/api/audit/access/",
            "/api/jobs/",
            "/api/evidence/items/",
            f"/api/evidence/items/{evidence_uuid}/",
        ):
            _assert_absent(marker, f"{role} {url}", client.get(url).content)
    for url in (f"/api/cases/{uuid}/?include=identity", "/api/cases/"):
        _assert_absent(marker, f"partner {url}", api(partner).get(url).content)

    # 4. exports by a role without victim.identity.export (who may not ask for identities)
    with pytest.raises(PermissionDenied):
        exporter.export(world.users["investigator"], "json", tmp_path / "x.json", identity=True)
    for fmt in ("json", "htcds", "htcds-csv", "csv", "xlsx", "ctdc"):
        out = tmp_path / f"export.{fmt}"
        exporter.export(world.users["investigator"], fmt, out)
        _assert_absent(marker, f"export {fmt}", out.read_bytes())

    # 5. every table, in clear (identity values are only ever stored encrypted)
    for table, text in _tables_text().items():
        _assert_absent(marker, f"table {table}", text)

    # 6. every file of the data directory (uploads, rejects, exports, jobs), nothing decrypted
    for name, data in _files_text(Path(django_settings.DATA_DIR)).items():
        _assert_absent(marker, f"file {name}", data)
    assert not list(filecrypt.plain_dir().glob("vigie-plain-*"))  # plaintext copies removed
    assert Case.objects.filter(uuid=uuid).exists()
