"""The main menu, contributed by each Vigie app's ``AppConfig.nav``:
a list of ``(url name, label, permission or None)``.

Each app is one entry of the main menu (labelled ``AppConfig.nav_label``, else by its first
page); the pages of the app the user is in are listed in a section bar under it. One entry per
app keeps the menu on one line, on a phone too, however many pages an app has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from vigie.core import access


@dataclass
class NavItem:
    url: str
    label: str
    active: bool = False


@dataclass
class NavGroup:
    label: str
    items: list[NavItem] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.items[0].url

    @property
    def active(self) -> bool:
        return any(item.active for item in self.items)


def menu_for(request: Any) -> list[NavGroup]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    groups = []
    # Home first, the domain apps in VIGIE_APPS order, administration (core) last.
    order = {"vigie.web": 0, "vigie.core": 2}
    for app_name in sorted(settings.VIGIE_APPS, key=lambda name: order.get(name, 1)):
        config = apps.get_app_config(app_name.rsplit(".", 1)[1])
        items = []
        gated = False  # does the user see a page that needs a permission?
        for url_name, label, perm in getattr(config, "nav", []):
            if perm is not None and not access.has_perm(user, perm):
                continue
            try:
                items.append(NavItem(reverse(url_name), str(label)))
            except NoReverseMatch:
                continue
            gated = gated or perm is not None
        if items:
            # "Administration" over nothing but one's own jobs would promise what is not there:
            # such a group is named by its page.
            name = getattr(config, "nav_label", None) if gated or len(items) > 1 else None
            groups.append(NavGroup(str(name or items[0].label), items))
    _mark_active(groups, request.path)
    return groups


def _mark_active(groups: list[NavGroup], path: str) -> None:
    """The current page is the item whose URL is the longest prefix of the path, so that
    /screening/batch/ marks "Batch screening", not also "Screening" at /screening/."""
    best: NavItem | None = None
    for group in groups:
        for item in group.items:
            matches = path == item.url if item.url == "/" else path.startswith(item.url)
            if matches and (best is None or len(item.url) > len(best.url)):
                best = item
    if best is not None:
        best.active = True
