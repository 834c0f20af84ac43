"""A mapping profile is a mapping file: property test of the YAML round trip (dump -> loads
gives the same mapping, whatever the column names and values), and the service's checks."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.cases.interchange import mapping, profiles
from vigie.testing import World

TARGETS = sorted(mapping.vigie_fields())
NAMES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=20
)
VALUES = NAMES.map(str.strip).filter(bool)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(NAMES, st.sampled_from(TARGETS), max_size=8),
    st.dictionaries(
        st.sampled_from(TARGETS),
        st.dictionaries(
            VALUES, st.sampled_from(["female", "male", "NG", "1", "yes", "null"]), max_size=4
        ),
        max_size=3,
    ),
)
def test_a_mapping_survives_its_yaml(
    columns: dict[str, str], values: dict[str, dict[str, str]]
) -> None:
    rules = mapping.Mapping("vigie", columns, values)
    back = mapping.loads(mapping.dump(rules), "p.yaml")
    assert (back.layout, back.columns, back.values) == ("vigie", columns, values)


def test_profiles_are_checked_like_files_and_scoped(world: World) -> None:
    user = world.users["case_manager"]
    good = mapping.Mapping("vigie", {"Sexe": "victim.sex"}, {"victim.sex": {"F": "female"}})
    saved = profiles.save_profile(user, world.own, "  Partenaire  ", good)
    assert saved.name == "Partenaire"
    assert profiles.to_mapping(saved).columns == {"Sexe": "victim.sex"}
    assert "Sexe: victim.sex" in profiles.to_yaml(saved)
    with pytest.raises(mapping.MappingError, match="unknown vigie field"):
        profiles.save_profile(
            user, world.own, "Bad", mapping.Mapping("vigie", {"X": "victim.nope"})
        )
    with pytest.raises(mapping.MappingError, match="already exists"):
        profiles.save_profile(user, world.own, "Partenaire", good)
    again = profiles.save_profile(user, world.own, "Partenaire", good, replace=True)
    assert again.pk == saved.pk
    with pytest.raises(PermissionDenied):
        profiles.save_profile(user, world.other, "Theirs", good)
    with pytest.raises(PermissionDenied):
        profiles.save_profile(world.users["auditor"], world.own, "Audit", good)
    assert list(profiles.visible_profiles(world.users["analyst"])) == [saved]
    profiles.delete_profile(user, saved)
    assert not profiles.visible_profiles(user).exists()
