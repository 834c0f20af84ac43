"""Reads: the lists in force, the screening index over them, subjects, hits and decisions
visible to a user."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from vigie.core import access, audit
from vigie.core.actor import Viewer
from vigie.screening import engine, index_cache
from vigie.screening.models import EntryChange, Hit, ListEntry, ListVersion, Subject, Watchlist

log = logging.getLogger(__name__)
_LOCK = threading.Lock()
_INDEX: engine.ScreeningIndex | None = None


def versions_in_force() -> QuerySet[ListVersion]:
    return ListVersion.objects.filter(status=ListVersion.Status.ACTIVE).select_related("watchlist")


def index_signature() -> tuple[Any, ...]:
    """What the index depends on: the versions in force (id, file hash, load time)."""
    return tuple(
        (pk, sha, loaded_at.isoformat())
        for pk, sha, loaded_at in versions_in_force()
        .order_by("pk")
        .values_list("pk", "file_sha256", "loaded_at")
    )


def entry_records(entries: QuerySet[ListEntry]) -> list[dict[str, Any]]:
    return [
        {
            "id": pk,
            "watchlist": code,
            "reference": ref,
            "schema": schema,
            "caption": caption,
            "fingerprint": fp,
            "data": data,
        }
        for pk, code, ref, schema, caption, fp, data in entries.values_list(
            "pk", "watchlist__code", "reference", "schema", "caption", "fingerprint", "data"
        )
    ]


def screening_index() -> engine.ScreeningIndex:
    """The index over every entry in force, rebuilt when a list version changes."""
    global _INDEX
    signature = index_signature()
    index = _INDEX
    if index is not None and index.signature == signature:
        return index
    with _LOCK:
        if _INDEX is not None and _INDEX.signature == signature:
            return _INDEX
        _INDEX = load_or_build_index(signature)
        return _INDEX


def load_or_build_index(signature: tuple[Any, ...]) -> engine.ScreeningIndex:
    """The index from the disk cache (index_cache), or built from the entries in force and
    written to the cache."""
    index = index_cache.load(signature)
    if index is not None:
        return index
    # the index over the lists before an update lends its analysed names (ADR 0530)
    previous = _INDEX if _INDEX is not None else index_cache.latest()
    index = engine.build(
        entry_records(ListEntry.objects.filter(is_active=True)), signature, reuse=previous
    )
    try:
        index_cache.save(index)
    except OSError as exc:  # a read-only or full data directory: work without the cache
        log.warning("screening index cache not written: %s", exc)
    return index


def index_for_entries(entries: QuerySet[ListEntry]) -> engine.ScreeningIndex:
    """A small index over some entries only (the ones a new version added or amended)."""
    return engine.build(entry_records(entries))


def watchlists() -> QuerySet[Watchlist]:
    return Watchlist.objects.prefetch_related("versions")


def get_version(pk: int) -> ListVersion:
    return get_object_or_404(ListVersion.objects.select_related("watchlist"), pk=pk)


def version_changes(version: ListVersion) -> QuerySet[EntryChange]:
    return version.changes.select_related("entry")


def get_entry(pk: int) -> ListEntry:
    return get_object_or_404(ListEntry.objects.select_related("watchlist"), pk=pk)


def visible_subjects(user: Viewer) -> QuerySet[Subject]:
    return access.filter_visible(
        Subject.objects.select_related("organisation"), user, "screening.run"
    )


#: The saved subjects copied from a case's perpetrators (vigie.screening.perpetrators.PURPOSE).
PERPETRATOR = "perpetrator"
IDENTITY_FIELDS = ["name", "birth_date", "document"]


def shows_identity(user: Viewer, subject: Subject) -> bool:
    """Whether ``user`` may see ``subject``'s name, birth date and document.

    A person copied from a case's perpetrators is shown only to those who may see that
    case's perpetrator identity (``case.view`` and ``victim.identity.view`` in the case's
    organisation, as on the case page): a screening officer or financial analyst who may not
    open the case sees the subject by its reference only. Subjects that screening users saved
    themselves (suppliers, counterparties) are shown to anyone who may screen for the org."""
    if subject.purpose != PERPETRATOR or subject.kind != Subject.Kind.PERSON:
        return True
    org = subject.organisation_id
    return access.has_perm(user, "case.view", org) and access.has_perm(
        user, "victim.identity.view", org
    )


def record_subject_views(
    user: Viewer, object_type: str, subjects: list[Subject], where: str = ""
) -> None:
    """One access-log entry per organisation whose subjects ``user`` viewed, under that
    organisation (its auditors see it), naming the identity fields shown (none when every
    identity was withheld)."""
    by_org: dict[str, tuple[list[str], bool]] = {}
    for subject in subjects:
        code = subject.organisation.code
        ids, shown = by_org.get(code, ([], False))
        ids.append(str(subject.pk))
        by_org[code] = (ids, shown or shows_identity(user, subject))
    for code, (ids, shown) in sorted(by_org.items()):
        audit.record_access(
            user,
            "view",
            object_type,
            where or ",".join(ids)[:64],
            IDENTITY_FIELDS if shown else [],
            organisation_code=code,
            detail={"subjects": len(ids)},
        )


def visible_hits(user: Viewer, status: str | None = None) -> QuerySet[Hit]:
    qs = access.filter_visible(
        Hit.objects.select_related(
            "subject", "subject__organisation", "entry", "entry__watchlist", "organisation"
        ),
        user,
        "screening.review",
    )
    return qs.filter(status=status) if status else qs


def batch_hits(
    user: Viewer,
    job: Any,
    min_score: float | None = None,
    watchlist: str = "",
    status: str = "",
) -> QuerySet[Hit]:
    """The potential matches of one batch's rows (vigie.screening.batch_review) that ``user``
    may see where they screen, best score first."""
    qs = access.filter_visible(
        Hit.objects.select_related(
            "subject", "subject__organisation", "entry", "entry__watchlist", "organisation"
        ),
        user,
        "screening.run",
    ).filter(subject__batch=job)
    if min_score is not None:
        qs = qs.filter(score__gte=min_score)
    if watchlist:
        qs = qs.filter(entry__watchlist__code=watchlist)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-score", "subject_id", "entry__reference")


def get_hit_for(user: Viewer, pk: Any) -> Hit:
    return get_object_or_404(visible_hits(user), pk=pk)


def case_screening(user: Viewer, case: Any) -> list[dict[str, Any]] | None:
    """The open potential matches of a case's perpetrators, for the case page; None when the
    user may not review screening alerts for the case's organisation. Rows name the perpetrator
    by number, kind and group (never by a person's name) and the listed entry (public data)."""
    from vigie.cases import codelists

    if not access.has_perm(user, "screening.review", case.organisation_id):
        return None
    perpetrators = list(case.perpetrators.all())
    subjects = dict(
        Subject.objects.filter(
            organisation_id=case.organisation_id,
            purpose="perpetrator",
            external_id__in=[str(p.uuid) for p in perpetrators],
        ).values_list("pk", "external_id")
    )
    hits: dict[str, list[Hit]] = {}
    for hit in (
        Hit.objects.filter(subject_id__in=list(subjects), status=Hit.Status.OPEN)
        .select_related("entry", "entry__watchlist")
        .order_by("-score")
    ):
        hits.setdefault(subjects[hit.subject_id], []).append(hit)
    groups = codelists.get("armed_groups")
    rows = []
    for number, p in enumerate(perpetrators, 1):
        rows.append(
            {
                "number": number,
                "kind": p.get_kind_display(),
                "group": groups.label(p.group_code) if p.group_code else p.group_name,
                "screened": str(p.uuid) in subjects.values(),
                "hits": hits.get(str(p.uuid), []),
            }
        )
    return rows
