"""The case form is made from the case models (issue 14, item 6): each field's label, help
text, choices and validation come from the model, translated once there; the form and the
API store the same record for the same input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils.text import capfirst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.cases import codelists
from vigie.cases.fields import CodeListField
from vigie.cases.forms.fields import BLANK, defaulted
from vigie.cases.forms.rows import ROWS, CaseForm
from vigie.cases.models import Case, Victim
from vigie.cases.tests.conftest import without
from vigie.cases.tests.test_case_form_rows import _rows
from vigie.testing import World

FORMS = [CaseForm, *(form for form, _section, _n in ROWS.values())]


@pytest.mark.parametrize("form_class", FORMS, ids=lambda f: f.__name__)
def test_every_label_help_text_and_choice_is_the_models(form_class: Any) -> None:
    form = form_class()
    model = form_class._meta.model
    for name in form_class.model_fields():
        db_field = model._meta.get_field(name)
        field = form.fields[name]
        assert str(field.label) == capfirst(str(db_field.verbose_name)), name
        assert str(field.help_text) == str(db_field.help_text), name
        codelist = getattr(db_field, "codelist", "")
        if codelist:
            codes = [c for c, _label in field.choices if c]
            assert codes == list(codelists.get(codelist).codes), name
            if not isinstance(db_field, CodeListField):  # a select: blank unless defaulted
                assert (BLANK in field.choices) != defaulted(db_field), name


def test_a_label_changed_in_the_model_shows_on_the_form(
    web: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The label lives in one place: change the model's and the page shows it."""
    monkeypatch.setattr(Victim._meta.get_field("minority_group"), "verbose_name", "Zqx group")
    monkeypatch.setattr(Case._meta.get_field("area"), "verbose_name", "zqy area")
    body = web(world.users["case_manager"]).get("/cases/new/").content.decode()
    assert "Zqx group" in body and "Zqy area" in body


def test_model_validation_on_the_form(web: Any, world: World) -> None:
    """A code outside the list and an age above the model's bound are refused by the form,
    on the right person's row, with the model's own words."""
    client = web(world.users["case_manager"])
    people = [{"sex": "female", "trafficking_status": "possible", "age_at_identification": "121"}]
    page = client.post(
        "/cases/new/",
        {"source_type": "hotline", "status": "active", "verification_status": "reported"}
        | _rows("vic", people),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert 'id="id_vic-0-age_at_identification_error"' in body
    assert "less than or equal to 120" in body
    assert Case.objects.count() == 0


def test_required_fields_are_marked(web: Any, world: World) -> None:
    body = web(world.users["case_manager"]).get("/cases/new/", HTTP_ACCEPT_LANGUAGE="en")
    text = body.content.decode()
    label = text[text.index('for="id_source_type"') :]
    assert "(required)" in label[: label.index("</label>")]
    label = text[text.index('for="id_summary"') :]
    assert "(required)" not in label[: label.index("</label>")]


def _code(listname: str) -> st.SearchStrategy[str]:
    return st.sampled_from(list(codelists.get(listname).codes))


PERSON = st.fixed_dictionaries(
    {
        "sex": _code("sex"),
        "age_at_identification": st.one_of(st.none(), st.integers(0, 120)),
        "citizenship": st.one_of(st.just(""), _code("countries")),
        "minority_group": st.one_of(st.just(""), _code("minority_groups")),
        "trafficking_status": _code("trafficking_status"),
        "consent_services": st.one_of(st.none(), st.booleans()),
        "has_disability": st.one_of(st.none(), st.booleans()),
        "family_name": st.one_of(st.just(""), st.sampled_from(["Testname", "Öztest"])),
        "date_of_birth": st.one_of(
            st.none(), st.dates(dt.date(1950, 1, 1), dt.date(2020, 1, 1)).map(str)
        ),
    }
)
CASE = st.fixed_dictionaries(
    {
        "source_type": _code("data_source_types"),
        "verification_status": _code("verification_status"),
        "conflict_situation": st.one_of(st.just(""), _code("conflict_situations")),
        "country": st.one_of(st.just(""), _code("countries")),
        "summary": st.sampled_from(["", "Taken from a village, released later"]),
        "event_date_start": st.one_of(
            st.none(), st.dates(dt.date(2000, 1, 1), dt.date(2020, 1, 1)).map(str)
        ),
    }
)


def _posted(value: Any) -> Any:
    """A value as a browser posts it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@pytest.mark.django_db
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=CASE, people=st.lists(PERSON, min_size=1, max_size=2))
def test_the_form_and_the_api_store_the_same_record(
    web: Any, api: Any, world: World, case: dict[str, Any], people: list[dict[str, Any]]
) -> None:
    user = world.users["case_manager"]
    form_data = {k: _posted(v) for k, v in case.items()} | {"status": "active"}
    rows = [{k: _posted(v) for k, v in p.items()} for p in people]
    before = set(Case.objects.values_list("pk", flat=True))
    page = web(user).post("/cases/new/", form_data | _rows("vic", rows))
    assert page.status_code == 302, page.content.decode()[:2000]
    (by_form,) = Case.objects.exclude(pk__in=before)
    record = {**case, "status": "active", "victims": [dict(p) for p in people]}
    response = api(user).post("/api/cases/", record, format="json")
    assert response.status_code == 201, response.json()
    by_api = Case.objects.get(uuid=response.json()["uuid"])
    from vigie.cases.selectors import case_record_for

    ignore = {"uuid", "reference", "created_at", "updated_at", "victim", "incident"}
    assert without(case_record_for(user, by_form, identity=True), ignore) == without(
        case_record_for(user, by_api, identity=True), ignore
    )
