"""Statistics for a user: what the web pages, the API and the command line call.

Scope: a user with ``stats.view`` gets statistics over the records of every organisation whose
case records they may read (their own, and those shared with them with scope "case"), or of
every organisation for a system-scope role. Every table returned here has passed the
disclosure-control module (``disclosure.protect``) or the DP release (``privacy.release_dp``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from vigie.analytics import disclosure, privacy
from vigie.analytics.disclosure import Release
from vigie.analytics.engine import Engine, Query, QueryError, engine_for, parse_by, parse_filters
from vigie.analytics.persons import UNITS
from vigie.core import access
from vigie.core.actor import Actor, Viewer, as_actor, person_of

MODES = ("suppress", "dp")


def _is_system(user: Viewer) -> bool:
    """The system acting (``Actor.system``: the server's command line without ``--user``):
    every organisation, still disclosure-controlled."""
    return isinstance(user, Actor) and user.is_system


@dataclass
class Request:
    """A validated statistics request."""

    by: tuple[str, ...] = ()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    mode: str = "suppress"
    epsilon: float | None = None
    table: str = "victims"
    unit: str = "records"  # "persons": records linked as one person counted once

    def as_dict(self) -> dict[str, Any]:
        return {
            "by": list(self.by),
            "filters": {k: list(v) for k, v in self.filters.items()},
            "mode": self.mode,
            "epsilon": self.epsilon,
            "table": self.table,
            "unit": self.unit,
        }


def parse_request(
    by: str | Sequence[str] = (),
    filters: Mapping[str, str | Sequence[str]] | None = None,
    mode: str = "suppress",
    epsilon: str | float | None = None,
    table: str = "victims",
    unit: str = "records",
) -> Request:
    if table not in ("victims", "perpetrators"):
        raise QueryError(f"table {table!r}: use victims or perpetrators")
    if unit not in UNITS or (unit == "persons" and table != "victims"):
        raise QueryError(f"unit {unit!r}: use records, or persons for victims")
    if mode not in MODES:
        raise QueryError(f"mode {mode!r}: use suppress or dp")
    eps: float | None = None
    if mode == "dp":
        try:
            eps = float(epsilon) if epsilon not in (None, "") else 1.0  # type: ignore[arg-type]
        except ValueError:
            raise QueryError(f"epsilon {epsilon!r}: not a number") from None
        if not 0 < eps <= 10:
            raise QueryError(f"epsilon {eps:g}: must be in (0, 10]")
    return Request(parse_by(by, table), parse_filters(filters or {}), mode, eps, table, unit)


def scope(user: Viewer) -> frozenset[str] | None:
    """Organisation codes whose records enter ``user``'s statistics (None = all)."""
    from vigie.core.models import Organisation

    if _is_system(user):
        return None
    as_actor(user).require("stats.view")
    ids = access.organisations_with(user, "case.view")
    own = access.organisations_with(user, "stats.view")
    if ids is access.ALL or own is access.ALL:
        return None
    assert ids is not None and own is not None
    codes = Organisation.objects.filter(pk__in=set(ids) | set(own)).values_list("code", flat=True)
    return frozenset(codes)


def _release(
    user: Viewer,
    table: disclosure.Table,
    req: Request,
    label: str,
    engine: Engine | None = None,
    query: Query | None = None,
) -> Release:
    """The protected release of ``table``; with the ``engine`` and ``query`` that made it, a
    suppression-mode release also passes the differencing guard (privacy.differencing_guard).
    Every release says what it counts (records, or persons linked across records)."""
    release = _protected(user, table, req, label, engine, query)
    release.notes.append(unit_note(req.unit))
    return release


def unit_note(unit: str) -> str:
    if unit == "persons":
        return (
            "Counted: persons. Records that record linkage joined as one person (across "
            "organisations) count once, with their earliest record."
        )
    return "Counted: records. One person recorded several times counts several times."


def _protected(
    user: Viewer,
    table: disclosure.Table,
    req: Request,
    label: str,
    engine: Engine | None = None,
    query: Query | None = None,
) -> Release:
    if req.mode == "dp":
        system = _is_system(user)
        if not system:
            as_actor(user).require("stats.publish")
        org_id = None if system else access.home_organisation(user)
        assert req.epsilon is not None
        return privacy.release_dp(
            table,
            req.epsilon,
            user=person_of(user),
            organisation_id=org_id,
            label=label,
            query=req.as_dict(),
        )
    if engine is None or query is None:
        return disclosure.protect(table)
    return disclosure.protect(table, force=_guard(user, engine, query, table))


def _guard(
    user: Viewer,
    engine: Engine,
    query: Query,
    table: disclosure.Table,
    name: str = "",
    make: Callable[[Query], disclosure.Table] | None = None,
    context: privacy.Context | None = None,
) -> set[Any]:
    """The differencing guard's cells to suppress. A typology (``name`` empty) is compared
    by the records of its cells with every earlier table of the same rows; ``name`` and
    ``make`` for a route table (legs, transit, types: ``make(query)`` computes it for other
    filters), compared with earlier tables of the same name. ``context``: shared by the
    tables of one request (the ledger and the released cells are read once)."""
    system = _is_system(user)
    org_id = None if system else access.home_organisation(user)
    recorded = {
        "by": list(query.by),
        "filters": {k: list(v) for k, v in query.filters.items()},
        "mode": "suppress",
        "table": name or query.table,
        "unit": query.unit,
    }

    def true_table(filters: dict[str, tuple[str, ...]]) -> disclosure.Table:
        other = Query(query.by, filters, query.table, query.organisations, query.unit)
        return make(other) if make is not None else engine.typology(other)

    context = context or privacy.Context()
    source = None
    if not name:
        scope_key = (query.table, query.organisations, query.unit)
        source = context.sources.get(scope_key)
        if source is None:
            source = context.sources[scope_key] = privacy.Source(
                table=query.table,
                unit=query.unit,
                units=engine.units(query.table, query.organisations, query.unit),
            )
    return privacy.differencing_guard(
        None if system else person_of(user), org_id, recorded, table, true_table, source, context
    )


def _query(user: Viewer, req: Request, by: tuple[str, ...] | None = None) -> Query:
    return Query(req.by if by is None else by, req.filters, req.table, scope(user), req.unit)


def typology(user: Viewer, req: Request, engine: Engine | None = None) -> Release:
    engine = engine or engine_for()
    query = _query(user, req)
    table = engine.typology(query)
    return _release(user, table, req, f"typology by {','.join(req.by) or 'total'}", engine, query)


def trends(user: Viewer, req: Request, engine: Engine | None = None) -> Release:
    """Counts by year (then by the requested dimensions)."""
    engine = engine or engine_for()
    by = ("year", *[d for d in req.by if d != "year"])[: 1 + 2]
    query = _query(user, req, by)
    table = engine.typology(query)
    return _release(user, table, req, f"trends by {','.join(by)}", engine, query)


@dataclass
class Routes:
    flows: Release  # origin x destination
    route_types: Release  # domestic / subregional / regional / transregional
    legs: Release  # from x to, nodes "O:xx", "T:xx", "D:xx"
    transit: Release  # transit countries


class Guard(Protocol):
    """The differencing guard of one request (``request_guard``): the cells of ``table`` to
    suppress; ``name`` and ``make`` for a route table compared by its name (``_guard``)."""

    def __call__(
        self,
        query: Query,
        table: disclosure.Table,
        name: str = "",
        make: Callable[[Query], disclosure.Table] | None = None,
    ) -> set[Any]: ...


def request_guard(user: Viewer, engine: Engine) -> Guard:
    """The guard shared by the tables of one request: one ledger read and one set of
    released cells (``privacy.Context``), each table's published cells joining it."""
    context = privacy.Context()

    def guard(
        query: Query,
        table: disclosure.Table,
        name: str = "",
        make: Callable[[Query], disclosure.Table] | None = None,
    ) -> set[Any]:
        return _guard(user, engine, query, table, name, make, context)

    return guard


def route_releases(engine: Engine, query: Query, guard: Guard | None = None) -> Routes:
    """The four route tables of ``query``'s records, protected; with ``guard`` (suppression
    mode), each passes the differencing guard: the corridors (origin x destination) by the
    records of their cells, like a typology; route types, legs and transit against earlier
    tables of the same name. The statistics API's routes and the dashboard's route panel."""
    flows = engine.flows(query)
    flows_query = Query(("origin", "destination"), query.filters, "victims", query.organisations)
    tables: list[tuple[disclosure.Table, Query, str, Callable[[Query], disclosure.Table] | None]]
    tables = [
        (flows, flows_query, "", None),
        (
            engine.route_types(flows),
            query,
            "routes:types",
            lambda q: engine.route_types(engine.flows(q)),
        ),
        (engine.legs(query), query, "routes:legs", engine.legs),
        (engine.transit(query), query, "routes:transit", engine.transit),
    ]
    releases = [
        disclosure.protect(table, force=guard(q, table, name, make) if guard else set())
        for table, q, name, make in tables
    ]
    return Routes(*releases)


def routes(user: Viewer, req: Request, engine: Engine | None = None) -> Routes:
    engine = engine or engine_for()
    query = _query(user, req, ())
    if req.mode == "dp":  # four releases: split epsilon evenly (sequential composition)
        flows = engine.flows(query)
        types = engine.route_types(flows)
        legs = engine.legs(query)
        transit = engine.transit(query)
        assert req.epsilon is not None
        part = Request(req.by, req.filters, "dp", req.epsilon / 4, req.table, req.unit)
        return Routes(
            _release(user, flows, part, "routes: flows"),
            _release(user, types, part, "routes: types"),
            _release(user, legs, part, "routes: legs"),
            _release(user, transit, part, "routes: transit"),
        )
    out = route_releases(engine, query, request_guard(user, engine))
    for release in (out.flows, out.route_types, out.legs, out.transit):
        release.notes.append(unit_note(req.unit))
    return out


# The dashboard's panels: (key, table, dimensions)
PANELS: list[tuple[str, str, tuple[str, ...]]] = [
    ("country", "victims", ("country",)),
    ("origin", "victims", ("origin",)),
    ("sex_age", "victims", ("sex", "age_group")),
    ("citizenship", "victims", ("citizenship",)),
    ("displacement", "victims", ("displacement",)),
    ("care_status", "victims", ("minor", "care_status")),
    ("form", "victims", ("form",)),
    ("means", "victims", ("means",)),
    ("situation", "victims", ("situation",)),
    ("area", "victims", ("area",)),
    ("trend", "victims", ("year", "form")),
    ("perpetrator_type", "perpetrators", ("perpetrator_type",)),
    ("perpetrator_role", "perpetrators", ("role",)),
    ("perpetrator_group", "perpetrators", ("group",)),
]
PERPETRATOR_FILTERS = ("period", "situation", "country", "organisation", "source", "form")


def dashboard(
    user: Viewer, filters: Mapping[str, str | Sequence[str]], engine: Engine | None = None
) -> dict[str, Any]:
    """Every panel of the dashboard, the route panel too, protected (suppression mode,
    differencing guard)."""
    engine = engine or engine_for()
    return dashboard_panels(
        engine, parse_filters(filters), scope(user), request_guard(user, engine)
    )


def dashboard_panels(
    engine: Engine,
    filters: dict[str, tuple[str, ...]],
    orgs: frozenset[str] | None,
    guard: Guard | None = None,
) -> dict[str, Any]:
    """The dashboard's panels for ``filters``; with ``guard``, every panel (the route panel
    too) passes the differencing guard of one request."""
    panels: dict[str, Any] = {}
    if filters:  # one filtered scan shared by every panel
        perp = {k: v for k, v in filters.items() if k in PERPETRATOR_FILTERS}
        engine.prepare(Query((), filters, "victims", orgs))
        engine.prepare(Query((), perp, "perpetrators", orgs))
    for key, table, by in PANELS:
        f = filters
        if table == "perpetrators":
            f = {k: v for k, v in filters.items() if k in PERPETRATOR_FILTERS}
        query = Query(by, f, table, orgs)
        found = engine.typology(query)
        force = guard(query, found) if guard is not None else set()
        panels[key] = disclosure.protect(found, force=force)
    panels["routes"] = route_releases(engine, Query((), filters, "victims", orgs), guard)
    return panels


def snapshot_state(user: Viewer) -> dict[str, Any]:
    from vigie.analytics.models import PendingRefresh

    scope(user)  # permission check
    info = engine_for().snapshot_info()
    info["pending_cases"] = PendingRefresh.objects.count()
    info["budget_spent"] = privacy.budget_spent()
    info["budget_total"] = privacy.budget_total()
    return info


def start_rebuild(user: Viewer) -> Any:
    from vigie.analytics.tasks import KIND
    from vigie.core import jobs

    as_actor(user).require("stats.publish")
    return jobs.start(KIND, user=user, params={"full": True})


def visible_ledger(user: Viewer) -> Any:
    """Ledger entries of the organisations where ``user`` (or an actor) may read audit logs."""
    from vigie.analytics.models import PrivacyLedgerEntry

    qs = PrivacyLedgerEntry.objects.select_related("user", "organisation")
    actor = as_actor(user)
    orgs = actor.organisations_with("audit.view")
    if orgs is access.ALL:
        return qs
    from django.db.models import Q

    return qs.filter(Q(organisation_id__in=list(orgs or ())) | Q(organisation__isnull=True))


def microdata_rows(actor: Actor) -> list[dict[str, Any]]:
    """The snapshot's victim rows of the organisations whose statistics ``actor`` may see
    (``scope``), before k-anonymisation (``microdata.k_anonymise``)."""
    from vigie.analytics import snapshot

    allowed = scope(actor)
    rows = snapshot.victim_dicts()
    if allowed is None:
        return rows
    return [r for r in rows if r.get("organisation") in allowed]
