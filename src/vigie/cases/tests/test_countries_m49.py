"""Country names are the UN's (M49) in English, French and Arabic, sorted by each language's
alphabet, and the same list serves forms, filters, charts and exports."""

# ruff: noqa: RUF001  (the UN's names are written with typographic apostrophes, and Arabic)
from __future__ import annotations

import pytest
from django.utils import translation

from vigie.analytics import labels
from vigie.cases import codelists

# (code, English, French, Arabic) as the UN Statistics Division's M49 pages give them.
M49 = [
    ("CD", "Democratic Republic of the Congo", "République démocratique du Congo",
     "جمهورية الكونغو الديمقراطية"),
    ("SY", "Syrian Arab Republic", "République arabe syrienne", "الجمهورية العربية السورية"),
    ("IR", "Iran (Islamic Republic of)", "Iran (République islamique d’)",
     "إيران (جمهورية - الإسلامية)"),
    ("KP", "Democratic People's Republic of Korea", "République populaire démocratique de Corée",
     "جمهورية كوريا الشعبية الديمقراطية"),
    ("KR", "Republic of Korea", "République de Corée", "جمهورية كوريا"),
    ("VN", "Viet Nam", "Viet Nam", "فييت نام"),
    ("PS", "State of Palestine", "État de Palestine", "دولة فلسطين"),
    ("TR", "Türkiye", "Türkiye", "تركيا"),
    ("MD", "Republic of Moldova", "République de Moldova", "جمهورية مولدوفا"),
    ("BO", "Bolivia (Plurinational State of)", "Bolivie (État plurinational de)",
     "بوليفيا (دولة - المتعددة القوميات)"),
    ("VE", "Venezuela (Bolivarian Republic of)", "Venezuela (République bolivarienne du)",
     "فنزويلا (جمهورية - البوليفارية)"),
    ("TZ", "United Republic of Tanzania", "République-Unie de Tanzanie",
     "جمهورية تنزانيا المتحدة"),
    ("LA", "Lao People's Democratic Republic", "République démocratique populaire lao",
     "جمهورية لاو الديمقراطية الشعبية"),
    ("RU", "Russian Federation", "Fédération de Russie", "الاتحاد الروسي"),
    ("CI", "Côte d’Ivoire", "Côte d’Ivoire", "كوت ديفوار"),
    ("GB", "United Kingdom of Great Britain and Northern Ireland",
     "Royaume-Uni de Grande-Bretagne et d’Irlande du Nord",
     "المملكة المتحدة لبريطانيا العظمى وأيرلندا الشمالية"),
    ("NG", "Nigeria", "Nigéria", "نيجيريا"),
    ("IQ", "Iraq", "Iraq", "العراق"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "en", "fr", "ar"), M49)
def test_names_are_m49_in_each_language(code: str, en: str, fr: str, ar: str) -> None:
    countries = codelists.get("countries")
    assert (countries.label(code, "en"), countries.label(code, "fr")) == (en, fr)
    assert countries.label(code, "ar") == ar


def test_taiwan_is_not_a_country_of_its_own() -> None:
    countries = codelists.get("countries")
    assert countries["TW"].attrs["m49"] is False
    assert countries.label("TW", "en") == "Taiwan Province of China"
    names = {label for _code, label in countries.choices("en")}
    assert "Taiwan" not in names and "Syria" not in names and "Vietnam" not in names


def test_sorted_by_each_languages_alphabet() -> None:
    countries = codelists.get("countries")
    en = [label for _c, label in countries.sorted_choices("en")]
    # Åland among the A (after Afghanistan, before Albania), not after Zimbabwe.
    assert en.index("Afghanistan") < en.index("Åland Islands") < en.index("Albania")
    fr = [label for _c, label in countries.sorted_choices("fr")]
    assert fr.index("Équateur") < fr.index("Érythrée") < fr.index("Espagne") < fr.index("Estonie")
    assert fr.index("Égypte") < fr.index("El Salvador") < fr.index("Émirats arabes unis")
    ar = [label for _c, label in countries.sorted_choices("ar")]
    # Arabic alphabetical order: the alif forms first, ra before zay before sin.
    assert ar.index("رواندا") < ar.index("زامبيا") < ar.index("سنغافورة")
    assert ar[0].startswith(("أ", "إ", "آ", "ا"))


def test_plain_collation_key_without_icu_sets_accents_aside() -> None:
    words = ["Zambie", "Érythrée", "Espagne", "Eswatini", "Égypte"]
    assert sorted(words, key=codelists._plain_key) == [
        "Égypte", "Érythrée", "Espagne", "Eswatini", "Zambie",
    ]  # fmt: skip


def test_statistics_use_the_same_names() -> None:
    with translation.override("fr"):
        assert labels.label("country", "SY") == "République arabe syrienne"
    with translation.override("ar"):
        assert labels.label("origin", "CD") == "جمهورية الكونغو الديمقراطية"
