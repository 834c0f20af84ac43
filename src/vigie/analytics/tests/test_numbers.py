"""Counts are written one way per language, Vigie's and other sources' alike."""

from __future__ import annotations

from django.utils import translation

from vigie.analytics import labels


def test_each_language_groups_thousands_its_own_way() -> None:
    assert labels.number(2579, "en") == "2,579"
    assert labels.number(2579, "fr") == "2\u202f579"
    assert labels.number(1_234_567, "ar") == "1,234,567"
    assert labels.number(999, "fr") == "999"
    assert labels.number(None) == "—" and labels.number(None, missing="x") == "x"
    with translation.override("fr"):
        assert labels.number(12000) == "12\u202f000"


def test_official_figures_are_rewritten_like_ours() -> None:
    # GLOTIP writes "1,470"; beside Vigie's "2 579" a French table must say "1 470".
    assert labels.official("1,470", "fr") == "1\u202f470"
    assert labels.official("1 470", "en") == "1,470"
    assert labels.official("<5", "en") == "<5" and labels.official("-", "fr") == "-"
