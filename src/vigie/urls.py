"""URLs: each Vigie app's ``urls.py`` is mounted at the root and its ``api/urls.py`` under
``/api/``, in the order of settings.VIGIE_APPS."""

from typing import Any

from django.urls import include, path, register_converter
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

# (registers the token scheme; here, not in AppConfig.ready: drf-spectacular takes seconds
# to import)
from vigie.core.api import schema  # noqa: F401
from vigie.core.converters import DatabaseId
from vigie.discovery import app_modules
from vigie.web import views as web_views

register_converter(DatabaseId, "id")  # before the apps' urls: <id:pk> (vigie.core.converters)


def _app_urls(suffix: str) -> list[Any]:
    return [path("", include(module)) for module in app_modules(suffix)]


api_patterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's initialiser as a script file (?script), Redoc without inline script or
    # outside fonts: the Content-Security-Policy allows scripts from Vigie only (ADR 0062).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="core/api_redoc.html"),
        name="api-redoc",
    ),
    *_app_urls("api.urls"),
]

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/", include(api_patterns)),
    *_app_urls("urls"),
]

handler400 = web_views.bad_request
handler403 = web_views.permission_denied
handler404 = web_views.page_not_found
handler500 = web_views.server_error
