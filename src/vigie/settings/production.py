"""Settings for an agency deployment behind TLS. Every value comes from the environment."""

import os

from vigie.settings.base import *  # noqa: F403

DEBUG = False
SECURE_SSL_REDIRECT = os.environ.get("VIGIE_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("VIGIE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
HUEY_BACKEND = os.environ.get("VIGIE_HUEY_REDIS_URL")
if HUEY_BACKEND:
    HUEY = {
        "name": "vigie",
        "huey_class": "huey.PriorityRedisHuey",
        "url": HUEY_BACKEND,
        "immediate": False,
        "consumer": {"workers": int(os.environ.get("VIGIE_WORKERS", "4")), "worker_type": "thread"},
    }
