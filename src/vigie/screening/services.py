"""Writes and actions: load a list (and re-screen saved subjects against what changed),
screen names, save subjects, record review decisions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.core import crypto
from vigie.core.actor import Actor, Viewer, person_of
from vigie.core.events import announce
from vigie.core.models import Organisation
from vigie.screening import engine, selectors
from vigie.screening.loading import LOADER, LoadResult, Report, acting, load_file
from vigie.screening.models import Decision, Hit, ListEntry, ListVersion, Subject

SCHEMAS = ("Person", "Organization")


def make_query(
    name: str,
    schema: str | None = None,
    birth_date: str = "",
    country: str = "",
    document: str = "",
) -> engine.Query:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("A name is required.")})
    if len(name) > 300:
        raise ValidationError({"name": _("A name has at most 300 characters.")})
    if not schema:
        schema = None
    elif schema.lower() in ("person", "individual"):
        schema = "Person"
    elif schema.lower() in ("organization", "organisation", "company", "entity", "legalentity"):
        schema = "Organization"
    else:
        raise ValidationError({"schema": _("Type must be Person or Organization.")})
    return engine.Query(
        name, schema, (birth_date or "").strip(), (country or "").strip(), (document or "").strip()
    )


def screen(
    query: engine.Query, threshold: float = engine.THRESHOLD, limit: int = 10
) -> list[engine.Result]:
    return selectors.screening_index().screen(query, threshold=threshold, limit=limit)


def load_list(
    path: Path,
    source: str | None = None,
    *,
    user: Viewer = LOADER,
    code: str | None = None,
    mapping: dict[str, str] | None = None,
    report: Report | None = None,
) -> LoadResult:
    """Load a list file as a new version, then re-screen saved subjects against the entries it
    added or amended (alerts for new potential matches)."""
    result = load_file(path, source, user=user, code=code, mapping=mapping, report=report)
    if not result.unchanged_file:
        # The versions in force changed: the index is built again when next needed (now, if
        # subjects are to be re-screened), from the one before (index_cache.latest).
        rescreen_for_version(result.version)
        # The version's one change event, sent after the re-screening so that consumers (the
        # suppliers' queue) find the hits it raised; inside the caller's transaction if any.
        who = user if isinstance(user, Actor) else acting(user, "list loading")
        announce("screening.listversion", [result.version.pk], who, action="created")
    return result


def subject_fingerprint(subject: Subject) -> str:
    parts = [
        subject.kind,
        subject.name,
        subject.birth_date or "",
        subject.country,
        subject.document or "",
    ]
    return crypto.blind_index("\x1f".join(parts), "screening.subject.fingerprint")


def subject_query(subject: Subject) -> engine.Query:
    return engine.Query(
        subject.name,
        subject.kind,
        subject.birth_date or "",
        subject.country,
        subject.document or "",
    )


@dataclass
class ScreenOutcome:
    new_alerts: int = 0
    reopened: int = 0
    remembered: int = 0  # hits not raised again: a decision stands for the same subject+entry


#: Parts of a match explanation that repeat the subject's own name: never stored with an
#: alert (the name is kept encrypted on the subject, shown only to those who may see it).
QUERY_PARTS = ("query_name", "alignment")


def stored_explanation(explanation: dict[str, Any]) -> dict[str, Any]:
    """A match explanation without the subject's name (the listed side is public data)."""
    return {k: v for k, v in explanation.items() if k not in QUERY_PARTS}


def record_hits(
    subject: Subject,
    results: list[engine.Result],
    version: ListVersion | None = None,
    actor: Actor | None = None,
) -> ScreenOutcome:
    """Raise, reopen or refresh the subject's hits for ``results``; announced as
    "screening.hit" (created / changed) for ``actor`` (default: the system re-screening)."""
    return _record([(subject, results)], version, actor)


CHUNK = 500  # ids per query (SQLite's bound on query parameters)


