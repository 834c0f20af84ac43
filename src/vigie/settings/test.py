"""Settings for the test suite: background jobs run immediately, fast password hashing."""

import os
import tempfile

# A throwaway data directory per test process, unless one is given.
os.environ.setdefault("VIGIE_DATA_DIR", tempfile.mkdtemp(prefix="vigie-test-"))

from vigie.settings.base import *  # noqa: F403
from vigie.settings.base import HUEY, REST_FRAMEWORK

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
# Schemathesis sends thousands of anonymous requests; throttling is tested on its own.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/min"}}
