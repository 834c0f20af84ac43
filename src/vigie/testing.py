"""Support for Vigie's tests: a small world of organisations and one user per role, and the
authorization matrix that every app extends with a ``tests/matrix.py`` exporting ``ENDPOINTS``.
"""

from __future__ import annotations

import inspect
import itertools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from vigie.core.actor import Actor
from vigie.core.events import records_changed
from vigie.core.models import Membership, Organisation, User
from vigie.core.roles import catalogue

#: The system acting in tests that are not about who acts (ADR 0008: never ``None``).
SYSTEM = Actor.system("tests")

_listeners = itertools.count()

PUBLIC = "public"  # an endpoint anyone may reach, logged in or not
LOGGED_IN = None  # an endpoint any logged-in user may reach


@dataclass
class World:
    """Two organisations; in ``own`` one user per role; ``other`` holds the foreign records."""

    own: Organisation
    other: Organisation
    users: dict[str, User]
    objects: dict[str, Any] = field(default_factory=dict)  # apps cache their test records here


def build_world(password: str = "correct-horse-battery") -> World:  # noqa: S107 (test users)
    own, _ = Organisation.objects.get_or_create(code="own-org", defaults={"name": "Own org"})
    other, _ = Organisation.objects.get_or_create(code="other-org", defaults={"name": "Other org"})
    users = {}
    for code in catalogue().roles:
        user, created = User.objects.get_or_create(username=f"u-{code}")
        if created:
            user.set_password(password)
            user.save()
        Membership.objects.get_or_create(user=user, organisation=own, role=code)
        users[code] = user
    return World(own, other, users)


@dataclass(frozen=True)
class Endpoint:
    """One route of the matrix.

    ``perm``: the permission needed (PUBLIC, LOGGED_IN or a code from roles.yaml).
    ``target``: for routes about one organisation's record, builds the URL kwargs for a record
    of the given organisation (the test checks the own and the other organisation); ``None``
    for routes about no particular record.
    """

    name: str
    method: str = "GET"
    perm: str | None = LOGGED_IN
    target: Callable[[World, Organisation], dict[str, Any]] | None = None
    data: dict[str, Any] | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method} {self.name}"


def expected_allowed(world: World, role: str, endpoint: Endpoint, side: str) -> bool:
    if endpoint.perm == PUBLIC:
        return True
    role_def = catalogue().role(role)
    if endpoint.perm is not None and endpoint.perm not in role_def.permissions:
        return False
    if endpoint.target is None or side == "own":
        return True
    return role_def.scope == "system"


def holder_of(world: World, endpoint: Endpoint) -> User | None:
    """A user of the world's own organisation whose role holds ``endpoint``'s permission
    (the first in the catalogue's order; organisation roles only), or ``None``."""
    for role, definition in catalogue().roles.items():
        if definition.scope == "system" or role not in world.users:
            continue
        if endpoint.perm in (None, PUBLIC) or endpoint.perm in definition.permissions:
            return world.users[role]
    return None


def vigie_route_names() -> Iterator[str]:
    """Names of every route whose view is Vigie's own code (not allauth's or Django's)."""

    def walk(patterns: list[Any], namespace: str) -> Iterator[str]:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                view = getattr(p.callback, "view_class", None) or getattr(p.callback, "cls", None)
                module = getattr(view or p.callback, "__module__", "")
                if module.startswith("vigie."):
                    yield f"{namespace}{p.name}"

    yield from walk(get_resolver().url_patterns, "")


@contextmanager
def capture_changes(kind: str | None = None) -> Iterator[list[dict[str, Any]]]:
    """The ``records_changed`` events (of ``kind`` if given) sent inside the block, in order:
    each is the signal's keyword arguments (``kind``, ``ids``, ``actor``, ``action``,
    ``organisation_id``).

    Events are sent after commit (ADR 0008), so a test in a ``django_db`` transaction sees them
    only inside ``django_capture_on_commit_callbacks(execute=True)`` or with
    ``transaction=True``. The root conftest's ``changes`` fixture wraps a whole test in it.
    """
    seen: list[dict[str, Any]] = []

    def receive(sender: Any, **kwargs: Any) -> None:
        if kind is None or kwargs["kind"] == kind:
            seen.append(kwargs)

    uid = f"vigie.testing.capture_changes.{next(_listeners)}"  # nested captures each get theirs
    records_changed.connect(receive, dispatch_uid=uid, weak=False)
    try:
        yield seen
    finally:
        records_changed.disconnect(dispatch_uid=uid)


def writers(module: ModuleType, names: re.Pattern[str]) -> set[str]:
    """The public functions defined in ``module`` whose name says they write (``names``):
    the event tests enumerate them so that a new writer without a scenario fails."""
    return {
        name
        for name, func in inspect.getmembers(module, inspect.isfunction)
        if func.__module__ == module.__name__ and names.match(name)
    }


def assert_announced_after_commit(
    changes: list[dict[str, Any]],
    capture_on_commit: Any,
    write: Callable[[], Any],
    kind: str,
    action: str,
) -> None:
    """``write()`` announces a ``kind`` change with ``action``, and only after its commit.

    ``changes``: the ``changes`` fixture; ``capture_on_commit``: pytest-django's
    ``django_capture_on_commit_callbacks`` (the test's transaction never commits, so the
    callbacks are held and then run by hand).
    """
    changes.clear()
    with capture_on_commit(execute=False) as pending:
        write()
    assert not changes, "records_changed must wait for the commit"
    for callback in pending:
        callback()
    mine = [c for c in changes if c["kind"] == kind]
    assert mine, f"no records_changed for {kind}: {changes}"
    assert {c["action"] for c in mine} == {action}
    assert all(len(list(c["ids"])) for c in mine)
    assert all(isinstance(c["actor"], Actor) for c in mine)
