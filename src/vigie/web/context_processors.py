from typing import Any

from django.conf import settings

from vigie.web.navigation import menu_for


def navigation(request: Any) -> dict[str, Any]:
    return {"nav_items": menu_for(request), "vigie_languages": settings.LANGUAGES}
