"""Reads of case records, with the permission checks (vigie.core.access) and the audit of
every read of identifying data (vigie.core.audit.record_access)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from vigie.cases import records
from vigie.cases.models import Case
from vigie.cases.search import terms
from vigie.core import access, audit, errors
from vigie.core.actor import Viewer


@dataclass
class CaseFilters:
    """The case list's filters (web page, API and export share them)."""

    situation: str = ""
    country: str = ""
    form: str = ""
    sex: str = ""
    age_group: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    organisation: str = ""
    verification: str = ""
    source_type: str = ""
    group: str = ""
    q: str = ""

    @classmethod
    def from_params(cls, params: Any) -> CaseFilters:
        """From a QueryDict or dict; bad dates are ignored (the form shows the error)."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = (params.get(f.name) or "").strip()
            if f.name.startswith("date_"):
                try:
                    values[f.name] = dt.date.fromisoformat(raw) if raw else None
                except ValueError:
                    values[f.name] = None
            else:
                values[f.name] = raw
        return cls(**values)

    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


def visible_cases(user: Viewer, perm: str = "case.view") -> QuerySet[Case]:
    """The cases ``user`` may ``perm`` (the same rows as ``access.filter_visible``).

    With several organisations the test is written ``organisation_id + 0 IN (...)``: SQLite
    would otherwise read every visible case through the organisation index and sort them all
    to show one page; this way it walks the list-order index and stops after the page
    (ADR 311). One organisation stays an indexed equality (``case_list_organisation``).
    """
    qs = Case.objects.select_related("organisation")
    orgs = access.organisations_with(user, perm)
    if orgs is access.ALL:
        return qs
    if len(orgs) == 1:
        return qs.filter(organisation_id=next(iter(orgs)))
    return qs.alias(visible_org=F("organisation_id") + 0).filter(visible_org__in=sorted(orgs))


def filter_cases(qs: QuerySet[Case], f: CaseFilters) -> QuerySet[Case]:
    """``qs`` with only the cases that pass every filter of ``f``.

    Codes (country, form, sex, age group, armed group) and search words are matched in the
    term index (vigie.cases.search.terms, docs/adr/0313): the rarest of them drives the query when
    it is rare enough, so a filter that matches few cases (or none) does not read them all.
    Search matches word prefixes of the non-identifying text ("sinj" finds "Sinjar").
    """
    if f.situation:
        qs = qs.filter(conflict_situation=f.situation)
    if f.verification:
        qs = qs.filter(verification_status=f.verification)
    if f.source_type:
        qs = qs.filter(source_type=f.source_type)
    if f.organisation:
        qs = qs.filter(organisation__code=f.organisation)
    if f.date_from:
        qs = qs.filter(
            Q(event_date_end__gte=f.date_from)
            | Q(event_date_end__isnull=True, event_date_start__gte=f.date_from)
            | Q(event_date_start__isnull=True, identification_date__gte=f.date_from)
        )
    if f.date_to:
        qs = qs.filter(
            Q(event_date_start__lte=f.date_to)
            | Q(event_date_start__isnull=True, identification_date__lte=f.date_to)
        )
    codes = [
        ("country", f.country.upper()),
        ("form", f.form),
        ("sex", f.sex),
        ("age", f.age_group),
        ("group", f.group),
    ]
    columns = {"conflict_situation": f.situation, "verification_status": f.verification}
    return terms.restrict(
        qs, terms.matches_for(codes, f.q), {k: v for k, v in columns.items() if v}
    )


def get_case_for(user: Viewer, case_uuid: Any, perm: str = "case.view") -> Case:
    """The case if ``user`` may ``perm`` it, else 404 (never reveal that it exists)."""
    try:
        case = Case.objects.select_related("organisation").get(uuid=case_uuid)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not access.can(user, perm, case):
        raise Http404
    return case


def may_see_identity(user: Viewer, case: Case) -> bool:
    return access.can(user, "victim.identity.view", case)


def with_children(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.prefetch_related(*records.CHILDREN)


def case_record_for(user: Viewer, case: Case, *, identity: bool = False) -> dict[str, Any]:
    """The nested record of ``case``; with identities only if asked for and permitted, and
    then the read is written to the access log."""
    show = identity and may_see_identity(user, case)
    case = with_children(Case.objects.filter(pk=case.pk)).select_related("organisation").get()
    data = records.serialize(case, with_identity=show)
    withheld: tuple[str, ...] = ()
    if show and contact_withheld(user, case):
        withheld = CONTACT_FIELDS
        for victim in data["victims"]:
            for name in withheld:
                victim.pop(name, None)
            victim["contact_withheld"] = True
    if show:
        record_identity_read(user, case, "view", withheld=withheld)
    return data


# How to reach the person: withheld from readers who do not work on the case (investigators)
# when the person refused or withdrew consent to be contacted by investigators (S/2017/939
# para 74: assistance does not depend on cooperating with prosecutors; docs/adr/0702).
CONTACT_FIELDS = ("phone", "address")


def contact_withheld(user: Viewer, case: Case) -> bool:
    if access.can(user, "case.change", case):
        return False
    from vigie.identification.services import consent_in_force

    decision = consent_in_force(case, "investigators")
    return decision in ("refused", "withdrawn")


def record_identity_read(
    user: Viewer, case: Case, action: str, detail: Any = None, withheld: tuple[str, ...] = ()
) -> None:
    """One access-log entry for the identities of ``case`` that were shown or exported."""
    from vigie.cases.models import Victim

    shown = [n for n in records.identity_fields(Victim) if n not in withheld]
    victims = [v for v in case.victims.all() if any(getattr(v, n) for n in shown)]
    named = [p for p in case.perpetrators.all() if p.name]
    fields = [f"Victim.{n}" for n in shown] if victims else []
    fields += ["Perpetrator.name"] if named else []
    fields += ["Case.source_identity"] if case.source_identity else []
    audit.record_access(
        user,
        action,
        "cases.Case",
        str(case.uuid),
        fields=fields,
        organisation_code=case.organisation.code,
        detail={
            "victims": [str(v.uuid) for v in victims],
            "perpetrators": [str(p.uuid) for p in named],
            **(detail or {}),
        },
    )


# --- list pages ------------------------------------------------------------------------------

LIST_PAGE_SIZE = 50
LIST_MAX_PAGE_SIZE = 200
# A list counts its matches up to this many, then says "more than": counting every match of a
# filter over a million cases would read them all on every page (docs/adr/0311).
LIST_COUNT_CAP = 10_000
# Columns a list row never shows (large texts); not read for list pages.
LIST_DEFERRED = ("summary", "source_attributes", "source_identity", "codes_index", "search_text")


def _keys(qs: QuerySet[Any]) -> tuple[str, str]:
    """The list order's fields: the case's, or the copy in the term that drives the query
    (the same values; vigie.cases.search.terms.restrict)."""
    if "list_at" in qs.query.annotations:
        return "list_at", "list_id"
    return "created_at", "id"


def for_list(qs: QuerySet[Case]) -> QuerySet[Case]:
    """The columns a list row shows, in the list's order (newest first)."""
    at, pk = _keys(qs)
    return qs.defer(*LIST_DEFERRED).order_by(f"-{at}", f"-{pk}")


