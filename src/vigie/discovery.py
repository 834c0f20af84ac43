"""Find the optional modules (urls, api.urls, cli, demo) that each Vigie app may provide."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.conf import settings


def app_modules(suffix: str) -> Iterator[ModuleType]:
    """``<app>.<suffix>`` for each app in settings.VIGIE_APPS that has it, in order."""
    for app in settings.VIGIE_APPS:
        name = f"{app}.{suffix}"
        try:
            spec = find_spec(name)
        except ModuleNotFoundError:
            continue
        if spec is not None:
            yield import_module(name)
