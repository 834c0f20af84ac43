"""Reads of the linkage app, with access checks: a link (or a person's record) is shown
only when the user may see every record it joins (``case.view`` in both organisations)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from vigie.core.actor import Actor
from vigie.core.errors import Forbidden, NotFound
from vigie.linkage import engine
from vigie.linkage.models import Candidate, Decision, Membership, Run

# What each comparison level means, strongest first (as vigie.linkage.engine orders them);
# the words say how values agreed, never the values.
LEVELS: dict[str, tuple[str, ...]] = {
    "given": (
        gettext_noop("same spelling"),
        gettext_noop("same consonants"),
        gettext_noop("in each other's boxes"),
        gettext_noop("close"),
        gettext_noop("among the other's names"),
        gettext_noop("different"),
    ),
    "family": (
        gettext_noop("same spelling"),
        gettext_noop("same consonants"),
        gettext_noop("in each other's boxes"),
        gettext_noop("close"),
        gettext_noop("among the other's names"),
        gettext_noop("different"),
    ),
    "middle": (gettext_noop("shared"), gettext_noop("different")),
    "birth": (
        gettext_noop("same date"),
        gettext_noop("day and month swapped"),
        gettext_noop("same year (a year only)"),
        gettext_noop("year within one of an age"),
        gettext_noop("same year, other day"),
        gettext_noop("different"),
    ),
    "place": (gettext_noop("same"), gettext_noop("close"), gettext_noop("different")),
    "phone": (gettext_noop("same"), gettext_noop("different")),
    "document": (
        gettext_noop("same"),
        gettext_noop("one character apart"),
        gettext_noop("different"),
    ),
    "sex": (gettext_noop("same"), gettext_noop("different")),
}


def level_words(levels: dict[str, int]) -> dict[str, str]:
    out = {}
    for name in engine.COMPARISONS:
        labels = LEVELS[name]
        gamma = levels.get(name, -1)
        out[name] = _("missing") if gamma < 0 else _(labels[max(0, len(labels) - 1 - gamma)])
    return out


def _visible_orgs(actor: Actor) -> frozenset[int] | None:
    return actor.organisations_with("case.view")


def visible_candidates(actor: Actor, kind: str = "victim") -> QuerySet[Candidate]:
    qs = Candidate.objects.filter(kind=kind)
    orgs = _visible_orgs(actor)
    if orgs is None:
        return qs
    return qs.filter(left_org_id__in=orgs, right_org_id__in=orgs)


def require_pair_visible(actor: Actor, c: Candidate, perm: str) -> None:
    orgs = _visible_orgs(actor)
    if orgs is not None and not (c.left_org_id in orgs and c.right_org_id in orgs):
        raise NotFound(_("No such link."), code="no_such_link")
    if not (actor.has_perm(perm, c.left_org_id) or actor.has_perm(perm, c.right_org_id)):
        raise Forbidden(_("You may not review links."), code="forbidden", detail={"perm": perm})


def get_candidate_for(actor: Actor, pk: int, perm: str = "linkage.review") -> Candidate:
    c = Candidate.objects.filter(pk=pk).first()
    if c is None:
        raise NotFound(_("No such link."), code="no_such_link")
    require_pair_visible(actor, c, perm)
    return c


def threshold(kind: str = "victim") -> float:
    r = Run.objects.filter(kind=kind).exclude(model={}).first()
    return r.threshold if r else 0.8


def review_queue(actor: Actor, kind: str = "victim", limit: int = 50) -> list[Candidate]:
    """Undecided pairs the model is least sure of first (around the threshold)."""
    decided = Decision.objects.filter(kind=kind)
    keys = set(decided.values_list("left_id", "right_id"))
    t = threshold(kind)
    qs = visible_candidates(actor, kind).filter(probability__gte=max(0.2, t - 0.4))
    out: list[Candidate] = []
    for c in sorted(qs.iterator(), key=lambda c: abs(c.probability - t)):
        if (c.left_id, c.right_id) not in keys:
            out.append(c)
            if len(out) >= limit:
                break
    return out


def _source_ids(case_ids: set[int]) -> dict[int, tuple[str, str, str]]:
    from vigie.cases.models import Case

    return {
        c.pk: (c.reference, c.source_record_id or "", c.organisation.code)
        for c in Case.objects.filter(pk__in=case_ids).select_related("organisation")
    }


def links(
    actor: Actor, kind: str = "victim", org_id: int | None = None, limit: int = 10_000
) -> list[dict[str, Any]]:
    """The links at the current threshold or confirmed by a reviewer, each naming the two
    cases by reference and by the source record id given at import."""
    t = threshold(kind)
    verdicts = {
        (a, b): v
        for a, b, v in Decision.objects.filter(kind=kind).values_list(
            "left_id", "right_id", "verdict"
        )
    }
    qs = visible_candidates(actor, kind).order_by("-probability", "pk")
    if org_id is not None:
        qs = qs.filter(Q(left_org_id=org_id) | Q(right_org_id=org_id))
    rows = [
        c
        for c in qs[: limit * 2]
        if verdicts.get((c.left_id, c.right_id)) != "non_match"
        and (c.probability >= t or verdicts.get((c.left_id, c.right_id)) == "match")
    ][:limit]
    person = dict(
        Membership.objects.filter(kind=kind, record_id__in={c.left_id for c in rows}).values_list(
            "record_id", "person__code"
        )
    )
    cases = _source_ids({c.left_case_id for c in rows} | {c.right_case_id for c in rows})
    out = []
    for c in rows:
        left, right = cases.get(c.left_case_id), cases.get(c.right_case_id)
        out.append(
            {
                "id": c.pk,
                "person": person.get(c.left_id),
                "probability": round(c.probability, 4),
                "decision": verdicts.get((c.left_id, c.right_id)),
                "left": _side(c.left_id, left),
                "right": _side(c.right_id, right),
                "levels": level_words(c.levels),
            }
        )
    return out


def _side(record_id: int, case: tuple[str, str, str] | None) -> dict[str, Any]:
    reference, source_id, org = case or ("", "", "")
    return {
        "record": record_id,
        "case": reference,
        "source_record_id": source_id,
        "organisation": org,
    }


def tradeoff(actor: Actor, kind: str = "victim") -> list[dict[str, float]]:
    """What each threshold would give, estimated by the model itself (expected precision:
    the mean probability of the pairs kept; expected recall: their share of the summed
    probability of all pairs), and by reviewers' decisions where there are enough."""
    probs = sorted(visible_candidates(actor, kind).values_list("probability", flat=True))
    total = sum(probs) or 1.0
    verdicts = {
        (a, b): v
        for a, b, v in Decision.objects.filter(kind=kind).values_list(
            "left_id", "right_id", "verdict"
        )
    }
    reviewed = [
        (c.probability, verdicts[(c.left_id, c.right_id)] == "match")
        for c in visible_candidates(actor, kind).filter(left_id__in={a for a, _b in verdicts})
        if (c.left_id, c.right_id) in verdicts
    ]
    out = []
    for t in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99):
        kept = [p for p in probs if p >= t]
        row: dict[str, Any] = {
            "threshold": t,
            "links": len(kept),
            "expected_precision": round(sum(kept) / len(kept), 3) if kept else 1.0,
            "expected_recall": round(sum(kept) / total, 3),
        }
        above = [m for p, m in reviewed if p >= t]
        if len(above) >= 5:
            row["reviewed_precision"] = round(sum(above) / len(above), 3)
        out.append(row)
    return out


def shared_persons(kind: str, record_ids: Iterable[int]) -> dict[int, str]:
    """Record id -> code of its person, for the records whose person has at least one other
    record (the network's person nodes, ADR 1003). Reads no identity: ids and codes."""
    ids = list(record_ids)
    if not ids:
        return {}
    rows = list(
        Membership.objects.filter(kind=kind, record_id__in=ids).values_list(
            "record_id", "person_id", "person__code"
        )
    )
    shared = set(
        Membership.objects.filter(kind=kind, person_id__in={p for _, p, _ in rows})
        .values("person_id")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .values_list("person_id", flat=True)
    )
    return {rid: code for rid, pid, code in rows if pid in shared}


def shared_case_ids() -> list[int]:
    """Cases holding a record whose person has at least one other record."""
    shared = (
        Membership.objects.values("person_id")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .values_list("person_id", flat=True)
    )
    return list(
        Membership.objects.filter(person_id__in=shared).values_list("case_id", flat=True).distinct()
    )
