"""The main menu, contributed by each Vigie app's ``AppConfig.nav``:
a list of ``(url name, label, permission or None)``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from vigie.core import access


@dataclass(frozen=True)
class NavItem:
    url: str
    label: str
    active: bool


def menu_for(request: Any) -> list[NavItem]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = []
    # Home first, the domain apps in VIGIE_APPS order, administration (core) last.
    order = {"vigie.web": 0, "vigie.core": 2}
    for app_name in sorted(settings.VIGIE_APPS, key=lambda name: order.get(name, 1)):
        config = apps.get_app_config(app_name.rsplit(".", 1)[1])
        for url_name, label, perm in getattr(config, "nav", []):
            if perm is not None and not access.has_perm(user, perm):
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            active = request.path == url if url == "/" else request.path.startswith(url)
            items.append(NavItem(url, str(label), active))
    return items
