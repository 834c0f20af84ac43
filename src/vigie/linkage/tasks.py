"""Background linkage: a changed case is noted, then linked by an incremental job."""

from __future__ import annotations

from typing import Any

from vigie.core import jobs
from vigie.core.actor import Actor
from vigie.core.models import Job


def on_records_changed(
    sender: Any, kind: str, ids: Any, action: str, actor: Actor, **kwargs: Any
) -> None:
    """``records_changed`` for cases (after the writer's commit): note the cases and queue
    one incremental job, only once a model has been trained by a full run."""
    from vigie.linkage.models import Run
    from vigie.linkage.services import note_changed_cases

    if kind != "cases.case" or action == "deleted":
        return
    if not Run.objects.filter(mode="full").exists():
        return  # nothing to link against: the first full run takes every record
    case_ids = [int(i) for i in ids]
    note_changed_cases(case_ids)
    jobs.start("linkage.incremental", user=actor, params={})


@jobs.handler("linkage.incremental")
def incremental(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    from vigie.linkage import services
    from vigie.linkage.models import Pending

    case_ids = list(Pending.objects.values_list("case_id", flat=True))
    if not case_ids:
        return {"records": 0}
    actor = Actor.system("linkage of changed cases")
    out: dict[str, Any] = {}
    for kind in services.KINDS:
        result = services.incremental(actor, case_ids, kind=kind)
        if result:
            out[kind] = result.as_dict()
    Pending.objects.filter(case_id__in=case_ids).delete()
    return out
