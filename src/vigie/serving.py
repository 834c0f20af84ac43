"""The server's lifetime (``vigie serve``, ``vigie demo``, ``vigie worker``): waitress, with
the background-job consumer in the same process, stopped cleanly by SIGTERM, Ctrl+C or SIGHUP
(ADR 0051, ADR 0058). Split from vigie.cli; like it, only click is imported at module level."""

from __future__ import annotations

import signal
from types import FrameType
from typing import Any

import click

STOP_SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP")
STOP_GRACE_S = 5.0  # running jobs have this long to checkpoint when the server stops


class _Stop(SystemExit):
    """A stop signal arrived: waitress's loop ends on SystemExit and closes its sockets."""


class StopSignals:
    """SIGTERM, SIGINT (Ctrl+C) and SIGHUP (terminal closed) stop the server or the worker.

    Installed before the port is bound and kept for the whole life of the process: the port
    listens while start-up still runs (interrupted jobs recovered, consumer threads started),
    and a supervisor or a test may signal as soon as it can connect. During start-up a signal
    is only recorded (an exception there would leave half-started threads and transactions);
    ``armed`` raises it once start-up is done. Nothing else may take the signals: huey's
    consumer installs handlers that only set flags for its own ``run`` loop, which an
    embedded consumer never runs, so a signal that reached them was lost (ADR 0058)."""

    def __init__(self) -> None:
        self.received: int | None = None
        self._armed = False
        for name in STOP_SIGNALS:
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), self._on_signal)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.received = signum
        if self._armed:
            raise _Stop(128 + signum)

    def arm(self) -> None:
        """From now on a stop signal raises at once; one received during start-up raises now.

        A signal between the two lines finds the handler armed and raises there itself."""
        self._armed = True
        if self.received is not None:
            raise _Stop(128 + self.received)


def embedded_consumer(huey: Any, workers: int) -> Any:
    """huey's consumer in threads of this process, without its signal handlers (StopSignals
    owns the signals)."""
    from huey.consumer import Consumer

    class EmbeddedConsumer(Consumer):
        def _set_signal_handlers(self) -> None:
            pass

    return EmbeddedConsumer(
        huey, workers=workers, worker_type="thread", shutdown_timeout=STOP_GRACE_S
    )


def start_worker(workers: int = 2) -> Any:
    """Run the background-job consumer in threads of this process (embedded mode)."""
    from huey.contrib.djhuey import HUEY

    if HUEY.immediate:
        return None
    from django.utils.module_loading import autodiscover_modules

    from vigie.core import jobs

    # the apps' tasks modules register huey's tasks: imported first (as huey's own run_huey
    # does), or a job queued before a restart is dequeued unknown ("run_job_task not found in
    # TaskRegistry") and lost
    autodiscover_modules("tasks")
    jobs.recover_interrupted()
    consumer = embedded_consumer(HUEY, workers)
    consumer.start()
    return consumer


def stop_worker(consumer: Any) -> None:
    """Ask running jobs to stop at their next checkpoint and wait up to STOP_GRACE_S for them.

    A job that did not stop in time is left to die with the process (huey's worker threads
    are daemons) and is marked interrupted on the next start: waiting for it again in
    huey's join would double the stop time for nothing."""
    from vigie.core import jobs

    consumer.stop_flag.set()  # no new job starts
    consumer.stop(graceful=jobs.stop_running(STOP_GRACE_S))


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

    from vigie.core.bodies import request_body_limit
    from vigie.wsgi import application

    return create_server(
        application,
        host=host,
        port=port,
        threads=threads,
        ident="Vigie",
        # waitress reads a body whole before Vigie sees it: never more than a route accepts
        max_request_body_size=request_body_limit(),
        **proxy_options(),
    )


def serve_until_stopped(host: str, port: int, threads: int, worker: bool) -> None:
    """``vigie serve`` and ``vigie demo``: serve until a stop signal, then stop the jobs.

    An idle server stops at once; a busy one within about 10 s (waitress gives requests in
    progress 5 s, then running jobs get STOP_GRACE_S)."""
    stop = StopSignals()  # before the port is bound: from then on no stop signal is lost
    import vigie.wsgi  # noqa: F401  (sets Django up: the temporary directory is a setting)
    from vigie.core.bodies import release_temp_dir, take_temp_dir

    spill = take_temp_dir()  # waiting request bodies in a directory Vigie owns (ADR 0054)
    try:
        server = make_server(host, port, threads)
    except OSError as exc:
        release_temp_dir(spill)
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror}. Choose another with --port."
        ) from None
    consumer = None
    try:
        consumer = start_worker() if worker else None
        stop.arm()
        server.run()  # returns when a stop signal arrives (and closes the sockets)
    except _Stop:  # the signal came during start-up, before waitress's loop
        server.task_dispatcher.shutdown()
    finally:
        server.close()
        if consumer is not None:
            stop_worker(consumer)
        release_temp_dir(spill)
    click.echo("Vigie stopped.")
