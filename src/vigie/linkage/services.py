"""Writes of the linkage app: runs (full and incremental), the threshold, reviewers'
decisions, and the persons they produce. Each takes the acting ``Actor`` first."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

import pyarrow as pa
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.core.actor import Actor
from vigie.core.errors import Invalid, NotFound
from vigie.core.events import announce
from vigie.linkage import clustering, engine, records
from vigie.linkage.models import Candidate, Decision, Kind, Membership, Pending, Person, Run

DEFAULT_THRESHOLD = 0.8
KINDS = (Kind.VICTIM.value, Kind.PERPETRATOR.value)


@dataclass
class RunResult:
    run: str
    kind: str
    mode: str
    records: int
    pairs: int
    persons: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise Invalid(_("Unknown kind of record to link."), code="unknown_kind")


def last_run(kind: str) -> Run | None:
    return Run.objects.filter(kind=kind).exclude(model={}).first()


def run(actor: Actor, kind: str = "victim", threshold: float | None = None) -> RunResult:
    """Link every record of ``kind`` across organisations: train m and u by EM on them,
    score the blocked pairs, keep the candidates and rebuild the persons (ADR 1000)."""
    actor.require("linkage.run", actor.organisation_id)
    _check_kind(kind)
    started = time.monotonic()
    refs, rows = records.collect(kind)
    previous = last_run(kind)
    threshold = (
        threshold
        if threshold is not None
        else (previous.threshold if previous else DEFAULT_THRESHOLD)
    )
    data = records.with_refs(engine.table(rows), refs)
    del rows  # the decrypted comparison columns go no further than this job
    features = data.select(engine.SCHEMA.names)
    model = engine.Model(params={}) if len(refs) < 2 else engine.train(features)
    pairs = engine.predict(features, model) if model.params else []
    del features
    with transaction.atomic():
        r = Run.objects.create(
            kind=kind,
            mode="full",
            threshold=threshold,
            model=model.params,
            records=len(refs),
            started_by=actor.user,
            organisation_id=actor.organisation_id,
        )
        Candidate.objects.filter(kind=kind).delete()
        _store_pairs(kind, r, refs, pairs)
        persons = _recluster(kind, threshold, refs)
        if kind == Kind.VICTIM:  # the full run linked every changed case too
            Pending.objects.all().delete()
        records.save_snapshot(kind, r, data)
        r.pairs, r.persons = len(pairs), persons
        r.seconds = round(time.monotonic() - started, 3)
        r.save(update_fields=["pairs", "persons", "seconds"])
        announce("linkage.run", [r.pk], actor, action="created")
    return RunResult(str(r.uuid), kind, "full", len(refs), len(pairs), persons, r.seconds)


def incremental(actor: Actor, case_ids: list[int], kind: str = "victim") -> RunResult | None:
    """Link the records of changed cases against the existing ones with the last trained
    model, without training or scoring the existing records among themselves again."""
    actor.require("linkage.run", actor.organisation_id)
    _check_kind(kind)
    model_run = last_run(kind)
    if model_run is None:
        return None  # nothing trained yet: the first full run links everything
    started = time.monotonic()
    new_refs, new_rows = records.collect(kind, case_ids)
    new_data = records.with_refs(engine.table(new_rows), new_refs)
    del new_rows
    # the comparison columns of the records already linked, kept encrypted by the last run
    # (ADR 1040); read from every record only when there is none for this model
    snapshot = records.load_snapshot(kind, model_run)
    rebuilt = snapshot is None
    if snapshot is None:
        all_refs, rows = records.collect(kind)
        snapshot = records.with_refs(engine.table(rows), all_refs)
        del rows
    existing = records.without(snapshot, records.existing_ids(kind), set(case_ids))
    # records of the changed cases, and records deleted since: their candidates go
    changed = {int(k) for k in new_refs} | (
        set(snapshot.column("record_id").to_pylist())
        - set(existing.column("record_id").to_pylist())
    )
    del snapshot
    pairs: list[engine.Pair] = []
    if new_data.num_rows:
        model = engine.Model(params=model_run.model)
        pairs = engine.predict_new(
            existing.select(engine.SCHEMA.names), new_data.select(engine.SCHEMA.names), model
        )
    refs = records.refs_of(existing) | new_refs
    updated = pa.concat_tables([existing, new_data])
    del existing, new_data
    with transaction.atomic():
        r = Run.objects.create(
            kind=kind,
            mode="incremental",
            threshold=model_run.threshold,
            records=len(new_refs),
            started_by=actor.user,
            organisation_id=actor.organisation_id,
        )
        stale = Candidate.objects.filter(kind=kind)
        Candidate.objects.filter(pk__in=stale.filter(left_id__in=changed).values("pk")).delete()
        Candidate.objects.filter(pk__in=stale.filter(right_id__in=changed).values("pk")).delete()
        _store_pairs(kind, r, refs, pairs)
        persons = _recluster_around(kind, model_run.threshold, changed, refs)
        Pending.objects.filter(case_id__in=case_ids).delete()
        if changed or rebuilt:  # else it is the same (a case without records of this kind)
            records.save_snapshot(kind, model_run, updated)
        r.pairs, r.persons = len(pairs), persons
        r.seconds = round(time.monotonic() - started, 3)
        r.save(update_fields=["pairs", "persons", "seconds"])
        announce("linkage.run", [r.pk], actor, action="created")
    return RunResult(
        str(r.uuid), kind, "incremental", len(new_refs), len(pairs), persons, r.seconds
    )


def _store_pairs(kind: str, r: Run, refs: dict[str, records.Ref], pairs: list[engine.Pair]) -> None:
    out = []
    for a, b, p, levels in pairs:
        left, right = sorted((refs[a], refs[b]), key=lambda x: x.record_id)
        out.append(
            Candidate(
                kind=kind,
                left_id=left.record_id,
                right_id=right.record_id,
                left_case_id=left.case_id,
                right_case_id=right.case_id,
                left_org_id=left.organisation_id,
                right_org_id=right.organisation_id,
                probability=p,
                levels=levels,
                run=r,
            )
        )
    Candidate.objects.bulk_create(out, batch_size=2000, ignore_conflicts=True)


def _recluster(kind: str, threshold: float, refs: dict[str, records.Ref] | None = None) -> int:
    """Rebuild the persons of ``kind`` from the candidates at ``threshold`` and the
    decisions; a person keeps its code when most of its records stay together."""
    members = {m.record_id: m for m in Membership.objects.filter(kind=kind)}
    if refs is None:
        nodes = {rid: records.Ref(rid, m.case_id, m.organisation_id) for rid, m in members.items()}
    else:
        nodes = {ref.record_id: ref for ref in refs.values()}
    edges = [
        (a, b, p)
        for a, b, p in Candidate.objects.filter(kind=kind, probability__gte=threshold)
        .values_list("left_id", "right_id", "probability")
        .iterator()
    ]
    must: list[tuple[int, int]] = []
    cannot: list[tuple[int, int]] = []
    for a, b, verdict in Decision.objects.filter(kind=kind).values_list(
        "left_id", "right_id", "verdict"
    ):
        (must if verdict == Decision.Verdict.MATCH else cannot).append((a, b))
    groups = clustering.cluster(nodes, edges, must, cannot)
    previous = {rid: m.person_id for rid, m in members.items()}
    kept, rows = _persons(kind, groups, previous, nodes)
    Membership.objects.filter(kind=kind).delete()
    Membership.objects.bulk_create(rows, batch_size=2000)
    Person.objects.filter(kind=kind, retired_at__isnull=True).exclude(pk__in=kept).update(
        retired_at=timezone.now()
    )
    Person.objects.filter(pk__in=kept, retired_at__isnull=False).update(retired_at=None)
    return len(kept)


def _persons(
    kind: str, groups: list[set[int]], previous: dict[int, int], nodes: dict[int, records.Ref]
) -> tuple[set[int], list[Membership]]:
    """The person of each group (its previous code, or a new person) and the memberships."""
    assigned = clustering.stable_codes(groups, previous)
    # new persons in bulk: one INSERT per person took minutes at a million records
    fresh = iter(
        Person.objects.bulk_create(
            [Person(kind=kind) for _, pid in assigned if pid is None], batch_size=2000
        )
    )
    kept: set[int] = set()
    rows = []
    for group, person_id in assigned:
        if person_id is None:
            person_id = next(fresh).pk
        kept.add(person_id)
        for rid in group:
            ref = nodes[rid]
            rows.append(
                Membership(
                    person_id=person_id,
                    kind=kind,
                    record_id=rid,
                    case_id=ref.case_id,
                    organisation_id=ref.organisation_id,
                )
            )
    return kept, rows


def _chunks(ids: set[int], size: int = 5000) -> list[list[int]]:
    ordered = sorted(ids)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def _recluster_around(
    kind: str, threshold: float, seeds: set[int], refs: dict[str, records.Ref]
) -> int:
    """Rebuild only the persons an increment can change (ADR 1040): those of the changed
    or deleted records ``seeds``, and every record joined to them by a candidate at
    ``threshold`` or a reviewer's decision, transitively. Clustering never joins two
    records without such a path, so the other persons would come out as they are; a
    full rebuild rewrote every membership (a million rows) for a thousand new records."""
    area: set[int] = set()
    frontier = set(seeds)
    persons: set[int] = set()
    while frontier:
        area |= frontier
        found: set[int] = set()
        for chunk in _chunks(frontier):
            people = Membership.objects.filter(kind=kind, record_id__in=chunk)
            persons |= set(people.values_list("person_id", flat=True))
            found |= set(
                Membership.objects.filter(
                    kind=kind, person_id__in=people.values("person_id")
                ).values_list("record_id", flat=True)
            )
            strong = Candidate.objects.filter(kind=kind, probability__gte=threshold)
            for qs in (
                strong.filter(left_id__in=chunk),
                strong.filter(right_id__in=chunk),
                Decision.objects.filter(kind=kind, left_id__in=chunk),
                Decision.objects.filter(kind=kind, right_id__in=chunk),
            ):
                for a, b in qs.values_list("left_id", "right_id"):
                    found.update((a, b))
        frontier = found - area
    nodes = {rid: ref for ref in refs.values() if (rid := ref.record_id) in area}
    edges: list[tuple[int, int, float]] = []
    must: list[tuple[int, int]] = []
    cannot: list[tuple[int, int]] = []
    previous: dict[int, int] = {}
    for chunk in _chunks(area):
        edges += list(
            Candidate.objects.filter(
                kind=kind, probability__gte=threshold, left_id__in=chunk
            ).values_list("left_id", "right_id", "probability")
        )
        for a, b, verdict in Decision.objects.filter(kind=kind, left_id__in=chunk).values_list(
            "left_id", "right_id", "verdict"
        ):
            (must if verdict == Decision.Verdict.MATCH else cannot).append((a, b))
        previous.update(
            Membership.objects.filter(kind=kind, record_id__in=chunk).values_list(
                "record_id", "person_id"
            )
        )
    groups = clustering.cluster(nodes, edges, must, cannot)
    kept, rows = _persons(kind, groups, previous, nodes)
    for chunk in _chunks(area):
        Membership.objects.filter(kind=kind, record_id__in=chunk).delete()
    Membership.objects.bulk_create(rows, batch_size=2000)
    Person.objects.filter(pk__in=persons - kept).update(retired_at=timezone.now())
    Person.objects.filter(pk__in=kept, retired_at__isnull=False).update(retired_at=None)
    return Person.objects.filter(kind=kind, retired_at__isnull=True).count()


def set_threshold(actor: Actor, threshold: float, kind: str = "victim") -> int:
    """Move the threshold of the last model and rebuild the persons (no new scoring)."""
    actor.require("linkage.run", actor.organisation_id)
    _check_kind(kind)
    if not 0 < threshold < 1:
        raise Invalid(_("The threshold is a probability between 0 and 1."), code="bad_threshold")
    r = last_run(kind)
    if r is None:
        raise NotFound(_("No linkage has been run yet."), code="no_run")
    with transaction.atomic():
        Run.objects.filter(pk=r.pk).update(threshold=threshold)
        persons = _recluster(kind, threshold)
        announce("linkage.run", [r.pk], actor, action="changed")
    return persons


def decide(actor: Actor, candidate: Candidate, verdict: str, reason: str) -> Decision:
    """A reviewer's decision on a pair, kept for every later run; the persons follow."""
    from vigie.linkage import selectors

    selectors.require_pair_visible(actor, candidate, "linkage.review")
    if verdict not in Decision.Verdict.values:
        raise Invalid(_("Say whether the two records are the same person."), code="bad_verdict")
    if not reason.strip():
        raise Invalid(_("Give a reason (without names)."), code="reason_required")
    with transaction.atomic():
        decision, _created = Decision.objects.update_or_create(
            kind=candidate.kind,
            left_id=candidate.left_id,
            right_id=candidate.right_id,
            defaults={"verdict": verdict, "reason": reason.strip()[:500], "reviewer": actor.user},
        )
        r = last_run(candidate.kind)
        _recluster(candidate.kind, r.threshold if r else DEFAULT_THRESHOLD)
        announce("linkage.decision", [decision.pk], actor, action="changed")
    return decision


def note_changed_cases(case_ids: list[int]) -> None:
    """Remember cases to link on the next incremental job (called after their commit)."""
    Pending.objects.bulk_create(
        [Pending(case_id=c) for c in case_ids], ignore_conflicts=True, batch_size=2000
    )
