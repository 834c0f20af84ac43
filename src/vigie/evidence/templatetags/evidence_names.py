"""``{{ item|shown_name:request.user }}``: an item's file name for a user who may see
identities, a neutral label otherwise (file names can name people: ADR 0045)."""

from __future__ import annotations

from typing import Any

from django import template

from vigie.core.actor import Viewer
from vigie.evidence import selectors

register = template.Library()


@register.filter
def shown_name(item: Any, user: Viewer) -> str:
    return selectors.shown_name(user, item)
