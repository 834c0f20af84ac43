"""Build the analytic snapshot from the case records (vigie.cases), fully or case by case.

Counting rule (docs/data-standard.md, ``Incident``): a victim recorded individually counts once
(weight 1) unless it points to an incident; an incident counts as one row per non-zero
disaggregated count (sex x child/adult) with that count as weight, plus, when the source's
reported total exceeds the sum of the counts, one row "sex and age unknown" for the rest.
Nobody is counted twice.

Fields copied are codes, countries, years and sub-national area names; never a name, date of
birth, document, phone, address, description, reference or record id (``row_key`` and
``case_key`` are keyed hashes). Refresh after writes: signals note the changed cases in
``PendingRefresh``; the ``analytics.refresh`` job rebuilds those cases' rows in batches.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache
from typing import Any

import pyarrow as pa
from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from vigie.analytics import schema
from vigie.analytics.disclosure import record_key
from vigie.analytics.schema import UNKNOWN
from vigie.analytics.store import Store

BATCH = 500  # cases per database batch
MAX_LIST = 4  # forms / means kept per person (the DP sensitivity bound relies on it)


@lru_cache(maxsize=1)
def _salt() -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), b"vigie.analytics.snapshot", "sha256").digest()


def _key(text: str) -> str:
    return hmac.new(_salt(), text.encode(), hashlib.sha256).hexdigest()[:24]


def case_key(case_uuid: Any) -> str:
    return _key(f"case:{case_uuid}")


def _code(value: str | None) -> str:
    return value or UNKNOWN


def _year(case: Any) -> tuple[int, int]:
    for d in (case.identification_date, case.event_date_start, case.report_date):
        if isinstance(d, date):
            return d.year, d.month
    for y in (case.identification_year, case.event_year):
        if y:
            return int(y), 0
    return case.created_at.year, 0


def _minor(group: str, band: str) -> str:
    if group in ("child", "adult"):
        return group
    if band in ("0-8", "9-17"):
        return "child"
    if band and band != UNKNOWN:
        return "adult"
    return UNKNOWN


def _age_band(victim: Any) -> str:
    if victim.age_band_at_identification:
        return str(victim.age_band_at_identification)
    if victim.age_at_identification is not None:
        from vigie.cases.codelists import age_band_for

        return age_band_for(int(victim.age_at_identification)) or UNKNOWN
    return UNKNOWN


def _limit(values: Iterable[str]) -> list[str]:
    return sorted({v for v in values if v})[:MAX_LIST]


def _route(legs: list[Any], fallback_destination: str, citizenship: str) -> dict[str, Any]:
    legs = sorted(legs, key=lambda leg: leg.sequence)
    countries = [leg.country for leg in legs if leg.country]
    origin = next((leg.country for leg in legs if leg.role == "origin" and leg.country), "")
    if not origin and countries:
        origin = countries[0]
    dest = ""
    for leg in reversed(legs):
        if leg.role in ("destination", "exploitation") and leg.country:
            dest = leg.country
            break
    dest = dest or fallback_destination or (countries[-1] if countries else "")
    transit = [leg.country for leg in legs if leg.role == "transit" and leg.country]
    transit = [c for c in transit if c not in (origin, dest)]
    return {
        "origin": _code(origin or citizenship),
        "transit": transit,
        "destination": _code(dest),
    }


def _case_fields(case: Any) -> dict[str, Any]:
    year, month = _year(case)
    return {
        "case_key": case_key(case.uuid),
        "year": year,
        "month": month,
        "situation": _code(case.conflict_situation),
        "organisation": case.organisation.code,
        "source": _code(case.source_type),
    }


def rows_for_case(case: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The snapshot rows (victims, perpetrators) of one case (relations prefetched)."""
    base = _case_fields(case)
    salt = _salt()
    exploitations = list(case.exploitations.all())
    legs = list(case.route.all())
    case_legs = [leg for leg in legs if leg.victim_id is None]
    case_expl = [e for e in exploitations if e.victim_id is None and e.incident_id is None]
    victims: list[dict[str, Any]] = []
    case_forms: set[str] = set()
    for v in case.victims.all():
        mine = [e for e in exploitations if e.victim_id == v.pk] or case_expl
        forms = _limit(f for e in mine for f in e.forms)
        case_forms |= set(forms)
        if v.incident_id is not None:
            continue  # counted in its incident
        country = next((e.country for e in mine if e.country), "") or case.country
        area = next((e.area for e in mine if e.area), "") or (
            case.area if country == case.country else ""
        )
        band = _age_band(v)
        minor = _minor(v.age_group_at_identification, band)
        key = _key(f"victim:{v.uuid}")
        victims.append(
            {
                **base,
                "row_key": key,
                "kind": "victim",
                "weight": 1,
                "rkey": record_key(key, salt),
                "country": _code(country),
                "area": _code(area.strip()[:80]),
                "citizenship": _code(v.citizenship),
                "sex": _code(v.sex),
                "age_group": band,
                "minor": minor,
                "displacement": _code(v.displacement_status),
                "care_status": _code(v.care_status)
                if minor == "child"
                else (v.care_status or "not_applicable"),
                "forms": forms,
                "means": _limit(m for e in mine for m in e.means),
                **_route(
                    [leg for leg in legs if leg.victim_id == v.pk] or case_legs,
                    country,
                    v.citizenship,
                ),
            }
        )
    for inc in case.incidents.all():
        mine = [e for e in exploitations if e.incident_id == inc.pk]
        forms = _limit([*inc.forms, *(f for e in mine for f in e.forms)])
        case_forms |= set(forms)
        country = inc.country or next((e.country for e in mine if e.country), "") or case.country
        common = {
            **base,
            "kind": "incident",
            "country": _code(country),
            "area": _code((inc.area or "").strip()[:80]),
            "citizenship": UNKNOWN,
            "age_group": UNKNOWN,
            "displacement": UNKNOWN,
            "care_status": UNKNOWN,
            "forms": forms,
            "means": _limit([*inc.means, *(m for e in mine for m in e.means)]),
            **_route(case_legs, country, ""),
        }
        cells = [(f, getattr(inc, f)) for f in inc.COUNT_FIELDS]
        rest = max(0, (inc.total_reported or 0) - inc.counted)
        if rest:
            cells.append(("count_unknown_unknown_rest", rest))
        for field, n in cells:
            if not n:
                continue
            _, sex, age, *_ = field.split("_")
            key = _key(f"incident:{inc.uuid}:{field}")
            victims.append(
                {
                    **common,
                    "row_key": key,
                    "weight": int(n),
                    "rkey": record_key(key, salt),
                    "sex": sex,
                    "minor": age,
                }
            )
    perpetrators = []
    forms_of_case = sorted(case_forms)[:MAX_LIST]
    for p in case.perpetrators.all():
        key = _key(f"perpetrator:{p.uuid}")
        perpetrators.append(
            {
                **base,
                "row_key": key,
                "weight": 1,
                "rkey": record_key(key, salt),
                "country": _code(case.country),
                "perpetrator_type": _code(p.perpetrator_type),
                "group": _code(p.group_code),
                "role": _code(p.role),
                "sex": _code(p.sex),
                "nationality": _code(p.nationality),
                "forms": forms_of_case,
            }
        )
    return victims, perpetrators


