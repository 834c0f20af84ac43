"""Field collection (issue 19): publishing the HTCDS XLSForm, and OpenRosa submissions over
loopback.

1. Publish: ``services.publish_form`` on the HTCDS XLSForm (convert, read the questions,
   store, publish) against pyxform's ``convert`` alone on the same bytes (median of runs).
2. Submissions: waitress serves Vigie on 127.0.0.1 (8 threads); ``--concurrency`` client
   threads POST ``--submissions`` multipart OpenRosa submissions (HTTP Basic, a device's
   credentials), every tenth one sent twice (must answer 202, not be stored again). The
   baseline, in the same run and server, is a bare WSGI function that only writes the
   request body to a file. Checks: nothing lost, no duplicate.

Prints one JSON line. ``python bench/collection.py [--submissions 500] [--concurrency 8]``
"""

from __future__ import annotations

import argparse
import base64
import http.client
import io
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

WORK = Path(tempfile.mkdtemp(prefix="vigie-bench-collection-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings.dev")
os.environ["VIGIE_DATA_DIR"] = str(WORK / "data")
os.environ.pop("DATABASE_URL", None)
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from pyxform.xls2xform import convert  # noqa: E402
from waitress.server import create_server  # noqa: E402

from vigie.collection import services  # noqa: E402
from vigie.collection.models import Submission  # noqa: E402
from vigie.core.actor import Actor  # noqa: E402
from vigie.core.models import Organisation  # noqa: E402

HTCDS = Path(__file__).resolve().parents[1] / "src/vigie/collection/data/forms/htcds_xlsform.xlsx"
BOUNDARY = "vigiebenchboundary"


def _median_ms(fn: Any, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def bench_publish(org: Organisation, runs: int) -> dict[str, float]:
    data = HTCDS.read_bytes()
    actor = Actor.system("benchmark")
    pyxform_ms = _median_ms(lambda: convert(xlsform=io.BytesIO(data), file_type=".xlsx"), runs)
    vigie_ms = _median_ms(lambda: services.publish_form(actor, data, HTCDS.name, [org]), runs)
    return {
        "publish_ms": round(vigie_ms, 1),
        "pyxform_ms": round(pyxform_ms, 1),
        "publish_ratio": round(vigie_ms / pyxform_ms, 2),
    }


def body_for(version: str, instance_id: str) -> bytes:
    xml = (
        f'<data id="htcds_xlsform" version="{version}"><prs_Gender>Feminine</prs_Gender>'
        "<prs_Citizenship>IQ</prs_Citizenship><vic_TypeOfExploitation>ForcedLabour"
        f"</vic_TypeOfExploitation><meta><instanceID>{instance_id}</instanceID></meta></data>"
    )
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="xml_submission_file"; '
        f'filename="submission.xml"\r\nContent-Type: text/xml\r\n\r\n{xml}\r\n--{BOUNDARY}--\r\n'
    ).encode()


def bare_app(sink: Path) -> Any:
    lock = threading.Lock()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        with lock, sink.open("ab") as f:
            f.write(body)
        start_response("201 Created", [("Content-Type", "text/plain")])
        return [b"ok"]

    return app


def router(vigie: Any, bare: Any) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO", "").startswith("/bare"):
            return bare(environ, start_response)
        return vigie(environ, start_response)

    return app


def post_all(port: int, path: str, bodies: list[bytes], auth: str, workers: int) -> list[Any]:
    local = threading.local()
    opened: list[http.client.HTTPConnection] = []

    def send(body: bytes) -> tuple[int, float]:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            opened.append(conn)
        t = time.perf_counter()
        conn.request(
            "POST",
            path,
            body,
            {
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                "Authorization": auth,
                "X-OpenRosa-Version": "1.0",
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status, (time.perf_counter() - t) * 1000

    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(send, bodies))
    for conn in opened:
        conn.close()
    return results


def summary(results: list[tuple[int, float]], seconds: float) -> dict[str, float]:
    latencies = sorted(ms for _s, ms in results)
    return {
        "per_s": round(len(results) / seconds, 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", interactive=False, verbosity=0)
    org, _ = Organisation.objects.get_or_create(code="bench", defaults={"name": "Bench"})
    out: dict[str, Any] = {"benchmark": "collection"}
    out.update(bench_publish(org, args.runs))
    version = services.publish_form(
        Actor.system("benchmark"), HTCDS.read_bytes(), HTCDS.name, [org]
    ).version
    issued = services.issue_device(Actor.system("benchmark"), org, "bench")
    auth = (
        "Basic " + base64.b64encode(f"{issued.device.username}:{issued.secret}".encode()).decode()
    )
    ids = [f"uuid:{uuid.uuid4()}" for _ in range(args.submissions)]
    bodies = [body_for(version, i) for i in ids]
    resent = bodies[::10]
    server = create_server(
        router(WSGIHandler(), bare_app(WORK / "bare.bin")), host="127.0.0.1", port=0, threads=8
    )
    port = server.socket.getsockname()[1]  # type: ignore[union-attr]
    threading.Thread(target=server.run, daemon=True).start()
    t = time.perf_counter()
    bare = post_all(port, "/bare", bodies, auth, args.concurrency)
    bare_s = time.perf_counter() - t
    t = time.perf_counter()
    vigie = post_all(port, "/collect/bench/submission", bodies, auth, args.concurrency)
    vigie_s = time.perf_counter() - t
    again = post_all(port, "/collect/bench/submission", resent, auth, args.concurrency)
    time.sleep(0.2)  # let the server's channels see the clients close
    server.close()
    stored = Submission.objects.filter(organisation=org)
    out.update(
        {
            "submissions": args.submissions,
            "concurrency": args.concurrency,
            "vigie": summary(vigie, vigie_s),
            "bare_wsgi_write": summary(bare, bare_s),
            "throughput_ratio": round((len(vigie) / vigie_s) / (len(bare) / bare_s), 3),
            "status_counts": {
                str(s): sum(1 for x, _ in vigie if x == s) for s in {x for x, _ in vigie}
            },
            "resent_all_202": all(s == 202 for s, _ in again),
            "stored": stored.count(),
            "lost": len(set(ids) - set(stored.values_list("instance_id", flat=True))),
            "duplicates": stored.count() - stored.values("instance_id").distinct().count(),
        }
    )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
