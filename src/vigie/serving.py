"""The server's lifetime (``vigie serve``, ``vigie demo``): waitress, with the background-job
consumer in the same process, stopped cleanly by SIGTERM, Ctrl+C or SIGHUP. Split from
vigie.cli; like it, only click is imported at module level."""

from __future__ import annotations

from typing import Any

import click

STOP_SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP")
STOP_GRACE_S = 5.0  # running jobs have this long to checkpoint when the server stops


class _Stop(SystemExit):
    """A stop signal arrived: waitress's loop ends on SystemExit and closes its sockets."""


def on_stop_signals() -> None:
    """SIGTERM, SIGINT (Ctrl+C) and SIGHUP (terminal closed) stop the server.

    Set after huey's consumer has started: it installs handlers that only set flags for its
    own ``run`` loop, which an embedded consumer never runs, so the signals were swallowed."""
    import signal

    def stop(signum: int, _frame: Any) -> None:
        raise _Stop(128 + signum)

    for name in STOP_SIGNALS:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)


def _start_worker() -> Any:
    """Run the background-job consumer in threads of this process (embedded mode)."""
    from huey.contrib.djhuey import HUEY

    if HUEY.immediate:
        return None
    from vigie.core import jobs

    jobs.recover_interrupted()
    consumer = HUEY.create_consumer(workers=2, worker_type="thread", shutdown_timeout=STOP_GRACE_S)
    consumer.start()
    return consumer


def stop_worker(consumer: Any) -> None:
    """Ask running jobs to stop at their next checkpoint, wait a little, then go."""
    from vigie.core import jobs

    consumer.stop_flag.set()  # no new job starts
    jobs.stop_running(STOP_GRACE_S)
    consumer.stop(graceful=True)


def proxy_options() -> dict[str, Any]:
    """waitress's trust of a TLS proxy (``VIGIE_TRUSTED_PROXY``): without it waitress drops
    ``X-Forwarded-Proto``, so Django never sees HTTPS (no HSTS, redirect loops)."""
    from django.conf import settings

    proxy = getattr(settings, "VIGIE_TRUSTED_PROXY", "")
    if not proxy:
        return {}
    return {
        "trusted_proxy": proxy,
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": set(getattr(settings, "VIGIE_TRUSTED_PROXY_HEADERS", ())),
        "clear_untrusted_proxy_headers": True,
    }


def make_server(host: str, port: int, threads: int) -> Any:
    from waitress.server import create_server

    from vigie.wsgi import application

    return create_server(
        application, host=host, port=port, threads=threads, ident="Vigie", **proxy_options()
    )


def serve_until_stopped(host: str, port: int, threads: int, worker: bool) -> None:
    """``vigie serve`` and ``vigie demo``: serve until a stop signal, then stop the jobs."""
    try:
        server = make_server(host, port, threads)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror}. Choose another with --port."
        ) from None
    consumer = _start_worker() if worker else None
    on_stop_signals()
    try:
        server.run()  # returns when a stop signal arrives (and closes the sockets)
    finally:
        server.close()
        if consumer is not None:
            stop_worker(consumer)
    click.echo("Vigie stopped.")
