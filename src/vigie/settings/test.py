"""Settings for the test suite: background jobs run immediately, fast password hashing."""

import atexit
import os
import shutil
import tempfile

# A throwaway data directory per test process, unless one is given. xdist workers inherit the
# controller's environment: each makes its own rather than share the controller's, where one
# worker's snapshot write deleted the files another worker was reading.
if os.environ.get("VIGIE_DATA_DIR", "") in ("", os.environ.get("VIGIE_TEST_OWN_DATA_DIR")):
    os.environ["VIGIE_DATA_DIR"] = os.environ["VIGIE_TEST_OWN_DATA_DIR"] = tempfile.mkdtemp(
        prefix="vigie-test-"
    )
    atexit.register(shutil.rmtree, os.environ["VIGIE_DATA_DIR"], ignore_errors=True)

from vigie.settings.base import *  # noqa: F403
from vigie.settings.base import HUEY, REST_FRAMEWORK

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
# Schemathesis sends thousands of anonymous requests; throttling is tested on its own.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/min"}}
# Two-factor enrolment is off for the suite, so that every app's tests can use the world's
# users; core/tests/test_accounts_mfa.py turns it on.
VIGIE_MFA_ENFORCED = False
