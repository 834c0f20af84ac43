from typing import Any

from django import template

register = template.Library()


@register.filter
def get_label(codelist: Any, code: str) -> str:
    """``{{ list|get_label:code }}``: the label of a code in the current language."""
    return str(codelist.label(code)) if code else ""
