"""The case list's filter terms (vigie.cases.search.terms, docs/adr/0313): kept in step with every
write (services, bulk import, delete, rebuild), and the list filtered through them returns
what the filters say, on the web page and the API, whichever filter drives the query."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.cases import records, selectors, services
from vigie.cases.cli import cases as cases_cli
from vigie.cases.interchange import bulk, bulk_write, importer
from vigie.cases.models import Case, CaseTerm
from vigie.cases.search import terms
from vigie.cases.tests.conftest import RECORD
from vigie.devtools import case_records
from vigie.testing import SYSTEM, World


def _stored(case: Case) -> set[str]:
    return set(CaseTerm.objects.filter(case=case).values_list("term", flat=True))


def _expected(case: Case) -> set[str]:
    case.refresh_from_db()
    return terms.terms_of(case.codes_index, case.search_text)


def _record(ref: str, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(RECORD) | {"reference": ref, "source_record_id": f"src-{ref}"}
    data.update(changes)
    return data


@pytest.fixture(params=["driven", "walked"])
def path(request: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both query plans: the rarest filter drives (term index range), or every filter is
    checked while the list order is walked (as when an indexed column filter is rarer)."""
    if request.param == "walked":
        monkeypatch.setattr(terms, "survey", _walk_always)
    return str(request.param)


_survey = terms.survey


def _walk_always(matches: list[terms.Match], columns: dict[str, str], cap: int) -> Any:
    """A survey that makes the list order (or a column index) drive: every term common."""
    found = _survey(matches, columns, cap)
    if min(found.counts, default=1) == 0:
        return found
    return terms.Survey([cap + 1] * len(matches), found.spans, 0)


def test_terms_are_codes_the_list_filters_on_and_words(world: World) -> None:
    case = services.save_record(SYSTEM, world.own, _record("T-1"))
    stored = _stored(case)
    assert {"country:IQ", "country:SY", "form:sexual_slavery", "sex:female", "age:child"} <= stored
    assert {"group:isil", "w:sinjar", "w:raqqa", "w:mosul", "w:t", "w:1"} <= stored
    # codes the list does not filter on are not terms; identities never are
    assert not any(t.startswith(("means:", "citizenship:", "displacement:")) for t in stored)
    assert not any("nadia" in t or "testperson" in t for t in stored)
    assert stored == _expected(case)


def test_terms_follow_updates_and_deletes(world: World, api: Any) -> None:
    client = api(world.users["case_manager"])
    case = services.save_record(SYSTEM, world.own, _record("T-1"))
    response = client.patch(
        f"/api/cases/{case.uuid}/",
        {"summary": "Recruited in Maiduguri", "country": "NG", "route": [], "exploitations": []},
        format="json",
    )
    assert response.status_code == 200, response.json()
    stored = _stored(case)
    assert stored == _expected(case)
    assert "w:maiduguri" in stored and "w:sinjar" not in stored and "country:SY" not in stored
    assert client.delete(f"/api/cases/{case.uuid}/").status_code == 204
    assert not CaseTerm.objects.exists()


