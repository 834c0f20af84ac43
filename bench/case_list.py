"""Case list speed with a million records: the web page (/cases/) and the API list
(/api/cases/), filtered, through Django's test ``Client`` in this process (full middleware,
session authentication, permission checks, template or serializer; no network), against a
bare sqlite3 run of the same page query (the SQL Django sends for the page's rows, run on the
same file with the sqlite3 module).

Data: ``--data DIR`` reuses a data directory holding imported cases (e.g. the one
``bench/import.py --records 1000000 --keep`` leaves); without it, ``--records N`` cases are
generated (``vigie generate --layout vigie --identities``) and loaded (``vigie import``) first,
and both times are reported. The cases are then spread over four organisations
(``organisation_id`` by ``id % 4``, one UPDATE) and the user is a case manager in all four.

Prints one JSON line: p50/p95 (ms) per scenario for web and API, queries per request, and the
bare query's p50/p95. ``python bench/case_list.py --data DIR [--repeat 15]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from cases_common import VIGIE, setup
from cases_common import env as data_env

SCENARIOS: list[tuple[str, str]] = [
    ("all, page 1", ""),
    ("situation", "situation=iraq"),
    ("country", "country=NG"),
    ("form", "form=sexual_slavery"),
    ("sex + age group", "sex=female&age_group=child"),
    ("dates", "date_from=2016-01-01&date_to=2017-12-31"),
    ("organisation", "organisation=bench-b"),
    ("verification", "verification=verified"),
    ("search (non-identifying text)", "q=sinjar"),
    ("situation + sex + verification", "situation=libya&sex=male&verification=verified"),
    ("deepest numbered page (200)", "page=200"),
    ("filtered, page 100", "situation=iraq&page=100"),
    ("no match (reads every case)", "country=UA"),
    # rare values, planted in RARE cases spread over the whole list (_plant_rare)
    ("rare country (8 cases)", "country=AF"),
    ("rare form (8 cases)", "form=organ_removal"),
    ("rare word (8 cases)", "q=zaranj"),
    ("rare word prefix (8 cases)", "q=zara"),
    ("search, no match", "q=qwertyuiop"),
    ("common word + rare country", "q=synthetic&country=AF"),
    ("common word + common filter", "q=sicily&sex=female"),
    ("each common, together none", "country=SO&group=lra"),
    ("each common, together few (8 cases)", "country=CO&group=isil"),
    ("three common, together none", "sex=female&form=slavery_practices&q=penang"),
    ("three filters + search", "situation=libya&sex=male&age_group=adult&q=smuggling"),
    ("rare country, API page 2 of 5 a page", "country=AF&page_size=5&page=2"),
]
RARE = 8  # cases given a rare country, form and word, and a rare pair of common codes


def _load(data: Path, n: int) -> dict[str, float]:
    setup(data)
    env = data_env(data)
    path = data / "cases.csv"
    t0 = time.perf_counter()
    gen = [VIGIE, "generate", "--records", str(n), "--layout", "vigie", "--identities"]
    subprocess.run([*gen, "-o", str(path)], env=env, check=True, capture_output=True)
    t1 = time.perf_counter()
    imp = [VIGIE, "import", str(path), "--layout", "vigie", "--org", "bench", "--json"]
    subprocess.run(imp, env=env, check=True, capture_output=True)
    t2 = time.perf_counter()
    path.unlink()
    return {"generate_s": round(t1 - t0, 1), "import_s": round(t2 - t1, 1)}


def _plant_rare(connection: Any, n: int) -> float:
    """Give RARE cases spread over the list a rare country (AF), form (organ_removal) and word
    (zaranj), and a common country and group that no other case has together (CO, isil), in
    their filter index and text, and refresh their filter terms; once per data."""
    from vigie.cases.models import Case

    t0 = time.perf_counter()
    ids = [max(1, n * k // (RARE + 1)) for k in range(1, RARE + 1)]
    with connection.cursor() as cursor:
        for pk in ids:
            cursor.execute("SELECT codes_index FROM cases_case WHERE id = %s", [pk])
            (codes,) = cursor.fetchone()
            add = "" if " country:AF " in codes else "country:AF form:organ_removal "
            add += "" if " group:isil " in codes else "country:CO group:isil "
            if add:
                word = "" if " country:AF " in codes else " zaranj"
                cursor.execute(
                    "UPDATE cases_case SET codes_index = codes_index || %s,"
                    " search_text = search_text || %s WHERE id = %s",
                    [add, word, pk],
                )
    try:
        from vigie.cases.search import terms
    except ImportError:  # a branch without the term index (the "before" figures)
        return time.perf_counter() - t0
    for case in Case.objects.filter(pk__in=ids):
        terms.refresh(case)
    return time.perf_counter() - t0


def _pcts(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered) * 1000, 1), "p95": round(p95 * 1000, 1)}


def _adapt(connection: Any, value: Any) -> Any:
    """A query parameter as Django's SQLite backend sends it."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _timed(row: dict[str, Any], side: str) -> bool:
    return isinstance(row.get(side), dict)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--only", default="", help="Run the scenarios whose name has one of these (a,b,...)."
    )
    parser.add_argument(
        "--count-cap", type=int, help="Count matches up to this (default: the list's cap)."
    )
    args = parser.parse_args()
    loading: dict[str, float] = {}
    data = args.data
    if data is None:
        data = Path(tempfile.mkdtemp(prefix="vigie-bench-list-"))
        loading = _load(data, args.records)
    os.environ["VIGIE_DATA_DIR"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.dev")
    import django

    django.setup()
    from django.core.exceptions import EmptyResultSet
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from rest_framework.test import APIClient

    from vigie.cases import selectors
    from vigie.cases.models import Case
    from vigie.core.models import Membership, Organisation, User

    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)  # this branch's list indexes
    migrate_s = time.perf_counter() - t0
    orgs = [Organisation.objects.get(code="bench")]
    for code in ("bench-b", "bench-c", "bench-d"):
        orgs.append(Organisation.objects.get_or_create(code=code, defaults={"name": code})[0])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case WHERE organisation_id = %s", [orgs[1].pk])
        if cursor.fetchone()[0] == 0:
            whens = " ".join(f"WHEN {i} THEN {o.pk}" for i, o in enumerate(orgs))
            cursor.execute(f"UPDATE cases_case SET organisation_id = CASE id % 4 {whens} END")  # noqa: S608
    n = Case.objects.count()
    planted_s = _plant_rare(connection, n)
    user, _ = User.objects.get_or_create(username="bench-list")
    for org in orgs:
        Membership.objects.get_or_create(user=user, organisation=org, role="case_manager")
    web, api = Client(HTTP_HOST="localhost"), APIClient(HTTP_HOST="localhost")
    web.force_login(user)
    api.force_authenticate(user)

    deep = selectors.for_list(Case.objects.all())[500_000:500_001].first()
    if args.count_cap:
        selectors.LIST_COUNT_CAP = args.count_cap
    scenarios = list(SCENARIOS)
    if deep is not None:
        scenarios.append(("API cursor 500,000 deep", f"after={selectors.cursor_for(deep)}"))
        scenarios.append(
            (
                "API cursor 500,000 deep, country=NG",
                f"country=NG&after={selectors.cursor_for(deep)}",
            )
        )

    bare = sqlite3.connect(data / "vigie.sqlite3")
    results: dict[str, Any] = {}
    wanted = args.only.split(",")
    for name, query in [s for s in scenarios if any(w in s[0] for w in wanted)]:
        row: dict[str, Any] = {"query": query}
        for label, client, url in (
            ("web", web, f"/cases/?{query}"),
            ("api", api, f"/api/cases/?{query}"),
        ):
            if label == "web" and "after=" in query:
                continue
            executed: list[str] = []

            def count(execute: Any, sql: str, *rest: Any, executed: list[str] = executed) -> Any:
                executed.append(sql)
                return execute(sql, *rest)

            with connection.execute_wrapper(count):
                response = client.get(url)
            if response.status_code == 404 and "page=" in query and n < 1_000_000:
                row[label] = "page out of range for this data"
                continue
            assert response.status_code == 200, (url, response.status_code)
            samples, cpu = [], []
            for _ in range(args.repeat):
                t, c = time.perf_counter(), time.process_time()
                client.get(url)
                samples.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
            row[label] = _pcts(samples) | {
                "cpu_p50": _pcts(cpu)["p50"],
                "queries": len(executed),
            }
            if label == "api":
                body = response.json()
                row["count"] = body["count"]
                row["count_is_exact"] = body["count_is_exact"]
                row["rows"] = len(body["results"])
        # the bare baseline: the page's rows, same SQL, bare sqlite3
        f = selectors.CaseFilters.from_params(dict(p.split("=", 1) for p in query.split("&") if p))
        qs = selectors.for_list(
            selectors.filter_cases(selectors.visible_cases(user), f)
        ).select_related(None)
        params_in = dict(p.split("=", 1) for p in query.split("&") if p)
        if "after" in params_in:
            qs = selectors.after_cursor(qs, params_in["after"])
        page = int(params_in.get("page", 1))
        try:
            sql, params = qs[(page - 1) * 50 : page * 50].query.sql_with_params()
        except EmptyResultSet:  # the filters match nothing: no page query at all
            results[name] = row
            print(name, json.dumps(row), file=sys.stderr)
            continue
        sql = sql.replace("%s", "?")
        params = tuple(_adapt(connection, p) for p in params)
        samples = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            bare.execute(sql, params).fetchall()
            samples.append(time.perf_counter() - t)
        row["bare_sqlite_page_query"] = _pcts(samples)
        results[name] = row
        print(name, json.dumps(row), file=sys.stderr)
    worst = max(
        r[side]["p95"] for r in results.values() for side in ("web", "api") if _timed(r, side)
    )
    print(
        json.dumps(
            {
                "bench": "case_list",
                "cases": n,
                "repeat": args.repeat,
                "page_size": 50,
                "count_cap": selectors.LIST_COUNT_CAP,
                "client": "django.test.Client / rest_framework APIClient in-process (no network)",
                "worst_p95_ms": worst,
                "goal_p95_ms": 150,
                "migrate_s": round(migrate_s, 1),
                "plant_rare_s": round(planted_s, 1),
                **loading,
                "scenarios": results,
            }
        )
    )


if __name__ == "__main__":
    main()
