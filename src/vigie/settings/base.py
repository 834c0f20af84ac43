"""Settings shared by every deployment. Values a deployment changes come from the environment
(see docs/settings.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from vigie.config import data_dir, load_or_create_secrets

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()
_SECRETS = load_or_create_secrets(DATA_DIR)

SECRET_KEY = os.environ.get("VIGIE_SECRET_KEY") or str(_SECRETS["secret_key"])
DEBUG = os.environ.get("VIGIE_DEBUG", "") == "1"
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

# Field-encryption keyring, apart from SECRET_KEY: {"active": id, "keys": {id: hex}}.
VIGIE_FIELD_KEYS: dict[str, Any] = (
    json.loads(os.environ["VIGIE_FIELD_KEYS"])
    if os.environ.get("VIGIE_FIELD_KEYS")
    else _SECRETS["field_keys"]
)
VIGIE_BLIND_INDEX_KEY = os.environ.get("VIGIE_BLIND_INDEX_KEY") or str(_SECRETS["blind_index_key"])
VIGIE_KEYS_FROM_ENV = bool(os.environ.get("VIGIE_FIELD_KEYS"))
# Which secrets were read from secrets.json in the data directory: `check --deploy` refuses
# any (a copy of the data directory must not carry the keys that protect it).
VIGIE_SECRETS_FROM_DATA_DIR = [
    name
    for name, env in (
        ("secret_key", "VIGIE_SECRET_KEY"),
        ("field_keys", "VIGIE_FIELD_KEYS"),
        ("blind_index_key", "VIGIE_BLIND_INDEX_KEY"),
    )
    if not os.environ.get(env)
]

# Tamper evidence (docs/adr/0030-anchored-tamper-evidence.md). The access log is an
# HMAC-SHA256 chain under the audit key: 64 hex characters in VIGIE_AUDIT_KEY, or in the file
# VIGIE_AUDIT_KEY_FILE; with neither, a key generated in <data dir>/audit.key (demo only:
# `check --deploy` refuses it).
VIGIE_AUDIT_KEY = os.environ.get("VIGIE_AUDIT_KEY", "")
VIGIE_AUDIT_KEY_FILE = os.environ.get("VIGIE_AUDIT_KEY_FILE", "")
# Ed25519 key (PEM file) signing custody tree heads, access-log checkpoints and bag contents.
VIGIE_EVIDENCE_SIGNING_KEY = os.environ.get("VIGIE_EVIDENCE_SIGNING_KEY", "")
# Where signed checkpoints of both logs are exported (comma-separated): a directory or file an
# auditor keeps, or s3://bucket/prefix. VIGIE_WITNESS_S3_LOCK_DAYS > 0 asks for S3 object lock
# (compliance mode) for that many days.
VIGIE_WITNESS = [w.strip() for w in os.environ.get("VIGIE_WITNESS", "").split(",") if w.strip()]
VIGIE_WITNESS_S3_LOCK_DAYS = int(os.environ.get("VIGIE_WITNESS_S3_LOCK_DAYS", "0"))

# goAML reporting entity and code lists (the 5.0.1 schema's lists are placeholders that each
# FIU replaces): JSON, e.g. {"rentity_id": 1042, "currency": "EUR", "funds_code": "K"}.
VIGIE_GOAML = json.loads(os.environ.get("VIGIE_GOAML") or "{}")
VIGIE_FINANCE_DUCKDB = json.loads(os.environ.get("VIGIE_FINANCE_DUCKDB") or "{}")
# Folder of the US DOL lists of goods (child_labor.csv, products.csv) for supplier risk.
VIGIE_SUPPLIERS_DOL_DIR = os.environ.get("VIGIE_SUPPLIERS_DOL_DIR", "")
VIGIE_SUPPLIERS_REMIND_DAYS = int(os.environ.get("VIGIE_SUPPLIERS_REMIND_DAYS", "7"))

# Domain apps in dependency order; demo data and URLs are discovered in this order.
VIGIE_APPS = [
    "vigie.core",
    "vigie.web",
    "vigie.cases",
    "vigie.identification",
    "vigie.analytics",
    "vigie.screening",
    "vigie.evidence",
    "vigie.finance",
    "vigie.collection",
    "vigie.suppliers",
    "vigie.network",
    "vigie.dossiers",
    "vigie.linkage",
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "auditlog",
    "huey.contrib.djhuey",
    *VIGIE_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "vigie.core.middleware.RequestContextMiddleware",
    "vigie.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "vigie.core.mfa.MfaPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "vigie.web.middleware.VigieErrorMiddleware",
    "vigie.core.middleware.NulCharacterMiddleware",
]

ROOT_URLCONF = "vigie.urls"
WSGI_APPLICATION = "vigie.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "web" / "templates"],  # ours override allauth's
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vigie.web.context_processors.navigation",
                "vigie.core.mfa.context",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL")
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=60))
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "vigie.sqlite3"),
        # WAL lets readers proceed while a background import writes.
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            " PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# django-allauth: accounts are created by administrators, never by self sign-up.
ACCOUNT_ADAPTER = "vigie.core.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False

# Referral notifications (vigie.identification) go out by e-mail: printed to the console
# unless an SMTP server is configured (VIGIE_EMAIL_HOST), as in the demo.
EMAIL_HOST = os.environ.get("VIGIE_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("VIGIE_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("VIGIE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("VIGIE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = True
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("VIGIE_EMAIL_FROM", "vigie@localhost")
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Vigie"
LOGIN_URL = "account_login"


def _csv(name: str, default: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


# API tokens (ADR 0040): every token expires; lifetime asked for is capped.
VIGIE_TOKEN_DEFAULT_DAYS = int(os.environ.get("VIGIE_TOKEN_DEFAULT_DAYS", "90"))
VIGIE_TOKEN_MAX_DAYS = int(os.environ.get("VIGIE_TOKEN_MAX_DAYS", "365"))
# last_used_at is written at most once per this many seconds per token, never waiting on a lock
VIGIE_TOKEN_USE_INTERVAL = int(os.environ.get("VIGIE_TOKEN_USE_INTERVAL", "300"))
# creating a token needs a password (or 2FA) entered within this many seconds in the session
VIGIE_RECENT_LOGIN_SECONDS = int(os.environ.get("VIGIE_RECENT_LOGIN_SECONDS", "600"))
ACCOUNT_REAUTHENTICATION_TIMEOUT = VIGIE_RECENT_LOGIN_SECONDS

# Two-factor authentication required by role (ADR 0042). A role needs it when it holds one of
# these permissions (shell-style patterns) or is named in VIGIE_MFA_REQUIRED_ROLES.
VIGIE_MFA_ENFORCED = os.environ.get("VIGIE_MFA_ENFORCED", "1") != "0"
VIGIE_MFA_REQUIRED_PERMISSIONS = _csv(
    "VIGIE_MFA_REQUIRED_PERMISSIONS",
    "victim.identity.view,victim.identity.export,evidence.seal,system.*,org.users.manage,"
    "dossier.*,finance.*,suppliers.view",
)
VIGIE_MFA_REQUIRED_ROLES = _csv("VIGIE_MFA_REQUIRED_ROLES", "")

# Four-eyes approval (ADR 0041): granting a role holding one of these permissions waits for a
# second authorised user.
# roles that show identity-classified values: victims' (*.identity.*), account numbers
# (finance), designated persons (dossiers), suppliers' owners (ADR 0041 amended, 0059)
VIGIE_FOUR_EYES_PERMISSIONS = _csv(
    "VIGIE_FOUR_EYES_PERMISSIONS",
    "*.identity.*,finance.view,finance.report,dossier.view,suppliers.view",
)
LOGIN_REDIRECT_URL = "web:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English")), ("ar", _("Arabic"))]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Serve straight from the app folders: no collectstatic step before `vigie demo`.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "vigie.core.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["vigie.core.api.permissions.HasVigiePermission"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min"},
    "EXCEPTION_HANDLER": "vigie.core.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Vigie API",
    "DESCRIPTION": "Records, analyses, evidence and screening for countering trafficking in "
    "persons in armed conflict (UN Security Council resolution 2331 (2016)).",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ServiceTypeEnum": "vigie.identification.api.serializers.SERVICE_TYPE_CHOICES",
        "PlanItemStatusEnum": "vigie.identification.models.PlanItem.Status",
        "ReferralKindEnum": "vigie.identification.models.Referral.Kind",
        "ReferralStateEnum": "vigie.identification.models.Referral.State",
        "SubmissionStatusEnum": "vigie.collection.models.Submission.Status",
        "ConsentDecisionEnum": "vigie.identification.models.Consent.Decision",
        "ReferralUrgencyEnum": "vigie.identification.models.Referral.Urgency",
        "InterviewLanguageEnum": "vigie.identification.services.LANGUAGES",
        "SupplierReviewDecisionEnum": "vigie.suppliers.models.Review.Decision",
        "PartyKindEnum": [("Person", "Person"), ("Organization", "Organization")],
        "DossierKindEnum": "vigie.dossiers.models.Dossier.Kind",
        "DossierStatusEnum": "vigie.dossiers.models.Dossier.Status",
        "LinkedPersonKindEnum": "vigie.linkage.models.Kind",
    },
}

AUDITLOG_CID_GETTER = "vigie.core.context.get_request_id"
AUDITLOG_INCLUDE_ALL_MODELS = False

HUEY = {
    "name": "vigie",
    "huey_class": "huey.SqliteHuey",
    "filename": str(DATA_DIR / "jobs.sqlite3"),
    "immediate": False,
    "consumer": {"workers": 2, "worker_type": "thread"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "vigie.web.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# `vigie serve` behind a TLS proxy: waitress believes X-Forwarded-* only from this address
VIGIE_TRUSTED_PROXY = os.environ.get("VIGIE_TRUSTED_PROXY", "")
VIGIE_TRUSTED_PROXY_HEADERS = tuple(
    os.environ.get("VIGIE_TRUSTED_PROXY_HEADERS", "x-forwarded-proto x-forwarded-for").split()
)
# `vigie serve`: the largest request body waitress reads (0: the largest upload a route
# accepts, plus 1 MiB) and the directory where bodies wait (ADR 0054)
VIGIE_REQUEST_MAX_BYTES = int(os.environ.get("VIGIE_REQUEST_MAX_BYTES") or "0")
VIGIE_TEMP_DIR = Path(os.environ.get("VIGIE_TEMP_DIR") or DATA_DIR / "tmp")
# "<mount point>: <how>": the operator attests that mount is encrypted below the system
# (a cloud provider's encrypted volume), which check --deploy cannot see (ADR 0070)
VIGIE_TEMP_DIR_ENCRYPTION = os.environ.get("VIGIE_TEMP_DIR_ENCRYPTION", "")
# differential privacy: budgets (total epsilon) and the cap of one release
VIGIE_DP_BUDGET = float(os.environ.get("VIGIE_DP_BUDGET", "10"))
VIGIE_DP_BUDGET_ORGANISATION = float(os.environ.get("VIGIE_DP_BUDGET_ORGANISATION", "5"))
VIGIE_DP_BUDGET_USER = float(os.environ.get("VIGIE_DP_BUDGET_USER", "2"))
VIGIE_DP_MAX_EPSILON = float(os.environ.get("VIGIE_DP_MAX_EPSILON", "1"))
# disclosure control of every published table (docs/disclosure-control.md)
VIGIE_STATS_K = int(os.environ.get("VIGIE_STATS_K", "11"))
VIGIE_STATS_PERTURB = os.environ.get("VIGIE_STATS_PERTURB", "true").lower() not in ("0", "false")
VIGIE_STATS_MAX_NOISE = int(os.environ.get("VIGIE_STATS_MAX_NOISE", "2"))
# limits of every uploaded file reader (vigie.core.files.Limits): JSON {"max_cell_chars": ...}
VIGIE_FILE_LIMITS: dict[str, int] = json.loads(os.environ.get("VIGIE_FILE_LIMITS") or "{}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("VIGIE_LOG_LEVEL", "WARNING")},
}