def _record(
    found: list[tuple[Subject, list[engine.Result]]],
    version: ListVersion | None = None,
    actor: Actor | None = None,
) -> ScreenOutcome:
    """``record_hits`` for many subjects at once: existing hits read in a few queries, new
    ones created and changed ones saved in bulk, one "screening.hit" event per organisation
    and action (a re-screening of 100,000 subjects writes in seconds, ADR 0530)."""
    outcome = ScreenOutcome()
    entry_ids = sorted({r.entry.id for _s, results in found for r in results if r.entry.id})
    entries: dict[int, ListEntry] = {}
    for i in range(0, len(entry_ids), CHUNK):
        entries.update(ListEntry.objects.in_bulk(entry_ids[i : i + CHUNK]))
    subject_ids = [s.pk for s, _results in found]
    hits: dict[tuple[int, int], Hit] = {}
    for i in range(0, len(subject_ids), CHUNK):
        for hit in Hit.objects.filter(subject_id__in=subject_ids[i : i + CHUNK]):
            hits[(hit.subject_id, hit.entry_id)] = hit
    created: list[Hit] = []
    changed: list[Hit] = []
    for subject, results in found:
        for r in results:
            entry = entries.get(r.entry.id or 0)
            if entry is None:
                continue
            existing = hits.get((subject.pk, entry.pk))
            if existing is None:
                hit = Hit(
                    organisation_id=subject.organisation_id,
                    subject=subject,
                    entry=entry,
                    raised_by=version,
                    score=r.score,
                    explanation=stored_explanation(r.explanation),
                    subject_fingerprint=subject.fingerprint,
                    entry_fingerprint=entry.fingerprint,
                )
                hits[(subject.pk, entry.pk)] = hit
                created.append(hit)
                continue
            hit = existing
            unchanged = (
                hit.subject_fingerprint == subject.fingerprint
                and hit.entry_fingerprint == entry.fingerprint
            )
            if hit.status != Hit.Status.OPEN and unchanged:
                outcome.remembered += 1
                continue
            if hit.status != Hit.Status.OPEN:
                hit.status = Hit.Status.OPEN
                hit.raised_by = version
                outcome.reopened += 1
            hit.score, hit.explanation = r.score, stored_explanation(r.explanation)
            hit.subject_fingerprint, hit.entry_fingerprint = (
                subject.fingerprint,
                entry.fingerprint,
            )
            changed.append(hit)
    outcome.new_alerts = len(created)
    now = timezone.now()
    with transaction.atomic():
        Hit.objects.bulk_create(created, batch_size=CHUNK)
        for hit in changed:
            hit.updated_at = now  # bulk_update does not touch auto_now fields
        Hit.objects.bulk_update(
            changed,
            [
                "status",
                "raised_by",
                "score",
                "explanation",
                "subject_fingerprint",
                "entry_fingerprint",
                "updated_at",
            ],
            batch_size=CHUNK,
        )
        for i in range(0, len(subject_ids), CHUNK):
            Subject.objects.filter(pk__in=subject_ids[i : i + CHUNK]).update(last_screened_at=now)
        for subject, _results in found:
            subject.last_screened_at = now
        by_org: dict[tuple[int, str], list[Any]] = {}
        for action, rows in (("created", created), ("changed", changed)):
            for hit in rows:
                by_org.setdefault((hit.organisation_id, action), []).append(hit.pk)
        for (org, action), ids in sorted(by_org.items()):
            who = actor or Actor.system("screening: re-screening", org)
            announce("screening.hit", ids, who, action=action, organisation_id=org)
    return outcome


def create_subject(
    user: Viewer,
    organisation: Organisation,
    *,
    name: str,
    kind: str = "Person",
    birth_date: str = "",
    country: str = "",
    document: str = "",
    external_id: str = "",
    purpose: str = "",
    results: list[engine.Result] | None = None,
    batch: Any = None,
) -> tuple[Subject, ScreenOutcome]:
    """Save a subject to be screened now and at every list update (``results``: already
    screened by the caller, e.g. the batch matcher; ``batch``: the batch job of its row)."""
    query = make_query(name, kind, birth_date, country, document)
    with transaction.atomic():
        subject = new_subject(organisation, query, user, external_id, purpose, batch)
        subject.save()
        actor = acting(user, "subject", organisation.pk)
        announce(
            "screening.subject",
            [subject.pk],
            actor,
            action="created",
            organisation_id=organisation.pk,
        )
        if results is None:
            results = screen(subject_query(subject), limit=20)
        outcome = record_hits(subject, results, actor=actor)
    return subject, outcome


