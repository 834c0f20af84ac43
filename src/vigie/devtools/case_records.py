"""Synthetic case records across the situations the seeds name — never real people.

Deterministic for a given ``random.Random``. Names are built from syllables and carry the
word "Demo", so no generated identity can be a real person's.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vigie.cases.interchange import layouts

SYLLABLES = ["a", "ma", "na", "ri", "so", "ka", "li", "ha", "di", "fa", "zu", "mo", "ye", "te"]


def fake_name(rng: random.Random) -> tuple[str, str]:
    def word(n: int) -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(n)).capitalize()

    return word(rng.randint(2, 3)), f"Demo-{word(2)}"


@dataclass(frozen=True)
class Scenario:
    """A plausible pattern (S/2017/939 paras 4-11, 65; resolution 2331 para 11)."""

    situation: str
    route: list[tuple[str, str, str]]  # (country, area, role)
    forms: list[str]
    means: list[str]
    groups: list[str] = field(default_factory=list)
    perpetrator_type: str = "criminal_network"
    context: str = "in_conflict_zone"
    corridor: str = ""
    source: str = "case_management"
    displacement: str = "idp"
    minority: str = ""
    sex_weights: tuple[int, int] = (1, 1)  # female, male
    child_share: float = 0.3
    incident: bool = False  # reported as counts rather than named people
    years: tuple[int, int] = (2014, 2024)
    transport: str = "road"
    weight: int = 10  # how often the scenario is drawn (incidents are rarer than cases)


SCENARIOS = [
    Scenario(
        "libya",
        [
            ("ER", "Gash-Barka", "origin"),
            ("SD", "Khartoum", "transit"),
            ("LY", "Bani Walid", "exploitation"),
            ("IT", "Sicily", "identification"),
        ],
        ["forced_labour", "sexual_exploitation"],
        ["debt_bondage", "sale_in_market", "physical_violence", "false_promises"],
        context="during_flight",
        corridor="central_mediterranean",
        source="flow_monitoring",
        displacement="asylum_seeker",
        sex_weights=(1, 2),
        child_share=0.15,
    ),
    Scenario(
        "lake_chad_basin",
        [
            ("NG", "Borno", "origin"),
            ("NG", "Sambisa forest", "exploitation"),
            ("NG", "Maiduguri", "identification"),
        ],
        ["child_recruitment_support", "forced_marriage", "sexual_slavery"],
        ["abduction", "threats", "radicalisation"],
        groups=["boko_haram", "iswap"],
        perpetrator_type="terrorist_group",
        source="mrm",
        sex_weights=(3, 2),
        child_share=0.7,
    ),
    Scenario(
        "lake_chad_basin",
        [("NG", "Borno", "exploitation")],
        ["suicide_attack"],
        ["abduction", "radicalisation"],
        groups=["boko_haram"],
        perpetrator_type="terrorist_group",
        source="mrm",
        incident=True,
        years=(2016, 2018),
        weight=2,
    ),
    Scenario(
        "iraq",
        [
            ("IQ", "Sinjar", "origin"),
            ("SY", "Raqqa", "exploitation"),
            ("IQ", "Duhok", "identification"),
        ],
        ["sexual_slavery", "forced_marriage", "slavery_practices"],
        ["abduction", "sale_in_market", "reward_to_fighters", "online_sale_recruitment"],
        groups=["isil"],
        perpetrator_type="terrorist_group",
        minority="yazidi",
        sex_weights=(5, 1),
        child_share=0.4,
        years=(2014, 2019),
    ),
    Scenario(
        "syria",
        [("SY", "Deir ez-Zor", "origin"), ("TR", "Gaziantep", "exploitation")],
        ["forced_labour", "child_labour"],
        ["false_promises", "debt_bondage", "excessive_working_hours"],
        context="in_displacement",
        displacement="refugee",
        corridor="eastern_mediterranean",
        child_share=0.5,
    ),
    Scenario(
        "somalia",
        [("SO", "Lower Shabelle", "origin"), ("SO", "Middle Juba", "exploitation")],
        ["child_recruitment_combat", "child_recruitment_support"],
        ["abduction", "threats", "radicalisation"],
        groups=["al_shabaab"],
        perpetrator_type="terrorist_group",
        source="mrm",
        sex_weights=(1, 4),
        child_share=0.9,
    ),
    Scenario(
        "central_african_republic",
        [("CF", "Haut-Mbomou", "origin"), ("CD", "Bas-Uele", "exploitation")],
        ["sexual_slavery", "child_recruitment_combat", "forced_labour"],
        ["abduction", "physical_violence"],
        groups=["lra"],
        perpetrator_type="armed_group",
        source="mrm",
        child_share=0.6,
        transport="foot",
    ),
    Scenario(
        "dr_congo",
        [("CD", "North Kivu", "origin"), ("CD", "Walikale", "exploitation")],
        ["forced_labour", "child_recruitment_support"],
        ["abduction", "threats"],
        groups=["fdlr", "other_armed_group"],
        perpetrator_type="armed_group",
        source="mrm",
        child_share=0.6,
    ),
    Scenario(
        "colombia",
        [("CO", "Arauca", "origin"), ("CO", "Catatumbo", "exploitation")],
        ["child_recruitment_combat", "sexual_exploitation"],
        ["false_promises", "threats"],
        groups=["eln"],
        perpetrator_type="armed_group",
        source="mrm",
        child_share=0.8,
    ),
    Scenario(
        "philippines",
        [("PH", "Lanao del Sur", "exploitation")],
        ["human_shield"],
        ["threats", "abduction"],
        groups=["abu_sayyaf", "mnlf"],
        perpetrator_type="armed_group",
        source="mrm",
        incident=True,
        years=(2016, 2017),
        weight=2,
    ),
    Scenario(
        "myanmar_bangladesh",
        [
            ("MM", "Rakhine", "origin"),
            ("BD", "Cox's Bazar", "transit"),
            ("MY", "Penang", "exploitation"),
        ],
        ["forced_labour", "sexual_exploitation", "forced_marriage"],
        ["false_promises", "debt_bondage", "document_confiscation"],
        context="in_displacement",
        corridor="bay_of_bengal",
        displacement="refugee",
        minority="rohingya",
        transport="boat",
    ),
    Scenario(
        "yemen",
        [
            ("ET", "Oromia", "origin"),
            ("DJ", "Obock", "transit"),
            ("YE", "Lahj", "exploitation"),
            ("SA", "Jizan", "destination"),
        ],
        ["forced_labour", "sexual_exploitation"],
        ["debt_bondage", "physical_violence", "withholds_necessities"],
        context="during_flight",
        corridor="eastern_route",
        displacement="migrant",
        source="flow_monitoring",
        transport="boat",
    ),
    Scenario(
        "mali",
        [("ML", "Kidal", "exploitation"), ("NE", "Agadez", "transit")],
        ["forced_labour", "child_recruitment_support"],
        ["threats", "false_promises"],
        perpetrator_type="armed_group",
        corridor="sahel",
        source="investigation",
    ),
]


def _date(rng: random.Random, years: tuple[int, int]) -> dt.date:
    start = dt.date(years[0], 1, 1).toordinal()
    end = min(dt.date(years[1], 12, 31), dt.date.today()).toordinal()
    return dt.date.fromordinal(rng.randint(start, end))


# Forms that only a child can suffer (the code list's "child_" forms): an adult record never
# carries them, and a scenario made only of them yields children.
CHILD_ONLY = frozenset({"child_labour", "child_recruitment_combat", "child_recruitment_support"})
# Persons in one incident reported as counts: a handful, so the few incidents do not outweigh
# hundreds of individual cases in the statistics.
INCIDENT_SIZE = (1, 6)

# The case summary as an officer of the recording organisation writes it, in its working
# language; always marked synthetic.
SUMMARIES = {
    "en": "Synthetic demonstration record: {who} identified in {where} after {what}.",
    "fr": "Dossier de démonstration synthétique : {who} identifié·e à {where} après {what}.",
    "ar": "سجل توضيحي اصطناعي: {who} تم التعرف عليه في {where} بعد {what}.",
}
WHO = {
    "en": {"child": "a child", "adult": "an adult", "group": "a group of people"},
    "fr": {"child": "un enfant", "adult": "un adulte", "group": "un groupe de personnes"},
    "ar": {"child": "طفل", "adult": "شخص بالغ", "group": "مجموعة من الأشخاص"},
}
WHAT = {
    "en": "exploitation reported by a partner",
    "fr": "une exploitation signalée par un partenaire",
    "ar": "استغلال أبلغ عنه شريك",
}


def _summary(lang: str, who: str, where: str) -> str:
    lang = lang if lang in SUMMARIES else "en"
    return SUMMARIES[lang].format(who=WHO[lang][who], where=where, what=WHAT[lang])


def synthetic_record(rng: random.Random, index: int, lang: str = "en") -> dict[str, Any]:
    s = rng.choices(SCENARIOS, weights=[x.weight for x in SCENARIOS])[0]
    start = _date(rng, s.years)
    end = start + dt.timedelta(days=rng.randint(10, 700))
    end = min(end, dt.date.today())
    ident = min(end + dt.timedelta(days=rng.randint(1, 120)), dt.date.today())
    record: dict[str, Any] = {
        "reference": f"DEMO-{index:06d}",
        "summary": "",
        "source_type": s.source,
        "source_record_id": f"demo-{index:06d}",
        "verification_status": rng.choice(
            ["reported", "verified", "verified", "under_verification"]
        ),
        "conflict_situation": s.situation,
        "conflict_context": s.context,
        "country": s.route[-1][0],
        "area": s.route[-1][1],
        "event_date_start": start.isoformat(),
        "event_date_end": end.isoformat(),
        "identification_date": ident.isoformat(),
        "report_date": ident.isoformat(),
        "status": rng.choice(["active", "active", "follow_up", "closed"]),
    }
    child = rng.random() < s.child_share
    adult_forms = [f for f in s.forms if f not in CHILD_ONLY]
    if not adult_forms:
        child = True
    pool = s.forms if child else adult_forms
    forms = rng.sample(pool, k=rng.randint(1, len(pool)))
    means = rng.sample(s.means, k=rng.randint(1, len(s.means)))
    group = rng.choice(s.groups) if s.groups else ""
    record["summary"] = _summary(
        lang, "group" if s.incident else ("child" if child else "adult"), s.route[-1][1]
    )
    if s.incident:
        total = rng.randint(*INCIDENT_SIZE)
        girls = rng.randint(0, total)
        record["incidents"] = [
            {
                "key": "i1",
                "description": "Synthetic incident reported as counts.",
                "date_start": start.isoformat(),
                "date_end": end.isoformat(),
                "country": s.route[-1][0],
                "area": s.route[-1][1],
                "forms": forms,
                "means": means,
                "armed_group": group,
                "count_female_child": girls,
                "count_male_child": rng.randint(0, total - girls),
                "total_reported": total,
            }
        ]
        record["exploitations"] = [{"incident": "i1", "forms": forms, "means": means}]
    else:
        female = rng.random() < s.sex_weights[0] / sum(s.sex_weights)
        age = rng.randint(8, 17) if child else rng.randint(18, 45)
        given, family = fake_name(rng)
        victim = {
            "key": "v1",
            "given_name": given,
            "family_name": family,
            "date_of_birth": (
                ident - dt.timedelta(days=365 * age + rng.randint(0, 364))
            ).isoformat(),
            "sex": "female" if female else "male",
            "age_at_identification": age,
            "age_at_exploitation": max(0, age - rng.randint(0, 2)),
            "citizenship": s.route[0][0],
            "displacement_status": s.displacement,
            "care_status": rng.choice(["unaccompanied", "separated", "accompanied"])
            if child
            else "not_applicable",
            "minority_group": s.minority,
            "trafficking_status": rng.choice(["possible", "actual", "actual"]),
            "consent_services": True,
            "consent_sharing": rng.random() < 0.6,
            "consent_evidence": rng.random() < 0.3,
        }
        record["victims"] = [victim]
        exploitation = {
            "victim": "v1",
            "forms": forms,
            "means": means,
            "country": s.route[-1][0] if s.route[-1][2] == "exploitation" else s.route[-2][0],
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
        }
        if "forced_labour" in forms:
            exploitation["labour_sectors"] = [
                rng.choice(["agriculture", "construction", "domestic_work", "mining"])
            ]
        record["exploitations"] = [exploitation]
        record["referrals"] = [
            {
                "victim": "v1",
                "service": rng.choice(["medical", "psychosocial", "legal", "shelter"]),
                "status": "accepted",
                "referred_on": ident.isoformat(),
            }
        ]
    perp: dict[str, Any] = {
        "perpetrator_type": s.perpetrator_type,
        "role": rng.choice(["recruiter", "exploiter", "transporter", "seller", "buyer"]),
    }
    if group:
        perp.update(kind="group", group_code=group)
    else:
        perp.update(kind="group", group_name="Unnamed smuggling network (synthetic)")
    record["perpetrators"] = [perp]
    record["route"] = [
        {
            "sequence": i,
            "country": c,
            "area": a,
            "role": r,
            "transport_mode": s.transport if i < len(s.route) else "",
            "corridor": s.corridor if r in ("transit", "destination", "identification") else "",
        }
        for i, (c, a, r) in enumerate(s.route, 1)
    ]
    return record


def synthetic_records(
    rng: random.Random, n: int, lang: str | list[str] = "en"
) -> Iterator[dict[str, Any]]:
    """``lang``: the language of the summaries, or one per record in turn (the owners')."""
    langs = [lang] if isinstance(lang, str) else lang
    for i in range(1, n + 1):
        yield synthetic_record(rng, i, langs[(i - 1) % len(langs)])


def ctdc_rows(rng: random.Random, n: int) -> Iterator[list[str]]:
    """``n`` rows in the 63-column CTDC layout (header not included)."""
    countries = ["NG", "ER", "SY", "IQ", "LY", "SO", "KH", "UA", "MM", "BD", "00", "-99"]
    bands = ["0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+"]
    for _ in range(n):
        row = {c: "-99" for c in layouts.CTDC_COLUMNS}
        band = rng.choice(bands)
        row.update(
            yearOfRegistration=str(rng.randint(2002, 2020)),
            Datasource=rng.choice(["Case Management", "Hotline"]),
            gender=rng.choice(["Female", "Male"]),
            ageBroad=band,
            majorityStatus="Minor" if band in ("0--8", "9--17") else "Adult",
            citizenship=rng.choice(countries),
            CountryOfExploitation=rng.choice(countries[:-2]),
        )
        for column in rng.sample(layouts.CTDC_COLUMNS[8:26], k=rng.randint(1, 4)):
            row[column] = "1"
        row[rng.choice(["isForcedLabour", "isSexualExploit", "isForcedMilitary"])] = "1"
        yield [row[c] for c in layouts.CTDC_COLUMNS]


GENERATED_LAYOUTS = ("ctdc", "vigie", "htcds")


IDENTITY_COLUMNS = ("victim.given_name", "victim.family_name", "victim.date_of_birth")


def vigie_columns(identities: bool = False) -> list[str]:
    """The columns of a generated ``vigie`` layout file: every field except identities, or
    with ``identities`` also the synthetic names and date of birth (encrypted on import)."""
    from vigie.cases import records
    from vigie.cases.interchange import mapping

    columns = [t for t in mapping.vigie_fields() if t.split(".", 1)[1] not in records.IDENTITY]
    return columns + list(IDENTITY_COLUMNS) if identities else columns


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return "" if value is None else str(value)


def vigie_rows(rng: random.Random, n: int, identities: bool = False) -> Iterator[list[str]]:
    """``n`` synthetic records flattened to the ``vigie`` layout (first victim, exploitation
    and perpetrator of each; synthetic identities only if asked). Header not included."""
    columns = vigie_columns(identities)
    for record in synthetic_records(rng, n):
        parts = {
            "case": record,
            "victim": (record.get("victims") or [{}])[0],
            "exploitation": (record.get("exploitations") or [{}])[0],
            "perpetrator": (record.get("perpetrators") or [{}])[0],
        }
        row = []
        for column in columns:
            section, name = column.split(".", 1)
            row.append(_text(parts[section].get(name)))
        yield row


def write_file(
    path: Path, n: int, seed: int, layout: str = "ctdc", identities: bool = False
) -> int:
    """Write ``n`` deterministic synthetic rows to ``path`` as CSV, streamed; rows written.

    ``identities`` (vigie layout only): add synthetic names and dates of birth ("Demo-...")."""
    if layout not in GENERATED_LAYOUTS:
        raise ValueError(f"layout {layout!r}: expected one of {', '.join(GENERATED_LAYOUTS)}")
    rng = random.Random(seed)
    if layout == "htcds":
        return _write_htcds(path, rng, n)
    if layout == "ctdc":
        header, rows = list(layouts.CTDC_COLUMNS), ctdc_rows(rng, n)
    else:
        header, rows = vigie_columns(identities), vigie_rows(rng, n, identities)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            written += 1
    return written


def htcds_rows(rng: random.Random, n: int) -> Iterator[dict[str, str]]:
    """Synthetic records as rows of the HTCDS v2.0 spreadsheet (one per victim; records
    reported only as incident counts give no row, so there may be fewer than ``n``)."""
    from vigie.cases.interchange import htcds_sheet

    for record in synthetic_records(rng, n):
        for victim in record.get("victims") or []:
            victim.setdefault("uuid", victim.get("key"))
        yield from htcds_sheet.record_rows(record, with_identity=False)


def _write_htcds(path: Path, rng: random.Random, n: int) -> int:
    from vigie.cases.interchange import htcds_sheet

    return htcds_sheet.write(path, htcds_rows(rng, n))
