"""Supplier registration at scale: ``vigie suppliers import`` of a CSV of N suppliers, each
with one beneficial owner and one product, through the supplier aggregate's one writer
(services.create_suppliers, batches of importer.BATCH): suppliers, parties (names encrypted,
blind index), products, screening subjects (encrypted), each subject screened against the
lists in force (the UN Consolidated List of ../shared/data, else a synthetic debarment
list), hits queued, risk scored.

Baseline, same run: a bare ``sqlite3`` ``executemany`` of the same rows (suppliers, parties,
subjects, products) into tables of the same columns, with the same encryption
(``crypto.encrypt_many``) and blind indexes, and nothing else (no check, no screening, no
score). ``screen_s``: the part of the import spent in the screening index (the names'
analysis and comparison, which the baseline does not do); ``writes_s`` the rest.

Prints one JSON line. `python bench/suppliers_import.py [--n 10000]`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sqlite3
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.test")
os.environ.setdefault("VIGIE_DATA_DIR", tempfile.mkdtemp(prefix="vigie-bench-"))
_dol = Path(os.environ.get("VIGIE_SHARED_DATA") or "../shared/data") / "dol-goods"
if _dol.is_dir():  # the risk score from the real DOL lists
    os.environ.setdefault("VIGIE_SUPPLIERS_DOL_DIR", str(_dol.resolve()))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from vigie.core import crypto  # noqa: E402
from vigie.core.actor import Actor  # noqa: E402
from vigie.core.models import Organisation  # noqa: E402
from vigie.devtools.shared_data import SHARED_DATA  # noqa: E402
from vigie.screening import engine, selectors  # noqa: E402
from vigie.screening import services as screening  # noqa: E402
from vigie.screening.models import Subject  # noqa: E402
from vigie.suppliers import importer  # noqa: E402
from vigie.suppliers.models import Alert, Party, Supplier  # noqa: E402

WORDS = ["Sahel", "Meridian", "Baobab", "Harmattan", "Kivu", "Volta", "Cedar", "Atlas", "Orion"]
TRADES = ["Logistics", "Bricks", "Garments", "Catering", "Fuel", "Telecom", "Cocoa", "Fishing"]
FORMS = ["SARL", "Ltd", "LLC", "SA", "Trading"]
GIVEN = ["Amadou", "Nadia", "Omar", "Ines", "Yusuf", "Mariam", "Pavel", "Lina", "Tarek", "Sofia"]
FAMILY = ["Synthetique", "Fictif", "Example", "Sample", "Placeholder", "Invented", "Mock"]
COUNTRIES = ["MM", "BD", "IN", "CI", "UZ", "TH", "BO", "CD", "FR", "KE", "NG", "PK"]
PRODUCTS = [("Clay bricks", "30131600"), ("Cotton garments", ""), ("Cocoa beans", "")]
UN = SHARED_DATA / "un-sanctions" / "UN_consolidated_2025-04-19.xml"


def cpu() -> float:
    """CPU seconds of this process and its children."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def rows(n: int) -> list[dict[str, str]]:
    rng = random.Random(2331)
    out = []
    for i in range(n):
        product, unspsc = rng.choice(PRODUCTS)
        out.append(
            {
                "supplier.reference": f"S-{i:06d}",
                "supplier.name": f"{rng.choice(WORDS)} {rng.choice(TRADES)} "
                f"{rng.choice(FORMS)} {i}",
                "supplier.country": rng.choice(COUNTRIES),
                "owner.name": f"{rng.choice(GIVEN)} {rng.choice(GIVEN)} {rng.choice(FAMILY)} {i}",
                "owner.nationality": rng.choice(COUNTRIES),
                "owner.share": "100",
                "product.description": product,
                "product.unspsc": unspsc,
            }
        )
    return out


def setup(tmp: Path) -> str:
    call_command("migrate", verbosity=0)
    if UN.exists():
        screening.load_list(UN, code="un-sc")
        lists = "un-sc 2025-04-19"
    else:
        path = tmp / "debarred.csv"
        rng = random.Random(7)
        body = [
            f"{rng.choice(WORDS)} {rng.choice(TRADES)} {i} {rng.choice(FORMS)},firm,France,"
            "2024-01-01,Fraud"
            for i in range(3000)
        ]
        path.write_text(
            "Firm Name,Type,Country,Ineligibility Period From,Grounds\n" + "\n".join(body)
        )
        screening.load_list(path, "debarment", code="debarment")
        lists = "synthetic debarment (3,000 firms)"
    selectors.screening_index()
    return lists


