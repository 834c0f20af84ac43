"""Field collection's rows of the authorization matrix (see vigie.testing).

The OpenRosa endpoints (``collection:or-*``) authenticate devices with HTTP Basic; a browser
session of a user holding ``collection.manage`` in the organisation also works, so they are
listed with that permission. Their device authentication is tested in test_openrosa.py.
"""

from __future__ import annotations

from typing import Any

from vigie.core.models import Organisation
from vigie.testing import Endpoint, World

MANAGE = "collection.manage"
REVIEW = "collection.review"
ORG = {"org": "own-org"}
FORM = {"org": "own-org", "form_id": "matrix_form"}


def make_submission(world: World, org: Organisation) -> Any:
    from vigie.collection.models import Form, FormVersion, Submission

    key = f"collection-submission-{org.code}"
    if key not in world.objects:
        form, _ = Form.objects.get_or_create(
            form_id="matrix_form", defaults={"title": "M", "owner": org}
        )
        version, _ = FormVersion.objects.get_or_create(
            form=form, version="1", defaults={"xform": "<x/>", "md5": "0" * 32}
        )
        world.objects[key] = Submission.objects.create(
            organisation=org,
            form_version=version,
            instance_id=f"uuid:matrix-{org.code}",
            xml="<data/>",
            answers="[]",
        )
    return world.objects[key]


def _submission(world: World, org: Organisation) -> dict[str, Any]:
    return {"uuid": make_submission(world, org).uuid}


def _published(world: World, org: Organisation) -> dict[str, Any]:
    """The matrix form published to ``org`` (the editor's page exists for publications)."""
    from vigie.collection.models import Publication

    sub = make_submission(world, org)
    Publication.objects.get_or_create(
        form=sub.form_version.form, organisation=org, defaults={"version": sub.form_version}
    )
    return {"org": org.code, "form_id": "matrix_form"}


def _import_job(world: World, org: Organisation) -> dict[str, Any]:
    from vigie.core.models import Job

    job = Job.objects.create(kind="collection.import", organisation=org, params={})
    return {"pk": job.pk}


def _device(world: World, org: Organisation) -> dict[str, Any]:
    from vigie.collection.models import Device

    device, _ = Device.objects.get_or_create(
        username=f"matrix-{org.code}",
        defaults={"organisation": org, "label": "M", "secret_hash": "x"},
    )
    return {"pk": device.pk}


ENDPOINTS = [
    Endpoint("collection:forms", perm=MANAGE),
    Endpoint("collection:forms", "POST", perm=MANAGE, data={}),
    Endpoint("collection:devices", "POST", perm=MANAGE, data={}),
    Endpoint("collection:import", "POST", perm=MANAGE, data={}),
    Endpoint("collection:import-report", perm=MANAGE, target=_import_job),
    Endpoint("collection:revoke", "POST", perm=MANAGE, target=_device, data={}),
    Endpoint("collection:queue", perm=REVIEW),
    Endpoint("collection:submission", perm=REVIEW, target=_submission),
    Endpoint(
        "collection:decide",
        "POST",
        perm=REVIEW,
        target=_submission,
        kwargs={"decision": "reject"},
        data={},
    ),
    Endpoint("collection:merge", perm=REVIEW, target=_submission),
    Endpoint("collection:merge", "POST", perm=REVIEW, target=_submission, data={}),
    Endpoint("collection:close", "POST", perm=MANAGE, target=_published, data={}),
    Endpoint("collection:reopen", "POST", perm=MANAGE, target=_published, data={}),
    Endpoint("collection:mapping", perm=MANAGE, target=_published),
    Endpoint("collection:mapping", "POST", perm=MANAGE, target=_published, data={}),
    Endpoint("collection:or-forms", perm=MANAGE, kwargs=ORG),
    Endpoint("collection:or-form", perm=MANAGE, kwargs=FORM),
    Endpoint("collection:or-manifest", perm=MANAGE, kwargs=FORM),
    Endpoint("collection:or-submission", perm=MANAGE, kwargs=ORG),
    Endpoint("collection:or-submission", "POST", perm=MANAGE, kwargs=ORG, data={}),
    Endpoint("collection-api:forms", perm=MANAGE),
    Endpoint("collection-api:forms", "POST", perm=MANAGE, data={}),
    Endpoint("collection-api:close", "POST", perm=MANAGE, target=_published, data={}),
    Endpoint("collection-api:reopen", "POST", perm=MANAGE, target=_published, data={}),
    Endpoint("collection-api:imports", "POST", perm=MANAGE, data={}),
    Endpoint("collection-api:devices", perm=MANAGE),
    Endpoint("collection-api:devices", "POST", perm=MANAGE, data={}),
    Endpoint("collection-api:revoke", "POST", perm=MANAGE, target=_device, data={}),
    Endpoint("collection-api:submissions", perm=REVIEW),
    Endpoint("collection-api:submission", perm=REVIEW, target=_submission),
    Endpoint(
        "collection-api:decide",
        "POST",
        perm=REVIEW,
        target=_submission,
        kwargs={"decision": "reject"},
        data={},
    ),
]
