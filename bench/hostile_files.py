"""Peak memory of reading hostile files (issue 15), each in a fresh child process through
``vigie.core.files`` (what every importer uses), against the bound we state, in the same run:

    bound = baseline + 4 x max_part_bytes (64 MiB by default: 256 MiB)

where ``baseline`` is the peak RSS of the same child reading a small legitimate workbook.
The files: one shared string of 64 MiB and of 1 GiB (the issue's 70 KB and 1 MB files), a
worksheet that inflates to 512 MiB, the same with a central directory that declares 1,000
bytes, a workbook of 2,000,000 + 1 rows (refused at max_rows), a value in column XFD, a CSV
line of 256 MiB, and an entity bomb. For contrast, ``unguarded_*`` reads the 64 MiB file
with plain openpyxl (what the importer did before).

Prints one JSON line. ``python bench/hostile_files.py [--quick]`` (``--quick``: no 1 GiB
string).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

READ = """
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.test")
import django
django.setup()
from pathlib import Path
from vigie.core import files
from vigie.core.errors import VigieError
path = Path(sys.argv[1])
started = time.perf_counter()
outcome = "read"
try:
    for _row in files.table_rows(path):
        pass
except VigieError as exc:
    outcome = exc.code + ": " + (exc.detail.get("setting") or "")
print(outcome, round(time.perf_counter() - started, 2))
"""
UNGUARDED = """
import sys, time, openpyxl
started = time.perf_counter()
book = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
for _row in book.worksheets[0].iter_rows(values_only=True):
    pass
print("read", round(time.perf_counter() - started, 2))
"""


def peak_rss_mib(code: str, path: Path) -> tuple[dict[str, object], float]:
    """Run the reader in a child; its result and its own peak RSS (MiB)."""
    env = {**os.environ, "VIGIE_DATA_DIR": tempfile.mkdtemp(prefix="vigie-bench-")}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{path.name}: child failed: {err.decode()[-2000:]}")
    outcome, seconds = out.decode().strip().rsplit(" ", 1)
    return {"outcome": outcome, "seconds": float(seconds)}, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    from vigie.core.tests import hostile

    work = Path(tempfile.mkdtemp(prefix="vigie-hostile-"))
    files = {
        "baseline": hostile.many_rows(work / "ok.xlsx", 100),
        "cell_64mib": hostile.huge_cell(work / "cell64.xlsx", 64),
        "zip_bomb_512mib": hostile.zip_bomb(work / "bomb.xlsx", 512),
        "lying_sizes_512mib": hostile.lying_sizes(work / "lying.xlsx", 512),
        "wide_row_xfd": hostile.wide_row(work / "wide.xlsx", "XFD"),
        "entity_bomb": hostile.entity_bomb(work / "entities.xlsx"),
    }
    files["row_2000001"] = hostile.row_gap(work / "gap.xlsx", 2_000_001)
    files["rows_100000"] = hostile.many_rows(work / "rows.xlsx", 100_000)  # legitimate
    if not args.quick:
        files["cell_1gib"] = hostile.huge_cell(work / "cell1g.xlsx", 1024)
    line = work / "line.csv"
    with line.open("wb") as fh:
        fh.write(b"a,b\n1,")
        block = b"x" * 1024**2
        for _ in range(256):
            fh.write(block)
    files["csv_line_256mib"] = line

    results: dict[str, object] = {}
    _base, baseline = peak_rss_mib(READ, files.pop("baseline"))
    bound = baseline + 4 * 64
    worst = 0.0
    for name, path in files.items():
        started = time.perf_counter()
        result, rss = peak_rss_mib(READ, path)
        worst = max(worst, rss)
        results[name] = {
            "file_bytes": path.stat().st_size,
            "peak_rss_mib": round(rss, 1),
            "wall_s": round(time.perf_counter() - started, 2),
            **result,
        }
    unguarded, unguarded_rss = peak_rss_mib(UNGUARDED, work / "cell64.xlsx")
    print(
        json.dumps(
            {
                "bench": "hostile_files",
                "baseline_peak_rss_mib": round(baseline, 1),
                "bound_mib": round(bound, 1),
                "worst_peak_rss_mib": round(worst, 1),
                "within_bound": worst <= bound,
                "unguarded_cell_64mib_peak_rss_mib": round(unguarded_rss, 1),
                "unguarded_cell_64mib": unguarded,
                "files": results,
            }
        )
    )


if __name__ == "__main__":
    main()
