"""Export a case's evidence for court (the bag itself is built by :mod:`vigie.evidence.bag`)."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from vigie.core import audit, filecrypt
from vigie.core.actor import Actor, Reader, Viewer, person_of
from vigie.evidence import bag, keys, log, selectors
from vigie.evidence.models import Item
from vigie.evidence.services import IDENTIFYING_FIELDS, EvidenceError, safe_name
from vigie.evidence.store import default_store


def _metadata(item: Item) -> dict[str, Any]:
    meta = getattr(item.blob, "metadata", None)
    return dict(meta.data) if meta is not None else {}


def _item_dict(item: Item, tree: Any, size: int) -> dict[str, Any]:
    entries = []
    for e in item.custody.filter(seq__lte=size).order_by("seq"):
        entries.append(
            {
                "seq": e.seq,
                "at": e.at.isoformat(timespec="microseconds"),
                "event": e.event,
                "actor": e.actor_name,
                "org": e.organisation_code,
                "detail": e.detail,
                "leaf": e.leaf_data().decode("utf-8"),
                "leaf_hash": e.leaf_hash,
                "proof": log.inclusion(tree, e.seq, size),
            }
        )
    return {
        "uuid": str(item.uuid),
        "case": item.case_ref,
        "record": item.record(),
        "blob": {
            "sha256": item.blob.sha256,
            "sha512": item.blob.sha512,
            "size": item.blob.size,
            "type": item.blob.mime_type,
        },
        "source": str(item.source.uuid) if item.source else "",
        "derivation": item.derivation,
        "duplicate_of": str(item.duplicate_of.uuid) if item.duplicate_of else "",
        "metadata": _metadata(item),
        "entries": entries,
    }


def _operator(user: Viewer) -> bool:
    """The system (``--as-system``, a job started by no one): a trusted operator."""
    return isinstance(user, Actor) and user.is_system


def exportable_items(user: Viewer, case_ref: str) -> list[Item]:
    """The items of ``case_ref`` that ``user`` (the system actor: a trusted operator) may export.

    Raises EvidenceError when there is none, or when one is sealed without an approval."""
    qs = Item.objects.all() if _operator(user) else selectors.visible_items(user, "evidence.export")
    items = list(
        qs.filter(case_ref=case_ref).select_related("blob", "organisation", "source").order_by("id")
    )
    if not items:
        raise EvidenceError(
            _("case %(case)s: no evidence item that you may export") % {"case": case_ref}
        )
    if not _operator(user):
        sealed = [str(i.uuid) for i in items if not selectors.may_open(user, i)]
        if sealed:
            raise EvidenceError(
                _("sealed items need access approved by a second person first: %(items)s")
                % {"items": ", ".join(sealed)}
            )
    return items


def export_case(
    user: Viewer,
    case_ref: str,
    outdir: Path,
    *,
    lang: str = "en",
    actor_name: str = "",
    progress: Callable[[int, int, str], None] | None = None,
    job_id: str = "",
) -> tuple[Path, int]:
    """Write the bag for ``case_ref``; the system actor is a trusted operator (CLI).

    ``progress(done bytes, total bytes, message)`` follows the copy of the originals;
    ``job_id`` (the background job doing it) is recorded in each "exported" entry."""
    if lang not in ("en", "fr"):
        raise EvidenceError(_("report language %(lang)s: choose en or fr") % {"lang": lang})
    items = exportable_items(user, case_ref)
    outdir = Path(outdir)
    if outdir.exists() and (not outdir.is_dir() or any(outdir.iterdir())):
        raise EvidenceError(
            _("%(dir)s exists and is not an empty folder; choose a new folder") % {"dir": outdir}
        )
    with transaction.atomic():
        for item in items:
            log.append(
                item,
                "exported",
                user=person_of(user),
                actor_name=actor_name,
                detail={"bag": outdir.name, "case": case_ref} | ({"job": job_id} if job_id else {}),
            )
        if not _operator(user):
            audit.record_access(
                user,
                "export",
                "evidence.case",
                case_ref,
                IDENTIFYING_FIELDS,
                items[0].organisation.code,
            )
    head = log.sign_tree_head()
    assert head is not None
    tree = log.load_tree(head.tree_size)
    dicts = [_item_dict(i, tree, head.tree_size) for i in items]
    store = default_store()
    contents = {str(i.uuid): store.open(i.blob.sha256) for i in items}
    total = sum(i.blob.size for i in items)
    copied = 0

    def step(n: int, name: str) -> None:
        nonlocal copied
        copied += n
        if progress is not None:
            progress(copied, total, name)

    path = bag.write_bag(
        outdir,
        case_ref=case_ref,
        organisation=items[0].organisation.name,
        items=dicts,
        contents=contents,
        head=log.sth_json(head),
        public_key_pem=keys.public_key_pem(),
        lang=lang,
        progress=step,
    )
    return path, len(items)


KEEP_HOURS = 7 * 24  # export archives older than this are removed by the cleanup job
log_ = logging.getLogger("vigie.evidence")


def exports_dir() -> Path:
    path = keys.vault_dir() / "exports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def zip_name(case_ref: str) -> str:
    return f"evidence-{safe_name(case_ref)}.zip"


def export_to_zip(
    user: Viewer,
    case_ref: str,
    *,
    job_id: str,
    lang: str = "en",
    actor_name: str = "",
    progress: Callable[[int, int, str], None] | None = None,
) -> dict[str, Any]:
    """The export job's work: the bag of ``case_ref``, zipped into ``exports/<job_id>/``."""
    folder = exports_dir() / job_id
    if folder.exists():
        shutil.rmtree(folder)  # a rerun starts from the top
    folder.mkdir(mode=0o700)
    try:
        bag_dir, count = export_case(
            user,
            case_ref,
            folder / "bag",
            lang=lang,
            actor_name=actor_name,
            progress=progress,
            job_id=job_id,
        )
        name = zip_name(case_ref)
        archive = shutil.make_archive(str(folder / name[:-4]), "zip", bag_dir)
        shutil.rmtree(bag_dir)
        # kept for KEEP_HOURS: encrypted at rest, decrypted as it is served (issue 15)
        plain_size = filecrypt.encrypt_file(Path(archive), Path(archive))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    items = list(
        Item.objects.filter(custody__event="exported", custody__detail__job=job_id)
        .values_list("uuid", flat=True)
        .distinct()
    )
    return {
        "case": case_ref,
        "items": count,
        "item_uuids": [str(u) for u in items],
        "zip": Path(archive).name,
        "zip_bytes": plain_size,
    }


