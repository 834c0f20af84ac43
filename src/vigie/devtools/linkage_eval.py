# ruff: noqa: RUF001  (names in Cyrillic on purpose; a seeded generator, not secrets)
"""A synthetic evaluation set for record linkage, built apart from the matching code.

Nothing here imports the matcher (features, model, encoding) or the screening name
normalisation: the corruptions are written from what field workers' records look like, not
from what the matcher handles, so the measured quality is not flattered by shared code.
Seeded: the same seed gives the same people and records. People are split by a hash of
their index into a development part (used while choosing comparisons and thresholds) and
a held-out part (reported by bench/linkage_quality.py, never looked at while tuning).

Each synthetic person is recorded by one to three of three organisations (ORG-A writes
French-style Latin spellings, ORG-B English-style Latin, ORG-C often Arabic or Cyrillic
script), sometimes twice by the same one. Names and places are drawn with realistic (Zipf)
frequencies from the pools of vigie.devtools.linkage_population. Synthetic only: every name is a
common or pattern-built given or family name combined at random; no record describes a
real person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from vigie.devtools import linkage_population as population

# (Latin spellings, Arabic script, Cyrillic script)
GIVEN_MALE: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("Mohammed", "Muhammad", "Mohamed", "Mouhamed"), "محمد", "Мухаммед"),
    (("Ahmed", "Ahmad", "Ahmat"), "أحمد", "Ахмед"),
    (("Ibrahim", "Ebrahim", "Brahim"), "إبراهيم", "Ибрагим"),
    (("Youssef", "Yusuf", "Yousef", "Youssouf"), "يوسف", "Юсуф"),
    (("Abdullah", "Abdallah", "Abdoullah"), "عبدالله", "Абдулла"),
    (("Omar", "Umar", "Oumar"), "عمر", "Омар"),
    (("Ali",), "علي", "Али"),
    (("Hassan", "Hasan"), "حسن", "Хасан"),
    (("Hussein", "Husayn", "Houssein"), "حسين", "Хусейн"),
    (("Khaled", "Khalid", "Khaleed"), "خالد", "Халид"),
    (("Mustafa", "Moustafa", "Mostafa"), "مصطفى", "Мустафа"),
    (("Suleiman", "Sulayman", "Souleymane"), "سليمان", "Сулейман"),
    (("Idris", "Idriss", "Edris"), "إدريس", "Идрис"),
    (("Tariq", "Tarek", "Tarik"), "طارق", "Тарик"),
    (("Jamal", "Djamel", "Gamal"), "جمال", "Джамал"),
    (("Karim", "Kareem", "Kerim"), "كريم", "Карим"),
    (("Salah", "Saleh", "Salih"), "صالح", "Салих"),
    (("Nasser", "Nasir", "Naser"), "ناصر", "Насер"),
    (("Issa", "Isa", "Aissa"), "عيسى", "Иса"),
    (("Moussa", "Musa", "Mousa"), "موسى", "Муса"),
    (("Bilal", "Belal"), "بلال", "Билал"),
    (("Hamza", "Hamzah"), "حمزة", "Хамза"),
    (("Osman", "Othman", "Uthman"), "عثمان", "Осман"),
    (("Yacoub", "Yaqub", "Yakub"), "يعقوب", "Якуб"),
    (("Faisal", "Faycal", "Faysal"), "فيصل", "Фейсал"),
    (("Adam", "Adem"), "آدم", "Адам"),
    (("Daoud", "Dawud", "Daud"), "داود", "Дауд"),
    (("Zakaria", "Zakariya", "Zakariyya"), "زكريا", "Закария"),
    (("Rachid", "Rashid", "Rasheed"), "رشيد", "Рашид"),
    (("Walid", "Waleed", "Oualid"), "وليد", "Валид"),
)
GIVEN_FEMALE: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("Fatima", "Fatma", "Fatimah"), "فاطمة", "Фатима"),
    (("Aisha", "Aicha", "Ayesha"), "عائشة", "Аиша"),
    (("Mariam", "Maryam", "Meriem"), "مريم", "Мариам"),
    (("Khadija", "Khadidja", "Khadeeja"), "خديجة", "Хадиджа"),
    (("Zainab", "Zeinab", "Zaynab"), "زينب", "Зейнаб"),
    (("Amina", "Aminata", "Ameena"), "أمينة", "Амина"),
    (("Halima", "Haleema", "Halimah"), "حليمة", "Халима"),
    (("Salma", "Selma"), "سلمى", "Сальма"),
    (("Nour", "Noor", "Nur"), "نور", "Нур"),
    (("Hawa", "Haoua", "Hauwa"), "حواء", "Хава"),
    (("Rahma", "Rahmah"), "رحمة", "Рахма"),
    (("Samira", "Sameera", "Smira"), "سميرة", "Самира"),
    (("Leila", "Layla", "Laila"), "ليلى", "Лейла"),
    (("Asma", "Asmaa"), "أسماء", "Асма"),
    (("Hadiza", "Hadiya", "Hadizatou"), "هدية", "Хадиза"),
    (("Yasmin", "Yasmine", "Jasmin"), "ياسمين", "Ясмин"),
    (("Safiya", "Safia", "Saphia"), "صفية", "Сафия"),
    (("Habiba", "Habibah"), "حبيبة", "Хабиба"),
    (("Rokia", "Ruqayya", "Roukaya"), "رقية", "Рукия"),
    (("Saida", "Saeeda", "Sa'ida"), "سعيدة", "Саида"),
)
FAMILY: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("Haddad", "Hadad", "El Haddad"), "حداد", "Хаддад"),
    (("Mansour", "Mansur", "Mansoor"), "منصور", "Мансур"),
    (("Khalil", "Khaleel", "Halil"), "خليل", "Халиль"),
    (("Nasser", "Nasir"), "ناصر", "Насер"),
    (("Saleh", "Salih", "Salah"), "صالح", "Салех"),
    (("Osman", "Othman"), "عثمان", "Осман"),
    (("Abdelrahman", "Abdul Rahman", "Abderrahmane"), "عبدالرحمن", "Абдурахман"),
    (("Bakr", "Bakar", "Bakir"), "بكر", "Бакр"),
    (("Idris", "Idriss"), "إدريس", "Идрис"),
    (("Ibrahim", "Brahim"), "إبراهيم", "Ибрагим"),
    (("Adam", "Adem"), "آدم", "Адам"),
    (("Ahmadi", "Ahmedi"), "أحمدي", "Ахмади"),
    (("Al-Masri", "El Masry", "Almasri"), "المصري", "Аль-Масри"),
    (("Al-Tayeb", "Eltayeb", "Al Tayyib"), "الطيب", "Ат-Тайиб"),
    (("Bashir", "Bachir", "Basheer"), "بشير", "Башир"),
    (("Hamdan", "Hamdane"), "حمدان", "Хамдан"),
    (("Jaber", "Jabir", "Djaber"), "جابر", "Джабер"),
    (("Kamara", "Camara"), "كامارا", "Камара"),
    (("Diallo", "Jallow", "Diallou"), "ديالو", "Диалло"),
    (("Traore", "Traoré", "Trawally"), "تراوري", "Траоре"),
    (("Toure", "Touré", "Ture"), "توري", "Туре"),
    (("Keita", "Keïta", "Kayta"), "كيتا", "Кейта"),
    (("Coulibaly", "Kulibali", "Koulibaly"), "كوليبالي", "Кулибали"),
    (("Mahamat", "Mahamad"), "محمد", "Махамат"),
    (("Hussein", "Husayn"), "حسين", "Хусейн"),
    (("Yousif", "Yusuf"), "يوسف", "Юсуф"),
    (("Omer", "Omar"), "عمر", "Омер"),
    (("Tesfaye", "Tesfay"), "تسفاي", "Тесфайе"),
    (("Gebremedhin", "Gebremedin"), "جبرمدهن", "Гебремедхин"),
    (("Haile", "Hailé"), "هايلي", "Хайле"),
    (("Abubakar", "Aboubakar", "Abu Bakr"), "أبوبكر", "Абубакар"),
    (("Sharif", "Cherif", "Shareef"), "شريف", "Шариф"),
    (("Zayed", "Zaid", "Zayid"), "زايد", "Заид"),
    (("Rahim", "Raheem"), "رحيم", "Рахим"),
    (("Qasim", "Kassem", "Qassim"), "قاسم", "Касим"),
    (("Farah", "Farrah"), "فرح", "Фарах"),
    (("Warsame", "Warsama"), "ورسمه", "Варсаме"),
    (("Nur", "Noor"), "نور", "Нур"),
    (("Dahir", "Daher", "Thaher"), "ظاهر", "Дахир"),
    (("Sabir", "Saber"), "صابر", "Сабир"),
)
NICKNAMES = {
    "Mohammed": ("Hamoud", "Moha"),
    "Abdullah": ("Abdo", "Dallah"),
    "Ibrahim": ("Bouba",),
    "Youssef": ("Jojo",),
    "Mustafa": ("Mous",),
    "Fatima": ("Fati", "Titi"),
    "Khadija": ("Dija",),
    "Aisha": ("Ichou",),
    "Abubakar": ("Bakary",),
    "Suleiman": ("Sule",),
}
TOWNS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("Tripoli", "Tarabulus"), "طرابلس", "Триполи"),
    (("Sabha", "Sebha"), "سبها", "Сабха"),
    (("Misrata", "Misurata"), "مصراتة", "Мисурата"),
    (("Benghazi", "Bengasi"), "بنغازي", "Бенгази"),
    (("Kufra", "Koufra"), "الكفرة", "Куфра"),
    (("Agadez", "Agades"), "أغاديس", "Агадес"),
    (("Khartoum", "Khartum"), "الخرطوم", "Хартум"),
    (("Gao",), "غاو", "Гао"),
    (("Asmara", "Asmera"), "أسمرة", "Асмэра"),
    (("Zuwara", "Zuara"), "زوارة", "Зувара"),
    (("Niamey",), "نيامي", "Ниамей"),
    (("Juba",), "جوبا", "Джуба"),
)
ORGS = ("ORG-A", "ORG-B", "ORG-C")


@dataclass
class Record:
    record_key: str
    org: str
    person: int  # the truth: records of one person share it
    kind: str  # "victim"
    given_name: str
    family_name: str
    other_names: str
    date_of_birth: str  # "YYYY-MM-DD", "YYYY" or ""
    age: int | None  # age when recorded, when no date was taken
    recorded_year: int
    place: str
    phone: str
    document: str
    sex: str


@dataclass
class _Person:
    index: int
    sex: str
    given: tuple[tuple[str, ...], str, str]
    middle: tuple[tuple[str, ...], str, str]
    family: tuple[tuple[str, ...], str, str]
    birth: date
    town: tuple[tuple[str, ...], str, str]
    phone: str
    document: str


def split_of(person: int) -> str:
    """The held-out part: a fifth of the people, picked by a fixed hash of their index."""
    return "heldout" if (person * 2654435761) % 1000 < 200 else "dev"


def _person(rng: random.Random, index: int, wide: bool) -> _Person:
    sex = rng.choice("FM")
    start = date(1960, 1, 1)
    if wide:  # realistic frequencies over large pools (ADR 1002)
        pool = population.pools(GIVEN_MALE, GIVEN_FEMALE, FAMILY, TOWNS)
        given = pool["female" if sex == "F" else "male"].draw(rng)
        middle, family = pool["male"].draw(rng), pool["family"].draw(rng)
    else:  # the previous round's set: every name equally likely among a few dozen
        given = rng.choice(GIVEN_FEMALE if sex == "F" else GIVEN_MALE)
        middle, family = rng.choice(GIVEN_MALE), rng.choice(FAMILY)
    birth = start + timedelta(days=rng.randrange(0, 55 * 365))
    town = pool["place"].draw(rng) if wide else rng.choice(TOWNS)  # drawn in the same order
    return _Person(
        index=index,
        sex=sex,
        given=given,
        middle=middle,  # the father's name, as a middle name
        family=family,
        birth=birth,
        town=town,
        phone="9" + "".join(rng.choice("0123456789") for _ in range(8)),
        document=rng.choice("ABNP") + "".join(rng.choice("0123456789") for _ in range(7)),
    )


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 3 or not word.isascii():
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.randrange(4)
    if op == 0:  # a letter dropped
        return word[:i] + word[i + 1 :]
    if op == 1:  # two letters swapped
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    if op == 2:  # a letter doubled
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeioulnrst") + word[i + 1 :]  # a wrong letter


def _spell(
    rng: random.Random, name: tuple[tuple[str, ...], str, str], script: str, org: str
) -> str:
    latin, arabic, cyrillic = name
    if script == "ar":
        return arabic
    if script == "ru":
        return cyrillic
    # ORG-A keeps French-looking spellings, ORG-B English ones, both with variation
    weights = [3 if (org == "ORG-A") == ("ou" in s or "dj" in s.lower()) else 2 for s in latin]
    return rng.choices(latin, weights=weights)[0]


def _record(rng: random.Random, p: _Person, org: str, serial: int, recorded_year: int) -> Record:
    script = "la"
    if org == "ORG-C":
        script = rng.choices(["la", "ar", "ru"], weights=[45, 40, 15])[0]
    elif rng.random() < 0.05:
        script = "ar"
    given = _spell(rng, p.given, script, org)
    if script == "la" and rng.random() < 0.08 and p.given[0][0] in NICKNAMES:
        given = rng.choice(NICKNAMES[p.given[0][0]])
    family = _spell(rng, p.family, script, org)
    middle = _spell(rng, p.middle, script, org) if rng.random() < 0.5 else ""
    if rng.random() < 0.15:
        family = _typo(rng, family)
    if rng.random() < 0.1:
        given = _typo(rng, given)
    if middle and rng.random() < 0.4:  # the middle name written with the given name
        given, middle = f"{given} {middle}", ""
    if rng.random() < 0.05:  # family and given names in each other's boxes
        given, family = family, given

    dob, age = "", None
    roll = rng.random()
    b = p.birth
    if roll < 0.55:
        dob = b.isoformat()
    elif roll < 0.65 and b.day <= 12 and b.day != b.month:  # day and month swapped
        dob = f"{b.year:04d}-{b.day:02d}-{b.month:02d}"
    elif roll < 0.80:
        dob = f"{b.year:04d}"  # year only
    elif roll < 0.90:
        age = max(0, recorded_year - b.year - rng.choice((0, 0, 1)))  # age, roughly
    # else: nothing about the age at all

    phone = ""
    if rng.random() < 0.4:
        phone = rng.choice(("+218 ", "00218", "0", "")) + p.phone
        if rng.random() < 0.3:
            phone = phone[:-4] + " " + phone[-4:]
    document = ""
    if rng.random() < 0.3:
        document = p.document if rng.random() < 0.9 else p.document.lower()
    place = _spell(rng, p.town, script, org) if rng.random() < 0.7 else ""
    return Record(
        record_key=f"{org}-{serial:06d}",
        org=org,
        person=p.index,
        kind="victim",
        given_name=given,
        family_name=family,
        other_names=middle,
        date_of_birth=dob,
        age=age,
        recorded_year=recorded_year,
        place=place,
        phone=phone,
        document=document,
        sex=p.sex,
    )


def generate(people: int = 3000, seed: int = 20261206, pools: str = "wide") -> list[Record]:
    """Records of `people` synthetic people across the three organisations, shuffled.
    ``pools="wide"``: names and places with realistic frequencies over large pools;
    ``"narrow"``: a few dozen names drawn uniformly (the second round's set, kept to
    compare with its figures)."""
    rng = random.Random(seed)
    serial = {org: 0 for org in ORGS}
    out: list[Record] = []
    for index in range(people):
        p = _person(rng, index, pools == "wide")
        n = rng.choices((1, 2, 3), weights=(45, 35, 20))[0]
        orgs = rng.sample(ORGS, n)
        if rng.random() < 0.06:  # recorded twice by the same organisation
            orgs.append(orgs[0])
        for org in orgs:
            serial[org] += 1
            out.append(_record(rng, p, org, serial[org], rng.randrange(2017, 2027)))
    rng.shuffle(out)
    return out


def true_pairs(records: list[Record]) -> set[tuple[str, str]]:
    """Every pair of record keys (sorted) that belong to one person."""
    by_person: dict[int, list[str]] = {}
    for r in records:
        by_person.setdefault(r.person, []).append(r.record_key)
    pairs: set[tuple[str, str]] = set()
    for keys in by_person.values():
        keys.sort()
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                pairs.add((a, b))
    return pairs


def scores(predicted: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}