def test_bulk_import_and_save_record_write_the_terms(world: World, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    case_records.write_file(path, 25, seed=3, layout="vigie")
    report = importer.run_import(path, organisation=world.own, actor=SYSTEM, fmt="vigie")
    assert report.written and report.created == 25
    services.save_record(SYSTEM, world.own, _record("M-1"))
    cases = list(Case.objects.all())
    assert len(cases) == 26
    for case in cases:
        assert _stored(case) == _expected(case), case.reference
        assert set(CaseTerm.objects.filter(case=case).values_list("created_at", flat=True)) == {
            case.created_at
        }


def test_rebuild_command_restores_the_terms(world: World) -> None:
    case = services.save_record(SYSTEM, world.own, _record("T-1"))
    other = services.save_record(SYSTEM, world.own, _record("T-2", summary="Agadez"))
    CaseTerm.objects.filter(case=case).delete()
    CaseTerm.objects.create(case=other, term="w:stale", created_at=other.created_at)
    result = CliRunner().invoke(cases_cli, ["rebuild-terms"])
    assert result.exit_code == 0, result.output
    assert "2 case(s)" in result.output
    assert _stored(case) == _expected(case) and _stored(other) == _expected(other)


def _refs(client: Any, query: str) -> list[str]:
    response = client.get(f"/api/cases/?page_size=200&{query}")
    assert response.status_code == 200, response.content
    return [c["reference"] for c in response.json()["results"]]


def _many(world: World, n: int, **changes: Any) -> None:
    """``n`` cases like RECORD (sex female, child, Iraq/Syria, ISIL, "sinjar")."""
    parsed = [
        records.validate(
            _record(f"C-{i}-{changes.get('country', 'x')}", **changes), allow_identity=True
        )
        for i in range(n)
    ]
    with transaction.atomic():
        bulk_write.write(bulk.build(world.own.pk, None, parsed))


def test_rare_common_zero_and_combined_filters(world: World, api: Any, web: Any, path: str) -> None:
    _many(world, 30)
    rare = _record("R-1", summary="Taken near Zaranj", country="AF", route=[])
    rare["exploitations"] = [{"forms": ["organ_removal"], "country": "AF"}]
    services.save_record(SYSTEM, world.own, rare)
    services.save_record(SYSTEM, world.own, _record("R-2", summary="Zaranj again"))
    client = api(world.users["analyst"])
    everything = _refs(client, "")
    assert len(everything) == 32
    assert _refs(client, "country=af") == ["R-1"]
    assert _refs(client, "form=organ_removal") == ["R-1"]
    assert _refs(client, "q=zaranj") == ["R-2", "R-1"]  # newest first
    assert _refs(client, "q=ZARA") == ["R-2", "R-1"]  # word prefix, any case
    assert _refs(client, "q=aranj") == []  # not inside a word
    assert _refs(client, "q=zaranj&country=IQ") == ["R-2"]
    assert _refs(client, "q=sinjar&form=sexual_slavery&sex=female") == [
        r for r in everything if r != "R-1"
    ]
    assert _refs(client, "country=UA") == []
    assert _refs(client, "q=qwertyuiop") == []
    assert _refs(client, "form=organ_removal&country=IQ") == []  # together none
    assert _refs(client, "q=zaranj&situation=iraq&verification=verified") == ["R-2", "R-1"]
    page = web(world.users["analyst"]).get("/cases/?q=zaranj")
    assert page.status_code == 200
    html = page.content.decode()
    assert "R-1" in html and "R-2" in html and "C-1-x" not in html


def test_cursor_and_capped_count_on_a_filtered_list(
    world: World, api: Any, web: Any, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _many(world, 25)
    _many(world, 12, country="NG", summary="Maiduguri")
    monkeypatch.setattr(selectors, "LIST_COUNT_CAP", 10)
    client = api(world.users["case_manager"])
    body = client.get("/api/cases/?country=NG&page_size=5").json()
    assert body["count"] == 10 and body["count_is_exact"] is False
    seen = [c["reference"] for c in body["results"]]
    while body["next_cursor"]:
        body = client.get(f"/api/cases/?country=NG&page_size=5&after={body['next_cursor']}").json()
        seen += [c["reference"] for c in body["results"]]
    qs = Case.objects.filter(codes_index__contains=" country:NG ")
    assert seen == list(selectors.for_list(qs).values_list("reference", flat=True))
    assert len(seen) == 12
    body = client.get("/api/cases/?q=maiduguri&page_size=5&country=NG").json()
    assert body["count"] == 10 and body["count_is_exact"] is False
    exact = client.get("/api/cases/?q=maid&country=NG&situation=iraq&page_size=5").json()
    assert exact["count"] == 10 and exact["count_is_exact"] is False
    assert client.get("/api/cases/?q=maid&group=boko_haram").json()["count"] == 0
    # under the cap the ids read with the count give the page (same rows, same order)
    monkeypatch.setattr(selectors, "LIST_COUNT_CAP", 100)
    body = client.get("/api/cases/?country=NG&page_size=5&page=2").json()
    assert body["count"] == 12 and body["count_is_exact"] is True
    assert [c["reference"] for c in body["results"]] == seen[5:10]
    monkeypatch.setattr(selectors, "LIST_COUNT_CAP", 10)
    page = web(world.users["case_manager"]).get("/cases/?q=maiduguri").context["page"]
    assert page.paginator.count == 10 and page.paginator.count_is_exact is False


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_filtered_pages_cost_the_same_queries_whatever_the_data(
    world: World, api: Any, web: Any, path: str
) -> None:
    user = world.users["case_manager"]
    w, a = web(user), api(user)
    _many(world, 3)
    query = "country=IQ&q=sinjar"
    _queries(w, "/cases/"), _queries(a, "/api/cases/")  # warm the per-user caches
    few = _queries(w, f"/cases/?{query}"), _queries(a, f"/api/cases/?{query}")
    _many(world, 60, country="IQ")
    assert (_queries(w, f"/cases/?{query}"), _queries(a, f"/api/cases/?{query}")) == few
    assert _queries(a, f"/api/cases/?{query}&page_size=7&page=3") == few[1]
    # a filter that matches nothing costs one query (the term counts), not a list read
    with CaptureQueriesContext(connection) as ctx:
        assert list(selectors.filter_cases(Case.objects.all(), _filters("country=UA"))) == []
    assert len(ctx.captured_queries) == 1


def test_common_filters_rare_together_are_intersected_in_the_index(
    world: World, api: Any, web: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two codes each over the cap (and a word) that few cases have together: one merge of
    their index ranges gives those cases, read by id, in list order; sex (always common) is
    probed on them; when the intersection is large the driver is walked as before."""
    _many(world, 6, country="NG", summary="Maiduguri")
    _many(world, 6, country="SO", summary="Kismayo")
    together = _record("B-1", country="NG", summary="Kismayo")
    together["perpetrators"] = [{"kind": "group", "group_code": "al_shabaab"}]
    services.save_record(SYSTEM, world.own, together)
    services.save_record(
        SYSTEM, world.own, together | {"reference": "B-2", "source_record_id": "b2"}
    )
    monkeypatch.setattr(terms, "DRIVE_CAP", 3)
    monkeypatch.setattr(terms, "INTERSECT_MIN", 1)
    client, page = api(world.users["analyst"]), web(world.users["analyst"])
    with CaptureQueriesContext(connection) as ctx:
        assert _refs(client, "country=NG&q=kismayo") == ["B-2", "B-1"]
    assert any(" INTERSECT " in q["sql"] for q in ctx.captured_queries)
    assert _refs(client, "country=ng&q=kism&sex=female") == ["B-2", "B-1"]  # sex probed
    assert _refs(client, "country=NG&q=kismayo&sex=male") == []
    assert _refs(client, "country=NG&q=kismayo&group=al_shabaab") == ["B-2", "B-1"]
    assert _refs(client, "country=SO&q=maiduguri") == []
    assert _queries(client, "/api/cases/?country=SO&q=maiduguri") == 2  # survey, merge
    html = page.get("/cases/?country=NG&q=kismayo").content.decode()
    assert "B-1" in html and "B-2" in html and "C-1-NG" not in html
    # more than LIST_KEEP_IDS together: the driver's range is walked, same rows and order
    monkeypatch.setattr(selectors, "LIST_KEEP_IDS", 1)
    qs = Case.objects.filter(codes_index__contains=" country:NG ")
    assert _refs(client, "country=NG&q=kismayo") == ["B-2", "B-1"]
    assert _refs(client, "country=NG&sex=female") == list(
        selectors.for_list(qs).values_list("reference", flat=True)
    )


def _filters(query: str) -> selectors.CaseFilters:
    return selectors.CaseFilters.from_params(dict(p.split("=") for p in query.split("&")))


# --- property: the term-based filter returns what a naive filter over the cases returns ----

VOCABULARY = ["sinjar", "sin", "raqqa", "Straße", "دهوك", "Île", "agadez"]
COUNTRIES = ["IQ", "SY", "NG", "AF"]
FORMS = ["sexual_slavery", "forced_marriage", "organ_removal", "forced_labour"]
SITUATIONS = ["iraq", "lake_chad_basin"]

case_st = st.fixed_dictionaries(
    {
        "country": st.sampled_from(COUNTRIES),
        "forms": st.lists(st.sampled_from(FORMS), min_size=1, max_size=2, unique=True),
        "sex": st.sampled_from(["female", "male", ""]),
        "age": st.sampled_from([8, 30, None]),
        "group": st.sampled_from(["isil", "boko_haram", ""]),
        "words": st.lists(st.sampled_from(VOCABULARY), max_size=3),
        "situation": st.sampled_from(SITUATIONS),
        "bulk": st.booleans(),
    }
)


@st.composite
def query_st(draw: Any) -> dict[str, str]:
    q: dict[str, str] = {}
    if draw(st.booleans()):
        q["country"] = draw(st.sampled_from([*COUNTRIES, "UA"])).lower()
    if draw(st.booleans()):
        q["form"] = draw(st.sampled_from(FORMS))
    if draw(st.booleans()):
        q["sex"] = draw(st.sampled_from(["female", "male"]))
    if draw(st.booleans()):
        q["age_group"] = draw(st.sampled_from(["child", "adult"]))
    if draw(st.booleans()):
        q["group"] = draw(st.sampled_from(["isil", "boko_haram"]))
    if draw(st.booleans()):
        q["situation"] = draw(st.sampled_from(SITUATIONS))
    words = draw(st.lists(st.sampled_from([*VOCABULARY, "zzz"]), max_size=2))
    cut = [w[: draw(st.integers(1, len(w)))] for w in words]
    if cut:
        q["q"] = " ".join(w.upper() if draw(st.booleans()) else w for w in cut)
    return q


def _data(i: int, c: dict[str, Any]) -> dict[str, Any]:
    victim: dict[str, Any] = {"key": "v1", "sex": c["sex"], "age_at_identification": c["age"]}
    return {
        "reference": f"P-{i}",
        "summary": " ".join(c["words"]),
        "source_type": "case_management",
        "conflict_situation": c["situation"],
        "country": c["country"],
        "victims": [victim] if c["sex"] or c["age"] is not None else [],
        "exploitations": [{"forms": c["forms"]}],
        "perpetrators": [{"kind": "group", "group_code": c["group"]}] if c["group"] else [],
    }


def _naive(c: dict[str, Any], i: int, q: dict[str, str]) -> bool:
    """The filters' meaning, written plainly over the drawn case."""
    age = "" if c["age"] is None else ("child" if c["age"] < 18 else "adult")
    has_victim = bool(c["sex"] or c["age"] is not None)
    checks = {
        "country": lambda v: c["country"] == v.upper(),
        "form": lambda v: v in c["forms"],
        "sex": lambda v: c["sex"] == v,
        "age_group": lambda v: (age or ("unknown" if has_victim else "")) == v,
        "group": lambda v: c["group"] == v,
        "situation": lambda v: c["situation"] == v,
    }
    for key, value in q.items():
        if key != "q" and not checks[key](value):
            return False
    text = re.findall(r"\w+", f"p-{i} {' '.join(c['words'])}".casefold())
    return all(any(t.startswith(w) for t in text) for w in q.get("q", "").casefold().split())


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    drawn=st.lists(case_st, min_size=1, max_size=8),
    queries=st.lists(query_st(), min_size=1, max_size=4),
    cap=st.sampled_from([0, 1, 2, 100_000]),
    intersect=st.sampled_from([(0, 1), (0, 1_000), (1, 1_000), (100_000, 1_000)]),
)
def test_term_filter_equals_a_naive_filter(
    world: World,
    drawn: list[dict[str, Any]],
    queries: list[dict[str, str]],
    cap: int,
    intersect: tuple[int, int],
) -> None:
    """Also through the index intersection of common terms (``intersect``: the driver size
    above which it is used, and how many ids it may give before the driver is walked)."""
    before = terms.DRIVE_CAP, terms.INTERSECT_MIN, selectors.LIST_KEEP_IDS
    terms.DRIVE_CAP = cap
    terms.INTERSECT_MIN, selectors.LIST_KEEP_IDS = intersect
    try:
        with transaction.atomic():
            ids: dict[int, int] = {}
            for i, c in enumerate(drawn):
                parsed = records.validate(_data(i, c), allow_identity=False)
                assert not parsed.problems, parsed.problems
                if c["bulk"]:
                    (ids[i],) = bulk_write.write(bulk.build(world.own.pk, None, [parsed]))
                else:
                    ids[i] = services.save_record(SYSTEM, world.own, _data(i, c)).pk
            for q in queries:
                f = selectors.CaseFilters.from_params(q)
                got = set(
                    selectors.filter_cases(Case.objects.all(), f).values_list("pk", flat=True)
                )
                want = {ids[i] for i, c in enumerate(drawn) if _naive(c, i, q)}
                assert got == want, (q, drawn)
                listed = selectors.for_list(selectors.filter_cases(Case.objects.all(), f))
                ordered = selectors.for_list(Case.objects.filter(pk__in=want))
                assert list(listed.values_list("pk", flat=True)) == list(
                    ordered.values_list("pk", flat=True)
                ), (q, drawn)
            transaction.set_rollback(True)
    finally:
        terms.DRIVE_CAP, terms.INTERSECT_MIN, selectors.LIST_KEEP_IDS = before
