"""Cold start of ``vigie screen NAME`` (a new process each time) against UN + OFAC SDN loaded
into a fresh data directory: without the on-disk index cache (the index is built and the
cache written) and with it (the cache is read). Baselines in the same run: the same command's
fixed cost (``vigie lists show --json``: Python, Django, migrations check; no index) and
rigour's tagger start-up alone (one ``analyze_names`` call in a bare Python process), which
every process that analyses a name pays once.

Prints one JSON line. `python bench/screening_coldstart.py [--repeat 2]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VIGIE = str(Path(sys.executable).with_name("vigie"))
SHARED = ROOT.parent / "shared" / "data"  # ../shared/data beside the repository
LISTS = ("un-sanctions/UN_consolidated_2025-04-19.xml", "ofac/sdn.csv")
NAME = "Muhammad Qaddafi"
TAGGER = (
    "from rigour.names import analyze_names, NameTypeTag;"
    "analyze_names(NameTypeTag.PER, ['Muhammad Qaddafi'], consolidate=False)"
)


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    t = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - t, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--shared", type=Path, default=SHARED)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="vigie-bench-cold-"))
    env = {**os.environ, "VIGIE_DATA_DIR": str(data)}
    subprocess.run([VIGIE, "migrate"], env=env, check=True, capture_output=True)
    for rel in LISTS:
        subprocess.run(
            [VIGIE, "lists", "load", str(args.shared / rel), "--json", "--as-system"],
            env=env,
            check=True,
            capture_output=True,
        )
    cache = data / "screening"
    fixed, without, with_cache, tagger = [], [], [], []
    matches = 0
    for _ in range(args.repeat):
        fixed.append(timed([VIGIE, "lists", "show", "--json"], env)[0])
        tagger.append(timed([sys.executable, "-c", TAGGER], env)[0])
        for path in cache.glob("index-*.pickle"):
            path.unlink()
        seconds, _out = timed([VIGIE, "screen", NAME, "--json"], env)
        without.append(seconds)
        seconds, out = timed([VIGIE, "screen", NAME, "--json"], env)
        with_cache.append(seconds)
        matches = len(json.loads(out)["matches"])
    size = sum(p.stat().st_size for p in cache.glob("index-*.pickle"))
    print(
        json.dumps(
            {
                "bench": "screening_coldstart",
                "query": NAME,
                "matches": matches,
                "repeat": args.repeat,
                "screen_without_cache_s": round(statistics.median(without), 2),
                "screen_with_cache_s": round(statistics.median(with_cache), 2),
                "baseline_cli_fixed_s": round(statistics.median(fixed), 2),
                "baseline_rigour_tagger_s": round(statistics.median(tagger), 2),
                "cache_file_mb": round(size / 1e6, 1),
                "load_avg_1m": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