def count_capped(qs: QuerySet[Any], cap: int) -> tuple[int, bool]:
    """``(n, exact)``: the number of rows, or ``(cap, False)`` when there are more.

    One query that stops after ``cap + 1`` matches (``SELECT COUNT(*) FROM (SELECT id ...
    LIMIT cap + 1)``), on SQLite and PostgreSQL alike.
    """
    # driven by a term (terms.restrict): its index order is the one that stops early
    driven = "list_at" in qs.query.annotations
    qs = qs.order_by("-list_at", "-list_id") if driven else qs.order_by()
    n = qs.values("pk")[: cap + 1].count()
    return (cap, False) if n > cap else (n, True)


# A list driven by a term (terms.restrict) reads the ids of its first matches with its count;
# when they are all there are, the page is read by id instead of walking the range again.
LIST_KEEP_IDS = 1_000


class CappedPaginator(Paginator):
    """A ``Paginator`` whose ``count`` stops at ``cap`` (``count_is_exact`` says whether it
    did): pages 1 to ``cap / per_page`` are numbered; beyond, lists continue with a cursor
    (:func:`after_cursor`).

    For a list driven by a term, counting reads the ids of up to ``LIST_KEEP_IDS`` + 1
    matches in list order: when that is all of them, the count is their number and a page
    is read by id (a rare filter's range is walked once, not twice); else the capped count
    follows as usual."""

    def __init__(self, object_list: Any, per_page: int, cap: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap or LIST_COUNT_CAP
        self.count_is_exact = True
        self._ids: list[Any] | None = None

    @cached_property
    def count(self) -> int:
        qs: Any = self.object_list
        if "list_at" in qs.query.annotations:
            keep = min(LIST_KEEP_IDS, self.cap)
            ids = list(qs.values_list("pk", flat=True)[: keep + 1])
            if len(ids) <= keep:
                self._ids = ids
                return len(ids)
            if keep == self.cap:  # that read was the capped count
                self.count_is_exact = False
                return self.cap
        n, self.count_is_exact = count_capped(qs, self.cap)
        return n

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        if self._ids is None:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        chunk = self._ids[bottom : bottom + self.per_page]
        src: Any = self.object_list
        qs = src.model._default_manager.filter(pk__in=chunk).order_by("-created_at", "-id")
        qs.query.select_related = src.query.select_related
        qs.query.deferred_loading = src.query.deferred_loading
        qs._prefetch_related_lookups = src._prefetch_related_lookups
        return Page(list(qs), number, self)


def case_page(qs: QuerySet[Case], params: Any, per_page: int = LIST_PAGE_SIZE) -> Page:
    """The requested page (``?page=N``, invalid or out of range -> nearest page) of a case
    list: two queries whatever the page (a capped count and the page's rows)."""
    return CappedPaginator(for_list(qs), per_page).get_page(params.get("page"))


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def cursor_for(case: Case) -> str:
    """A position just after ``case`` in the list order, for ``?after=`` (URL-safe:
    ``<created_at in microseconds since 1970>_<id>``)."""
    return f"{(case.created_at - _EPOCH) // _MICROSECOND}_{case.pk}"


def after_cursor(qs: QuerySet[Case], cursor: str) -> QuerySet[Case]:
    """The cases after ``cursor`` in the list order (keyset: no OFFSET, any depth).

    A cursor that cannot be read (not two integers, or out of the range of a date or a
    row id) raises ``errors.Invalid`` (a 400, not an overflow deep in the ORM).
    """
    stamp, sep, pk = cursor.partition("_")
    try:
        if not sep:
            raise ValueError(cursor)
        when = _EPOCH + int(stamp) * _MICROSECOND
        last = int(pk)
        if not 0 <= last < 2**63:
            raise ValueError(cursor)
    except (ValueError, OverflowError):
        raise errors.Invalid(
            _("after: not a position of this list"), detail={"parameter": "after"}
        ) from None
    # "created_at <= t" first: the index range starts at the cursor (an OR alone would make
    # the database walk the list from the top)
    at, pk = _keys(qs)
    return qs.filter(Q(**{f"{at}__lte": when}), Q(**{f"{at}__lt": when}) | Q(**{f"{pk}__lt": last}))
