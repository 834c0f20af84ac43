"""Importing KoBoToolbox and ODK Central exports into the review queue (issue 19 item 5).

Each exported submission becomes a submission waiting for review, exactly like one a device
sent: same answers (repeat rows as ``victims[n]/q``), same mapping profiles, same review.
Idempotent by instanceID (one already received is counted, not stored again); written in
batches of ``BATCH`` rows, each in its own transaction, with the next row kept as the job's
checkpoint, so an interrupted import resumes where it stopped. Every bad row is reported with
file, row, column, value and why; values are quoted only when they are ids or choice codes.
"""

from __future__ import annotations

import json
import mimetypes
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from lxml import etree

from vigie.collection import exports, receipt, services
from vigie.collection.models import Form, FormVersion, Publication, Submission
from vigie.core import filecrypt, jobs
from vigie.core.actor import Actor
from vigie.core.errors import Invalid, NotFound
from vigie.core.events import announce
from vigie.core.models import Job, Organisation

BATCH = 200
MAX_REPORTED = 1000


@dataclass
class Report:
    rows: int = 0
    created: int = 0
    duplicates: int = 0
    rejected: int = 0
    attachments: int = 0
    total: int = 0  # submission rows in the file (for the progress bar)
    next_row: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


_NAME = re.compile(r"[^\w.-]")


def _element(part: str) -> str:
    name = _NAME.sub("_", part.split("[", 1)[0]) or "_"
    return name if not name[0].isdigit() and name[0] not in ".-" else f"_{name}"


def xml_of(form_id: str, version: str, answers: list[tuple[str, str]]) -> str:
    """An instance document for answers read from an export (what a device would have sent),
    so a reviewer sees the same thing whatever the way the submission came."""
    root = etree.Element("data", id=form_id, version=version)
    nodes: dict[str, Any] = {"": root}
    for path, value in answers:
        parent, at = root, ""
        for part in path.split("/"):
            at = f"{at}/{part}" if at else part
            if at not in nodes:
                nodes[at] = etree.SubElement(parent, _element(part))
            parent = nodes[at]
        parent.text = value
    return str(etree.tostring(root, encoding="unicode"))


def import_export(
    actor: Actor,
    organisation: Organisation,
    form: Form,
    path: Path,
    *,
    start: int = 0,
    previous: dict[str, Any] | None = None,
    progress: Callable[[Report], None] | None = None,
) -> Report:
    """Import the export at ``path`` of ``form`` into ``organisation``'s review queue, from
    row ``start`` on (a resumed import: ``previous`` holds the counts so far)."""
    actor.require(services.MANAGE, organisation.pk)
    pub = (
        Publication.objects.select_related("version")
        .filter(form=form, organisation=organisation)
        .first()
    )
    if pub is None:
        raise NotFound(
            _("This form is not published to this organisation."), code="form_not_published"
        )
    versions = {v.version: v for v in FormVersion.objects.filter(form=form)}
    report = Report(
        **{k: v for k, v in (previous or {}).items() if k in Report.__dataclass_fields__}
    )
    reader = exports.Reader(form.form_id, pub.version.questions)
    with exports.opened(path, form.form_id) as (tables, media):
        report.total = max(sum(1 for cells in tables[0].open() if any(cells)) - 1, 0)
        if progress:
            progress(report)
        batch: list[exports.Row] = []
        for row in reader.rows(tables, start):
            report.rows += 1
            if row is None:
                report.rejected += 1
                continue
            batch.append(row)
            if len(batch) >= BATCH:
                _write(actor, organisation, pub, versions, batch, media, reader, report)
                batch = []
                if progress:
                    progress(_reported(report, reader))
        _write(actor, organisation, pub, versions, batch, media, reader, report)
    report.next_row = 0
    return _reported(report, reader)


SUFFIXES = (".zip", ".xlsx", ".csv")


def upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "collection-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def start_import(
    actor: Actor, organisation: Organisation, form: Form, chunks: Iterable[bytes], name: str
) -> Job:
    """Keep the uploaded export encrypted at rest and queue its import job."""
    from vigie.collection.tasks import IMPORT

    actor.require(services.MANAGE, organisation.pk)
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise Invalid(
            _("Give a KoBoToolbox XLSX or CSV export, or an ODK Central submissions ZIP."),
            code="export_format",
        )
    if not Publication.objects.filter(form=form, organisation=organisation).exists():
        raise NotFound(
            _("This form is not published to this organisation."), code="form_not_published"
        )
    target = upload_dir() / f"{uuid.uuid4().hex}{suffix}"
    with target.open("wb") as fh:
        filecrypt.encrypt_stream(chunks, fh)
    return jobs.start(
        IMPORT,
        user=actor,
        organisation=organisation,
        params={
            "path": str(target),
            "form_id": form.form_id,
            "organisation_id": organisation.pk,
            "user_id": actor.user.pk if actor.user is not None else None,
            "system_reason": actor.reason,
        },
    )


def _reported(report: Report, reader: exports.Reader) -> Report:
    kept = report.problems + [p.as_dict() for p in reader.problems]
    reader.problems.clear()
    report.problems = kept[:MAX_REPORTED]
    return report


def _write(
    actor: Actor,
    org: Organisation,
    pub: Publication,
    versions: dict[str, FormVersion],
    rows: list[exports.Row],
    media: dict[str, Path],
    reader: exports.Reader,
    report: Report,
) -> None:
    if not rows:
        return
    with transaction.atomic():
        ids = [r.instance_id for r in rows]
        have = set(
            Submission.objects.filter(organisation=org, instance_id__in=ids).values_list(
                "instance_id", flat=True
            )
        )
        new = [r for r in rows if r.instance_id not in have]
        report.duplicates += len(rows) - len(new)
        made = Submission.objects.bulk_create(
            [
                Submission(
                    organisation=org,
                    form_version=versions.get(r.version, pub.version),
                    instance_id=r.instance_id,
                    xml=xml_of(pub.form.form_id, r.version or pub.version.version, r.answers),
                    answers=json.dumps(r.answers, ensure_ascii=False),
                    size=0,
                )
                for r in new
            ]
        )
        if made and made[0].pk is None:  # backends that do not return keys from bulk inserts
            by_id = dict(
                Submission.objects.filter(
                    organisation=org, instance_id__in=[r.instance_id for r in new]
                ).values_list("instance_id", "pk")
            )
            for sub in made:
                sub.pk = by_id[sub.instance_id]
        report.created += len(made)
        if made:
            announce(
                "collection.submission",
                [s.pk for s in made],
                actor,
                action="created",
                organisation_id=org.pk,
            )
        for sub, row in zip(made, new, strict=True):
            _attach(actor, sub, row, media, reader, report)
    report.next_row = rows[-1].number + 1


def _attach(
    actor: Actor,
    sub: Submission,
    row: exports.Row,
    media: dict[str, Path],
    reader: exports.Reader,
    report: Report,
) -> None:
    """The media files of the ZIP that the row's answers name, hashed and checked."""
    uploads = []
    for path, value in row.answers:
        if value in media:
            data = media[value].read_bytes()
            kind = mimetypes.guess_type(value)[0] or "application/octet-stream"
            upload = receipt.Upload(value, kind, data)
            try:
                receipt.check_upload(upload)
            except Invalid as exc:
                reader.problems.append(
                    exports.Problem(row.file, row.number, path, "", exc.message, imported=True)
                )
                continue
            uploads.append(upload)
    if uploads:
        receipt.add_files(sub, uploads, actor)
        report.attachments += len(uploads)
