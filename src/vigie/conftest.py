"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient

from vigie import cli
from vigie.testing import World, build_world, capture_changes

if TYPE_CHECKING:
    from vigie.core.models import User

# Every app's commands wrapped as `vigie` wraps them (Django set up, one VigieError handler),
# so a test that invokes an app's click group on its own sees what a user would.
cli._add_app_commands()

# Speed is measured in bench/, not by the clock of a test: on a loaded machine (CI's two
# cores, helpers beside it) hypothesis's per-example deadline and its "generation is slow"
# check failed correct code. Every other health check stays on.
settings.register_profile("vigie", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("vigie")


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture
def changes() -> Iterator[list[dict[str, Any]]]:
    """The change events (``records_changed`` keyword arguments) sent during the test."""
    with capture_changes() as seen:
        yield seen


@pytest.fixture
def api() -> Any:
    """``api(user)`` — an API client authenticated as ``user`` (or anonymous with None)."""

    def make(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def web(client: Any) -> Any:
    """``web(user)`` — Django's test client logged in as ``user``."""

    def make(user: User | None = None) -> Any:
        client.logout()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


@pytest.fixture(scope="session")
def browser() -> Any:
    from playwright.sync_api import sync_playwright

    from vigie.browser import CHROMIUM_ARGS, chromium_path

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made here
    # by the test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def live_server(transactional_db: Any) -> Iterator[Any]:
    """A live server for one test (pytest-django's lives for the whole session).

    Its listening socket is closed when the test ends, so that a later test in the same process
    (cases' test_pipeline_lifetime counts listening sockets) does not find it; and its request
    threads are joined before the test thread takes the shared SQLite connection back."""
    from vigie.browser import ClosingLiveServer

    server = ClosingLiveServer()
    yield server
    server.stop()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Any:
    # Depends on the live server so that the browser context (and its keep-alive connections)
    # closes before the server stops and joins its request threads.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def browser_world(transactional_db: Any, live_server: Any) -> tuple[World, str]:
    """A world whose users can log in through the live server, and its base URL."""
    return build_world(), live_server.url