def bare(data: list[dict[str, str]], path: Path) -> None:
    """The same rows with the same encryption, written with sqlite3 alone."""
    db = sqlite3.connect(path)
    db.executescript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        "CREATE TABLE subject (id INTEGER PRIMARY KEY, kind TEXT, name TEXT, name_index TEXT,"
        " country TEXT, external_id TEXT, purpose TEXT, fingerprint TEXT);"
        "CREATE INDEX subject_name_index ON subject (name_index);"
        "CREATE TABLE supplier (id INTEGER PRIMARY KEY, reference TEXT UNIQUE, name TEXT,"
        " country TEXT, subject_id INTEGER, risk_score INTEGER);"
        "CREATE TABLE party (id INTEGER PRIMARY KEY, supplier_id INTEGER, role TEXT, name TEXT,"
        " name_index TEXT, nationality TEXT, share TEXT, subject_id INTEGER);"
        "CREATE INDEX party_name_index ON party (name_index);"
        "CREATE TABLE product (id INTEGER PRIMARY KEY, supplier_id INTEGER, description TEXT,"
        " unspsc TEXT, country TEXT);"
    )
    n = len(data)
    firms = [r["supplier.name"] for r in data]
    owners = [r["owner.name"] for r in data]
    subj_names = crypto.encrypt_many(
        (name for pair in zip(firms, owners, strict=True) for name in pair),
        "screening.subject.name",
    )
    party_names = crypto.encrypt_many(owners, "suppliers.party.name")
    subjects = []
    for i, r in enumerate(data):
        for j, (name, kind, country) in enumerate(
            (
                (firms[i], "Organization", r["supplier.country"]),
                (owners[i], "Person", r["owner.nationality"]),
            )
        ):
            fingerprint = crypto.blind_index(
                "\x1f".join([kind, name, "", country, ""]), "screening.subject.fingerprint"
            )
            subjects.append(
                (
                    2 * i + j + 1,
                    kind,
                    subj_names[2 * i + j],
                    crypto.blind_index(name, "screening.subject.name"),
                    country,
                    r["supplier.reference"],
                    "supplier",
                    fingerprint,
                )
            )
    with db:
        db.executemany("INSERT INTO subject VALUES (?,?,?,?,?,?,?,?)", subjects)
        db.executemany(
            "INSERT INTO supplier VALUES (?,?,?,?,?,?)",
            [
                (i + 1, r["supplier.reference"], firms[i], r["supplier.country"], 2 * i + 1, 0)
                for i, r in enumerate(data)
            ],
        )
        db.executemany(
            "INSERT INTO party VALUES (?,?,?,?,?,?,?,?)",
            [
                (
                    i + 1,
                    i + 1,
                    "owner",
                    party_names[i],
                    crypto.blind_index(owners[i], "suppliers.party.name"),
                    r["owner.nationality"],
                    r["owner.share"],
                    2 * i + 2,
                )
                for i, r in enumerate(data)
            ],
        )
        db.executemany(
            "INSERT INTO product VALUES (?,?,?,?,?)",
            [
                (i + 1, i + 1, r["product.description"], r["product.unspsc"], "")
                for i, r in enumerate(data)
            ],
        )
    assert db.execute("SELECT count(*) FROM party").fetchone()[0] == n
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="vigie-bench-supimport-"))
    lists = setup(tmp)
    org = Organisation.objects.create(code="bench", name="Bench")
    data = rows(args.n)
    path = tmp / "suppliers.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(data[0]))
        w.writeheader()
        w.writerows(data)

    # the screening index's time inside the import, measured apart
    screen = engine.ScreeningIndex.screen
    spent = [0.0, 0.0]

    def timed(self: engine.ScreeningIndex, *a: object, **k: object) -> object:
        t, c = time.perf_counter(), time.process_time()
        try:
            return screen(self, *a, **k)  # type: ignore[arg-type]
        finally:
            spent[0] += time.perf_counter() - t
            spent[1] += time.process_time() - c

    engine.ScreeningIndex.screen = timed  # type: ignore[assignment,method-assign]
    t, c = time.perf_counter(), cpu()
    result = importer.import_file(Actor.system("bench", org.pk), org, path)
    import_s, import_cpu_s = time.perf_counter() - t, cpu() - c
    engine.ScreeningIndex.screen = screen  # type: ignore[method-assign]
    assert not result.errors, result.errors[:3]
    assert Supplier.objects.count() == args.n and Party.objects.count() == args.n

    t, c = time.perf_counter(), cpu()
    bare(data, tmp / "bare.sqlite3")
    bare_s, bare_cpu_s = time.perf_counter() - t, cpu() - c
    writes_s, writes_cpu_s = import_s - spent[0], import_cpu_s - spent[1]
    print(
        json.dumps(
            {
                "bench": "suppliers_import",
                "suppliers": args.n,
                "subjects": Subject.objects.count(),
                "lists": lists,
                "alerts": Alert.objects.count(),
                "import_s": round(import_s, 2),
                "import_cpu_s": round(import_cpu_s, 2),
                "screen_s": round(spent[0], 2),
                "screen_cpu_s": round(spent[1], 2),
                "writes_s": round(writes_s, 2),
                "writes_cpu_s": round(writes_cpu_s, 2),
                "bare_s": round(bare_s, 2),
                "bare_cpu_s": round(bare_cpu_s, 2),
                "ratio_import_to_bare": round(import_s / bare_s, 2) if bare_s else None,
                "ratio_writes_to_bare_cpu": (
                    round(writes_cpu_s / bare_cpu_s, 2) if bare_cpu_s else None
                ),
                "per_supplier_ms": round(1000 * import_s / args.n, 2),
                "load_avg_1m": round(os.getloadavg()[0], 2),
                "command": f"python bench/suppliers_import.py --n {args.n}",
            }
        )
    )


if __name__ == "__main__":
    main()