def start_export(user: Reader, case_ref: str, lang: str = "en") -> Any:
    """Check that ``user`` may export ``case_ref`` and start the ``evidence.export`` job.

    Shared by the web page and the API; raises EvidenceError (case, sealed items, language)
    before any job exists. The job runs after the transaction commits."""
    from vigie.core import jobs
    from vigie.evidence import tasks

    if lang not in ("en", "fr"):
        raise EvidenceError(_("report language %(lang)s: choose en or fr") % {"lang": lang})
    items = exportable_items(user, case_ref)
    return jobs.start(
        tasks.EXPORT,
        user=user,
        organisation=items[0].organisation,
        params={"case": case_ref, "lang": lang, "user_id": user.pk},
    )


def archive_of(job: Any) -> Path | None:
    """The finished zip of an export job, if it is still there."""
    name = (job.result or {}).get("zip")
    if not name or job.kind != "evidence.export" or job.status != "succeeded":
        return None
    path = exports_dir() / str(job.pk) / safe_name(name)
    return path if path.is_file() else None


def archive_response(archive: Path, job: Any) -> StreamingHttpResponse:
    """The zip as it is served: decrypted chunk by chunk (never whole in memory)."""
    response = StreamingHttpResponse(filecrypt.iter_plain(archive), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, archive.name) or ""
    size = (job.result or {}).get("zip_bytes")
    if size is not None:
        response["Content-Length"] = str(size)
    return response


def record_archive_download(user: Viewer, job: Any) -> None:
    """Each item in the archive gets a "downloaded" custody entry (and the access log a row)."""
    uuids = (job.result or {}).get("item_uuids") or []
    items = list(Item.objects.filter(uuid__in=uuids).select_related("blob", "organisation"))
    with transaction.atomic():
        log.append_many(
            [
                (i, "downloaded", {"export_job": str(job.pk), "zip": job.result["zip"]})
                for i in items
            ],
            user=person_of(user),
        )
        if items:
            audit.record_access(
                user,
                "download",
                "evidence.case",
                job.result.get("case", ""),
                IDENTIFYING_FIELDS,
                items[0].organisation.code,
            )
    log.sign_tree_head()


def remove_old_archives(hours: float = KEEP_HOURS) -> int:
    limit = time.time() - hours * 3600
    removed = 0
    for folder in exports_dir().iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)
            log_.info("removed export archive %s (older than %s hours)", folder.name, hours)
            removed += 1
    return removed
