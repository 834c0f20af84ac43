"""Background work of field collection.

``collection.import``: import a KoBoToolbox or ODK Central export into the review queue
(vigie.collection.imports), with a progress bar on the jobs page; resumable from the
checkpoint kept after every batch (``next_row``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from vigie.collection.models import Form
from vigie.core import filecrypt, jobs
from vigie.core.actor import Actor
from vigie.core.errors import VigieError
from vigie.core.models import Job, Organisation, User

if TYPE_CHECKING:
    from vigie.collection import imports

IMPORT = "collection.import"


def _actor(job: Job, org: Organisation) -> Actor:
    params = job.params
    if params.get("user_id"):
        user = User.objects.filter(pk=params["user_id"], is_active=True).first()
        if user is None:
            raise jobs.JobError("the user who started this import is no longer active")
        return Actor(user=user, organisation_id=org.pk)
    return Actor.system(params.get("system_reason") or f"import job {job.pk}", org.pk)


@jobs.handler(IMPORT)
def import_export(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    # here, not at the top: the form readers (pyxform, openpyxl) take seconds to import and
    # this module is imported whenever Django starts, by every command (ADR 0543)
    from vigie.collection import imports

    params = job.params
    org = Organisation.objects.get(pk=params["organisation_id"])
    # form ids are unique per owner; one form per id is published to an organisation
    form = Form.objects.get(form_id=params["form_id"], publications__organisation=org)
    previous = dict(job.result or {})
    start = int(previous.get("next_row") or 0)
    progress.update(0, None, "reading")

    def step(report: imports.Report) -> None:
        progress.checkpoint(report.as_dict())
        progress.update(report.rows, report.total or None, f"{report.rows} rows read")

    try:
        with filecrypt.readable(Path(params["path"])) as path:
            report = imports.import_export(
                _actor(job, org),
                org,
                form,
                path,
                start=start,
                previous=previous if start else None,
                progress=step,
            )
    except VigieError as exc:
        raise jobs.JobError(exc.message) from None
    stored = Path(params["path"])
    if stored.parent == imports.upload_dir():  # an upload: not kept once imported
        stored.unlink(missing_ok=True)
    progress.update(report.rows, report.rows, f"{report.rows} rows read")
    return report.as_dict()