def new_subject(
    organisation: Organisation,
    query: engine.Query,
    user: Viewer,
    external_id: str,
    purpose: str,
    batch: Any = None,
) -> Subject:
    """The unsaved subject of a checked query, its fingerprint set: the one definition of a
    new subject (single, bulk and batch-review writers)."""
    subject = Subject(
        organisation=organisation,
        kind=query.schema or "Person",
        name=query.name,
        birth_date=query.birth_date or None,
        country=query.country,
        document=query.document or None,
        external_id=external_id[:120],
        purpose=purpose[:30],
        created_by=person_of(user),
        batch=batch,
    )
    subject.fingerprint = subject_fingerprint(subject)
    return subject


def create_subjects(
    user: Viewer, organisation: Organisation, specs: list[dict[str, str]], *, purpose: str = ""
) -> list[Subject]:
    """:func:`create_subject` for many subjects (a supplier import): the same rows and hits,
    written in bulk with one "screening.subject" event; a query repeated (an owner of several
    suppliers) is screened once. ``specs``: name, kind, birth_date, country, document,
    external_id. Raises ValidationError for a name that cannot be screened."""
    queries = [
        make_query(
            s["name"],
            s.get("kind", "Person"),
            s.get("birth_date", ""),
            s.get("country", ""),
            s.get("document", ""),
        )
        for s in specs
    ]
    subjects = [
        new_subject(organisation, query, user, spec.get("external_id", ""), purpose)
        for spec, query in zip(specs, queries, strict=True)
    ]
    with transaction.atomic():
        Subject.objects.bulk_create(subjects, batch_size=CHUNK)
        actor = acting(user, "subject", organisation.pk)
        announce(
            "screening.subject",
            [s.pk for s in subjects],
            actor,
            action="created",
            organisation_id=organisation.pk,
        )
        index = selectors.screening_index()
        memo: dict[tuple[Any, ...], list[engine.Result]] = {}
        found = []
        for subject in subjects:
            query = subject_query(subject)
            key = (query.name, query.schema, query.birth_date, query.country, query.document)
            if key not in memo:
                memo[key] = index.screen(query, limit=20)
            found.append((subject, memo[key]))
        _record(found, actor=actor)
    return subjects


def update_subject(
    user: Viewer, subject: Subject, results: list[engine.Result] | None = None, **changes: Any
) -> ScreenOutcome:
    for key in ("name", "kind", "birth_date", "country", "document", "external_id"):
        if key in changes:
            setattr(
                subject, key, changes[key] or ("" if key in ("country", "external_id") else None)
            )
    make_query(subject.name, subject.kind)
    subject.fingerprint = subject_fingerprint(subject)
    with transaction.atomic():
        subject.save()
        org = subject.organisation_id
        actor = acting(user, "subject", org)
        announce("screening.subject", [subject.pk], actor, action="changed", organisation_id=org)
        if results is None:
            results = screen(subject_query(subject), limit=20)
        return record_hits(subject, results, actor=actor)


