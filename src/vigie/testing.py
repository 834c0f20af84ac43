"""Support for Vigie's tests: a small world of organisations and one user per role, and the
authorization matrix that every app extends with a ``tests/matrix.py`` exporting ``ENDPOINTS``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from vigie.core.actor import Actor
from vigie.core.models import Membership, Organisation, User
from vigie.core.roles import catalogue

# ../shared/data beside the checkout (CI puts shared/ there); VIGIE_SHARED_DATA overrides.
SHARED_DATA = Path(
    os.environ.get("VIGIE_SHARED_DATA")
    or Path(__file__).resolve().parents[2].parent / "shared" / "data"
)

#: The system acting in tests that are not about who acts (ADR 0008: never ``None``).
SYSTEM = Actor.system("tests")

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
