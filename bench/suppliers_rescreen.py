"""Continuous screening of suppliers: N saved subjects (half suppliers, half owners) are
re-screened after a watchlist update, and the hits the update made new, changed or removed
are queued for the procurement officer; compared with the batch screening of the same N
names against the lists in force, in the same run (screening.batch.run, one process).

The update is the real one between the two UN Consolidated List snapshots of ../shared/data
(2020-11-30 -> 2025-04-19: entries added, removed, amended), or, without them, a synthetic
debarment list and its next version. Owners are synthetic names; 20 of them carry the name of
an entry the update adds, so the queue gets new hits.

Measured: ``update_s`` = load of the new version (parse, diff, the screening app's
re-screening of every subject against the entries added or amended) + the suppliers' queue
(vigie.suppliers.watch); ``batch_s`` = the same names screened by the batch path against
every list in force. ``*_100k_s``: linear extrapolation to 100,000 subjects (target < 60 s);
it scales the list's own load (parse, diff) too, which does not grow with subjects: run
``--n 100000`` to measure.
The previous index is read from the disk cache, as in a new job process; rigour's tagger is
already started (the setup screened the lists' names in this process).

Prints one JSON line. `python bench/suppliers_rescreen.py [--n 10000]`.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.test")
os.environ.setdefault("VIGIE_DATA_DIR", tempfile.mkdtemp(prefix="vigie-bench-"))

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from vigie.core.events import records_changed  # noqa: E402
from vigie.core.models import Organisation  # noqa: E402
from vigie.devtools.shared_data import SHARED_DATA  # noqa: E402
from vigie.screening import batch, selectors  # noqa: E402
from vigie.screening import services as screening  # noqa: E402
from vigie.screening.models import ListEntry, Subject  # noqa: E402
from vigie.suppliers import watch  # noqa: E402
from vigie.suppliers.models import Alert, Party, Supplier  # noqa: E402

WORDS = ["Sahel", "Meridian", "Baobab", "Harmattan", "Kivu", "Volta", "Cedar", "Atlas", "Orion"]
TRADES = ["Logistics", "Bricks", "Garments", "Catering", "Fuel", "Telecom", "Cocoa", "Fishing"]
FORMS = ["SARL", "Ltd", "LLC", "SA", "Trading"]
GIVEN = ["Amadou", "Nadia", "Omar", "Ines", "Yusuf", "Mariam", "Pavel", "Lina", "Tarek", "Sofia"]
FAMILY = ["Synthetique", "Fictif", "Example", "Sample", "Placeholder", "Invented", "Mock"]
UN = SHARED_DATA / "un-sanctions"


SMALL_ADDED = (
    "<INDIVIDUAL><DATAID>1</DATAID><VERSIONNUM>1</VERSIONNUM><FIRST_NAME>Synthetic</FIRST_NAME>"
    "<SECOND_NAME>Benchmark Listedperson</SECOND_NAME><UN_LIST_TYPE>Libya</UN_LIST_TYPE>"
    "<REFERENCE_NUMBER>LYi.999</REFERENCE_NUMBER><LISTED_ON>2026-01-01</LISTED_ON>"
    "<COMMENTS1/><LIST_TYPE><VALUE>UN List</VALUE></LIST_TYPE></INDIVIDUAL>"
)


def lists(tmp: Path, small: bool = False) -> tuple[Path, Path, str | None]:
    old, new = UN / "UN_consolidated_2020-11-30.xml", UN / "UN_consolidated_2025-04-19.xml"
    if small and new.exists():
        # A typical update: the 2025 list with one entry added and one amended (a comment).
        text = new.read_text(encoding="utf-8")
        text = text.replace("</INDIVIDUALS>", SMALL_ADDED + "</INDIVIDUALS>", 1)
        text = text.replace("<COMMENTS1>", "<COMMENTS1>Amended. ", 1)
        updated = tmp / "UN_consolidated_2025-04-19-plus-one.xml"
        updated.write_text(text, encoding="utf-8")
        return new, updated, None
    if old.exists() and new.exists():
        return old, new, None
    header = "Firm Name,Type,Country,Ineligibility Period From,Grounds\n"
    rng = random.Random(7)
    rows = [
        f"{rng.choice(WORDS)} {rng.choice(TRADES)} {i} {rng.choice(FORMS)},firm,France,2024-01-01,"
        "Fraud"
        for i in range(3000)
    ]
    a, b = tmp / "debarred-v1.csv", tmp / "debarred-v2.csv"
    a.write_text(header + "\n".join(rows) + "\n")
    added = [
        f"Listed Person {i} Synthetique,individual,France,2026-01-01,Fraud" for i in range(200)
    ]
    b.write_text(header + "\n".join(rows[100:] + added) + "\n")
    return a, b, "debarment"


def setup(n: int, tmp: Path, small: bool = False) -> tuple[Path, list[str]]:
    call_command("migrate", verbosity=0)
    org = Organisation.objects.create(code="bench", name="Bench")
    old, new, source = lists(tmp, small)
    screening.load_list(old, source, code="bench-list")
    # Suppliers are screened when registered: the index over the lists before the update
    # exists (in the data directory's cache) when the update loads.
    selectors.screening_index()
    # names the update adds (read from the new file, before it is loaded)
    from vigie.screening.parsers import parse

    before = set(ListEntry.objects.values_list("reference", flat=True))
    added = [e for e in parse(new, source).entries if e.reference not in before]
    added_names = [e.caption for e in added if e.schema == "Person"][:20]
    rng = random.Random(2331)
    names: list[str] = []
    suppliers: list[Supplier] = []
    subjects: list[Subject] = []
    half = n // 2
    for i in range(half):
        firm = f"{rng.choice(WORDS)} {rng.choice(TRADES)} {rng.choice(FORMS)} {i}"
        owner = (
            added_names[i]
            if i < len(added_names)
            else f"{rng.choice(GIVEN)} {rng.choice(GIVEN)} {rng.choice(FAMILY)} {i}"
        )
        names += [firm, owner]
        for name, kind in ((firm, "Organization"), (owner, "Person")):
            s = Subject(
                organisation=org, kind=kind, name=name, external_id=f"B-{i}", purpose="supplier"
            )
            s.fingerprint = screening.subject_fingerprint(s)
            subjects.append(s)
    Subject.objects.bulk_create(subjects, batch_size=2000)
    subjects = list(Subject.objects.filter(organisation=org).order_by("pk"))
    for i in range(half):
        suppliers.append(
            Supplier(
                organisation=org, reference=f"B-{i}", name=names[2 * i], subject=subjects[2 * i]
            )
        )
    Supplier.objects.bulk_create(suppliers, batch_size=2000)
    by_ref = {s.reference: s for s in Supplier.objects.filter(organisation=org)}
    Party.objects.bulk_create(
        [
            Party(
                supplier=by_ref[f"B-{i}"],
                role="owner",
                name=names[2 * i + 1],
                subject=subjects[2 * i + 1],
            )
            for i in range(half)
        ],
        batch_size=2000,
    )
    csv_path = tmp / "names.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        # with the subjects' kinds, so the batch screens the queries the re-screening does
        w.writerow(["id", "name", "schema"])
        w.writerows(
            [i, name, "Organization" if i % 2 == 0 else "Person"] for i, name in enumerate(names)
        )
    return new, [source or ""]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument(
        "--update",
        choices=["years", "small"],
        default="years",
        help="years: the UN list 2020-11-30 -> 2025-04-19 (45 added, 668 amended, 186 removed);"
        " small: the 2025 list -> the same with one entry added and one amended",
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="vigie-bench-sup-"))
    t0 = time.perf_counter()
    new, (source,) = setup(args.n, tmp, args.update == "small")
    setup_s = time.perf_counter() - t0
    # the queue is built here, timed apart, rather than by the job the event starts
    records_changed.disconnect(dispatch_uid="suppliers.records_changed")
    selectors._INDEX = None  # the load job's process reads the previous index from the disk
    rescreen = screening.rescreen_for_version
    spent: list[float] = []
    spent_cpu: list[float] = []

    def timed(version: object) -> object:
        t, c = time.perf_counter(), time.process_time()
        try:
            return rescreen(version)  # type: ignore[arg-type]
        finally:
            spent.append(time.perf_counter() - t)
            spent_cpu.append(time.process_time() - c)

    screening.rescreen_for_version = timed  # type: ignore[assignment]
    t, c = time.perf_counter(), time.process_time()
    result = screening.load_list(new, source or None, code="bench-list")
    counts = watch.alerts_for_version(result.version)
    update_s, update_cpu_s = time.perf_counter() - t, time.process_time() - c
    index = selectors.screening_index()
    t, c = time.perf_counter(), time.process_time()
    summary = batch.run(index, tmp / "names.csv", io.StringIO(), workers=1)
    batch_s, batch_cpu_s = time.perf_counter() - t, time.process_time() - c
    scale = 100_000 / args.n
    print(
        json.dumps(
            {
                "bench": "suppliers_rescreen",
                "subjects": args.n,
                "list_update": (
                    "synthetic"
                    if source
                    else "un-sc 2025-04-19 + 1 added, 1 amended"
                    if args.update == "small"
                    else "un-sc 2020-11-30 -> 2025-04-19"
                ),
                "added": len(result.added),
                "amended": len(result.amended),
                "removed": len(result.removed),
                "setup_s": round(setup_s, 2),
                # load of the version (parse, diff) + re-screening + the suppliers' queue
                "update_s": round(update_s, 2),
                "update_cpu_s": round(update_cpu_s, 2),
                # of which the re-screening (index built from the previous one, subjects
                # screened against the changed entries, hits written)
                "rescreen_s": round(sum(spent), 2),
                "rescreen_cpu_s": round(sum(spent_cpu), 2),
                "queued": counts,
                "alerts": Alert.objects.count(),
                "batch_s": round(batch_s, 2),
                "batch_cpu_s": round(batch_cpu_s, 2),
                "batch_rows": summary["rows"],
                "ratio_update_to_batch": round(update_s / batch_s, 3) if batch_s else None,
                "ratio_update_to_batch_cpu": (
                    round(update_cpu_s / batch_cpu_s, 3) if batch_cpu_s else None
                ),
                "update_100k_s": round(update_s * scale, 1),
                "batch_100k_s": round(batch_s * scale, 1),
                "target_100k_s": 60,
                "load_avg_1m": round(os.getloadavg()[0], 2),
                "command": "python bench/suppliers_rescreen.py "
                f"--n {args.n} --update {args.update}",
            }
        )
    )


if __name__ == "__main__":
    main()