def _cases(qs: QuerySet[Any] | None = None) -> QuerySet[Any]:
    from vigie.cases.models import Case

    qs = qs if qs is not None else Case.objects.all()
    return qs.select_related("organisation").prefetch_related(
        Prefetch("victims"),
        "incidents",
        "exploitations",
        "perpetrators",
        "route",
    )


def _batches(qs: QuerySet[Any]) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    for i in range(0, len(ids), BATCH):
        victims: list[dict[str, Any]] = []
        perps: list[dict[str, Any]] = []
        withheld_cases, withheld_victims = _withheld(ids[i : i + BATCH])
        for case in _cases(qs.model.objects.filter(pk__in=ids[i : i + BATCH])):
            v, p = rows_for_case(case)
            if case.pk in withheld_cases:
                v = []
            elif withheld_victims:
                drop = {
                    _key(f"victim:{x.uuid}") for x in case.victims.all() if x.pk in withheld_victims
                }
                v = [row for row in v if row["row_key"] not in drop]
            victims += v
            perps += p
        yield victims, perps


def _withheld(case_ids: list[int]) -> tuple[set[int], set[int]]:
    """Victims left out because their consent to use in statistics is refused or withdrawn
    (identification's consent per purpose, ADR 0702)."""
    from vigie.identification.selectors import statistics_withheld

    return statistics_withheld(case_ids)


def _now() -> str:
    return timezone.now().isoformat(timespec="seconds")


def rebuild(store: Store | None = None) -> dict[str, int]:
    """Rebuild the whole snapshot from the case records."""
    from vigie.cases.models import Case

    store = store or Store()
    victims: list[dict[str, Any]] = []
    perps: list[dict[str, Any]] = []
    for v, p in _batches(Case.objects.all()):
        victims += v
        perps += p
    store.replace_all(
        {
            "victims": pa.Table.from_pylist(victims, schema=schema.VICTIMS),
            "perpetrators": pa.Table.from_pylist(perps, schema=schema.PERPETRATORS),
        },
        _now(),
    )
    return {"victims": len(victims), "perpetrators": len(perps)}


def refresh_cases(case_uuids: Iterable[Any], store: Store | None = None) -> dict[str, int]:
    """Replace the rows of these cases (deleted cases lose their rows)."""
    from vigie.cases.models import Case

    store = store or Store()
    uuids = list(case_uuids)
    victims: list[dict[str, Any]] = []
    perps: list[dict[str, Any]] = []
    for v, p in _batches(Case.objects.filter(uuid__in=uuids)):
        victims += v
        perps += p
    keys = [case_key(u) for u in uuids]
    now = _now()
    store.upsert("victims", pa.Table.from_pylist(victims, schema=schema.VICTIMS), keys, now)
    store.upsert("perpetrators", pa.Table.from_pylist(perps, schema=schema.PERPETRATORS), keys, now)
    return {"cases": len(uuids), "victims": len(victims), "perpetrators": len(perps)}


def victim_dicts(store: Store | None = None) -> list[dict[str, Any]]:
    """Every victim row of the snapshot as dicts (for the microdata export)."""
    import duckdb

    store = store or Store()
    files = [str(p) for p in store.parts("victims")]
    if not files:
        return []
    con = duckdb.connect()
    table = con.sql("SELECT * FROM read_parquet(?)", params=[files]).to_arrow_table()
    con.close()
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows
