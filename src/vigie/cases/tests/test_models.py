"""The models keep identities encrypted at rest and count incidents without double counting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from vigie.cases.models import Case, Incident, Victim
from vigie.core.fields import blind_index_for
from vigie.testing import World


def make_case(world: World, **kw: object) -> Case:
    return Case.objects.create(
        organisation=world.own, reference=kw.pop("reference", "C-1"), source_type="mrm", **kw
    )


def test_victim_identity_is_encrypted_at_rest(world: World) -> None:
    case = make_case(world)
    v = Victim.objects.create(
        case=case, family_name="Haddad", date_of_birth=dt.date(2005, 3, 1), sex="female"
    )
    with connection.cursor() as cur:
        cur.execute("SELECT family_name, date_of_birth FROM cases_victim WHERE id = %s", [v.pk])
        raw_name, raw_dob = cur.fetchone()
    assert "Haddad" not in raw_name and "2005" not in raw_dob
    again = Victim.objects.get(pk=v.pk)
    assert again.family_name == "Haddad" and again.date_of_birth == dt.date(2005, 3, 1)
    assert again.organisation_id == world.own.pk
    found = Victim.objects.filter(
        family_name_index=blind_index_for(Victim, "family_name", "Haddad")
    )
    assert list(found) == [again]


def test_code_fields_refuse_unknown_codes(world: World) -> None:
    case = make_case(world, conflict_situation="atlantis")
    with pytest.raises(ValidationError) as err:
        case.full_clean()
    assert "conflict_situation" in err.value.message_dict
    incident = Incident(case=case, forms=["sexual_slavery", "teleportation"])
    with pytest.raises(ValidationError) as err2:
        incident.full_clean(exclude=["organisation"])
    assert "teleportation" in str(err2.value)


def test_incident_total_uses_cells_or_reported_total(world: World) -> None:
    case = make_case(world)
    # S/2017/939 para 9: 83 children, 55 of them girls, used in suicide attacks
    inc = Incident.objects.create(
        case=case, count_female_child=55, total_reported=83, forms=["suicide_attack"]
    )
    assert inc.counted == 55 and inc.total == 83
    inc2 = Incident.objects.create(case=case, count_male_child=30, count_female_child=17)
    assert inc2.total == 47


def test_source_record_id_is_unique_per_organisation_and_source(world: World) -> None:
    from django.db import IntegrityError, transaction

    make_case(world, reference="A", source_record_id="row-1")
    make_case(world, reference="B")  # blank ids do not collide
    make_case(world, reference="C")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_case(world, reference="D", source_record_id="row-1")
