"""``{% load vigie_i18n %}``: ``{{ roles|join_list }}`` joins a list with the separator of
the active language (vigie.core.i18n.join_list), where Django's ``join:", "`` puts a Latin
comma into Arabic lines; ``{{ drivers|join_clauses }}`` joins phrases with its semicolon."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from vigie.core.i18n import join_clauses as join_phrases
from vigie.core.i18n import join_list as join_items

register = template.Library()


@register.filter(needs_autoescape=True)
def join_list(items: Iterable[object], autoescape: bool = True) -> SafeString | str:
    if not autoescape:
        return join_items(items)
    return mark_safe(join_items(conditional_escape(str(i)) for i in items))  # noqa: S308 (escaped)


@register.filter(needs_autoescape=True)
def join_clauses(items: Iterable[object], autoescape: bool = True) -> SafeString | str:
    if not autoescape:
        return join_phrases(items)
    return mark_safe(join_phrases(conditional_escape(str(i)) for i in items))  # noqa: S308 (escaped)