def rescreen_for_version(version: ListVersion) -> ScreenOutcome:
    """Screen every saved subject against the entries ``version`` added or amended.

    The index over every list in force is used (built from the previous one: only the names
    the update brought are analysed), each subject's candidates are chosen over every
    listed name as in a search, and only the changed entries' names are compared: a hit
    raised here has the score a search for the subject gives the entry. Identical subjects
    are screened once; hits are written in bulk with one event per organisation (ADR 0530).
    """
    changed = set(
        ListEntry.objects.filter(
            changes__version=version, changes__kind__in=["added", "amended"], is_active=True
        ).values_list("pk", flat=True)
    )
    if not changed or not Subject.objects.exists():
        return ScreenOutcome()
    index = selectors.screening_index()
    among = frozenset(pos for pos, e in enumerate(index.entries) if e.id in changed)
    screened: dict[tuple[Any, ...], list[engine.Result]] = {}
    matched: dict[int, list[engine.Result]] = {}
    # Only the matching fields are read (a tenth of the time of 100,000 model instances);
    # the few subjects with results are read whole below.
    rows = Subject.objects.order_by().values_list(
        "pk", "name", "kind", "birth_date", "country", "document"
    )
    for pk, name, kind, birth_date, country, document in rows.iterator(chunk_size=2000):
        query = engine.Query(name, kind, birth_date or "", country, document or "")
        key = (query.name, query.schema, query.birth_date, query.country, query.document)
        results = screened.get(key)
        if results is None:
            results = screened[key] = index.screen(query, limit=20, among=among)
        if results:
            matched[pk] = results
    ids = sorted(matched)
    subjects: dict[int, Subject] = {}
    for i in range(0, len(ids), CHUNK):
        subjects.update(Subject.objects.in_bulk(ids[i : i + CHUNK]))
    return _record([(subjects[pk], matched[pk]) for pk in ids if pk in subjects], version)


def decide(user: Viewer, hit: Hit, status: str, reason: str) -> Decision:
    """A reviewer's decision: confirmed match or false positive, with a reason."""
    if status not in (Hit.Status.CONFIRMED, Hit.Status.FALSE_POSITIVE):
        raise ValidationError({"status": _("Choose confirmed or false_positive.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the decision.")})
    with transaction.atomic():
        hit.status = status
        hit.save(update_fields=["status", "updated_at"])
        decision = Decision.objects.create(
            hit=hit,
            organisation_id=hit.organisation_id,
            status=status,
            reason=reason[:2000],
            decided_by=person_of(user),
            subject_fingerprint=hit.subject_fingerprint,
            entry_fingerprint=hit.entry_fingerprint,
        )
        org = hit.organisation_id
        actor = acting(user, "review", org)
        announce("screening.decision", [decision.pk], actor, action="created", organisation_id=org)
        announce("screening.hit", [hit.pk], actor, action="changed", organisation_id=org)
        return decision


def match_entities(
    queries: dict[str, dict[str, Any]], threshold: float = engine.THRESHOLD, limit: int = 5
) -> dict[str, Any]:
    """yente-style /match: FollowTheMoney-shaped entities in, scored explained results out."""
    index = selectors.screening_index()
    responses: dict[str, Any] = {}
    for key, entity in queries.items():
        props = entity.get("properties") or {}
        schema = entity.get("schema") or None

        def first(prop: str, props: dict[str, Any] = props) -> str:
            return str((props.get(prop) or [""])[0])

        document = first("passportNumber") or first("idNumber") or first("registrationNumber")
        country = first("nationality") or first("country") or first("jurisdiction")
        best: dict[str, engine.Result] = {}
        try:
            for name in props.get("name", [])[:10]:
                q = make_query(name, schema, first("birthDate"), country, document)
                for r in index.screen(q, threshold=0.0, limit=limit * 2):
                    k = f"{r.entry.watchlist}:{r.entry.reference}"
                    if k not in best or r.score > best[k].score:
                        best[k] = r
        except ValidationError as exc:
            responses[key] = {"status": 400, "errors": exc.messages, "results": []}
            continue
        ranked = sorted(best.values(), key=lambda r: -r.score)[:limit]
        responses[key] = {
            "status": 200,
            "results": [
                {
                    "id": f"{r.entry.watchlist}-{r.entry.reference}",
                    "caption": r.entry.caption,
                    "schema": r.entry.schema,
                    "datasets": [r.entry.watchlist],
                    "score": round(r.score, 4),
                    "match": r.score >= threshold,
                    "features": r.explanation["features"],
                    "explanation": r.explanation,
                    "reference": r.entry.reference,
                }
                for r in ranked
            ],
            "total": {"value": len(ranked), "relation": "eq"},
            "query": entity,
        }
    return {
        "responses": responses,
        "matcher": {"name": "vigie-screening", "threshold": threshold},
        "limit": limit,
    }
