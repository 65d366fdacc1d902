"""Settings shared by every environment. Everything that differs between
machines is read from the environment here; the other modules only change
defaults."""

from __future__ import annotations

import os
from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


def require(name: str) -> str:
    value = env(name)
    if value is None:
        raise ImproperlyConfigured(f"The environment variable {name} is required.")
    return value


SECRET_KEY = env("DJANGO_SECRET_KEY", "insecure-dev-key-only-for-the-quick-start")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
# Reverse proxies in front of the app that append to X-Forwarded-For
# (pf2s.clientip): 0 here, 1 in production (the TLS proxy of docker-compose).
PF2S_TRUSTED_PROXIES = int(env("DJANGO_NUM_PROXIES", "0"))
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "pf2s",
    "indicators",
    "opendata",
    "bti",
    "publications",
    "newsletter",
    "observatories",
]

MIDDLEWARE = [
    # first: every later part reads the client's address from REMOTE_ADDR
    "pf2s.clientip.ClientIpMiddleware",
    # then, around all that can answer: CSP and Permissions-Policy on every answer (400s, errors included)
    "pf2s.csp.SecurityPolicyMiddleware",
    # then: NUL characters and absurd lengths answer 400 before any view or query
    "pf2s.inputs.InputCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "bti.authentication.ApiTokenMiddleware",
    # who is asking, once per request (session or token): request.reader (indicators.readers)
    "bti.readers.ReaderMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "pf2s.accounts.MfaRequiredMiddleware",
    "bti.activity.ActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # allauth's session records, written once a minute; idle sessions end (pf2s.sessions)
    "pf2s.sessions.SessionActivityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pf2s.access.AccessMiddleware",
]

ROOT_URLCONF = "pf2s.urls"
WSGI_APPLICATION = "pf2s.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pf2s.context_processors.site",
            ],
        },
    },
]

# The quick start falls back to SQLite; every real environment sets DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # a database out of reach answers 503 within seconds instead of hanging every worker
    DATABASES["default"]["OPTIONS"] = {"connect_timeout": int(env("DATABASE_CONNECT_TIMEOUT", "5"))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The quick start under a few concurrent users: readers never wait for the
    # writer (WAL), writers queue for up to 20 s instead of failing with
    # "database is locked", and take the lock at BEGIN (no upgrade deadlock).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis down: pages, API and login keep answering (pf2s.cache)
            "BACKEND": "pf2s.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "pf2s"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", REDIS_URL)
# Without a broker (quick start) tasks run in the calling process.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL is None)
CELERY_TASK_EAGER_PROPAGATES = True
# Defaults for idempotent tasks: acknowledged when done, handed out again if
# the worker is lost. The publication overrides them (indicators.tasks).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis hands an unacknowledged message to another worker after this: it must
# outlast the longest task, or a running task is started twice. The longest is
# a newsletter campaign (50 mails a batch, 1 s apart: ~20 min for 20 000
# addresses); a publication takes 1-2 min, the open-data dump 30 s. A killed
# job does not wait for it: the sweeper (below, and at each worker start)
# marks it failed and queues a missing dump within minutes.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(env("CELERY_VISIBILITY_TIMEOUT", "3600")),
    # Redis down: queueing fails within seconds (the job row says so), not after 20 s
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BEAT_SCHEDULE: dict = {
    "geography-check-nightly": {
        "task": "indicators.tasks.geography_check_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
    "snapshot-publish-nightly": {
        "task": "indicators.tasks.snapshot_publish_nightly",
        "schedule": crontab(hour=3, minute=0),
    },
    "newsletter-purge-unconfirmed": {
        "task": "newsletter.tasks.subscribers_purge",
        "schedule": crontab(hour=4, minute=0),
    },
    "articles-publish-due": {
        "task": "publications.tasks.articles_publish_due",
        "schedule": crontab(minute="*/5"),
    },
    "jobs-sweep": {  # jobs of dead workers marked failed
        "task": "indicators.tasks.jobs_sweep",
        "schedule": crontab(minute="*/5"),
    },
    "opendata-dump-check": {  # the current snapshot's dump rebuilt if missing, after the sweep
        "task": "opendata.tasks.opendata_dump_check",
        "schedule": crontab(minute="1-59/5"),
    },
}
# Newsletter: batches of the sending job, the pause between them (SMTP
# provider limits), and the site's address in mails.
NEWSLETTER_BATCH_SIZE = int(env("NEWSLETTER_BATCH_SIZE", "50"))
NEWSLETTER_BATCH_PAUSE = float(env("NEWSLETTER_BATCH_PAUSE", "1.0"))
PF2S_SITE_URL = env("PF2S_SITE_URL", "http://127.0.0.1:8000")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# Accounts (django-allauth): login by email, verified addresses, no open
# sign-up (organisation admins and staff invite members), no account
# enumeration, rate limits on the shared cache (Redis), TOTP required for
# partner and staff accounts (pf2s.accounts.MfaRequiredMiddleware).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "pf2s.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("ACCOUNT_LOGIN_FAILED_RATE", "5/5m/ip,5/5m/key"),
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[PF2S] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "PF2S Hauts-de-France"
MFA_RECOVERY_CODE_COUNT = 10
USERSESSIONS_TRACK_ACTIVITY = True  # by pf2s.sessions, at most once a minute
# Sessions end after 30 minutes without activity (ASVS 3.3.2) and 12 hours
# after login whatever happens (ASVS 3.3.1).
PF2S_SESSION_IDLE_TIMEOUT = int(env("PF2S_SESSION_IDLE_TIMEOUT", "1800"))
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(12 * 3600)))
# REMOTE_ADDR is already the client's (pf2s.clientip): allauth must not read X-Forwarded-For itself
ALLAUTH_TRUSTED_PROXY_COUNT = 0
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # The session (after login with TOTP) or a personal token, which
    # bti.authentication.ApiTokenMiddleware turns into the request's user.
    # No HTTP Basic: a password alone must never open partner data.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PAGINATION_CLASS": None,
    "EXCEPTION_HANDLER": "pf2s.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["pf2s.throttle.AnonymousRateThrottle"],
    # REMOTE_ADDR is already the client's (pf2s.clientip): never read X-Forwarded-For again
    "NUM_PROXIES": 0,
    "DEFAULT_THROTTLE_RATES": {"anon": env("API_ANON_RATE", "600/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API PF2S — Plateforme sanitaire et sociale Hauts-de-France",
    "DESCRIPTION": (
        "API publique en lecture seule : territoires de la région Hauts-de-France "
        "(région, départements, EPCI, communes, territoires composites), catalogue des "
        "indicateurs et valeurs publiées. Sans authentification, les données publiques ; avec "
        "un jeton personnel (`Authorization: Bearer pf2s_…`), celles de son titulaire. Toute "
        'erreur répond en JSON `{"detail": "motif / reason", "code": "…"}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # the shared contract (optional Bearer token, every error and its body): pf2s.api
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "pf2s.api.schema_contract"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Error reports: server errors (500, 503) are mailed to ADMINS when set
# ("Nom <adresse>, ..."), one mail per kind of error per 10 minutes; the
# error page says the team was told only then.
ADMINS = [parseaddr(item) for item in env_list("DJANGO_ADMINS")]
SERVER_EMAIL = env("SERVER_EMAIL", "pf2s-erreurs@localhost")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "once_per_interval": {"()": "pf2s.logfilters.OncePerInterval", "seconds": 600},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "once_per_interval"],
        },
    },
    "loggers": {
        "django.request": {"handlers": ["console", "mail_admins"], "level": "WARNING", "propagate": False},
        "celery": {"handlers": ["console", "mail_admins"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}

# Demonstration accounts and data (pf2s.demo): only the quick start and the
# tests turn this on; elsewhere the demo commands refuse unless forced.
PF2S_DEMO_ALLOWED = False

PF2S_SITE_NAME = "Plateforme sanitaire et sociale Hauts-de-France"
# Where people answer the platform's mails (invitations, questions)
PF2S_CONTACT_EMAIL = env("PF2S_CONTACT_EMAIL", "contact@pf2s.example.org")
# A base layer under the maps, only if configured: an XYZ URL template of the
# platform's own tile server or of a provider it has an agreement with.
# Empty (default): our own layers only, no request leaves the site.
PF2S_MAP_BASE_LAYER = env("PF2S_MAP_BASE_LAYER", "")
PF2S_MAP_BASE_ATTRIBUTION = env("PF2S_MAP_BASE_ATTRIBUTION", "")
PF2S_MAP_BASE_MAX_ZOOM = int(env("PF2S_MAP_BASE_MAX_ZOOM", "18"))
# Where generated files (map layers) are written, beside media.
PF2S_DATA_DIR = Path(env("PF2S_DATA_DIR", str(BASE_DIR / "var")))
# Processes for the secrecy work of a publication run (default: every core).
PF2S_ENGINE_WORKERS = env("PF2S_ENGINE_WORKERS")
# Seconds a process trusts its idea of the current snapshot (saves a query a request).
PF2S_CURRENT_SNAPSHOT_TTL = float(env("PF2S_CURRENT_SNAPSHOT_TTL", "1.0"))
# What runs after every publication of a current snapshot (indicators.publish.snapshot_published):
# dotted paths of functions called with snapshot_id=, in order. The engine imports none of the apps
# that read its snapshots; they register here.
PF2S_AFTER_PUBLICATION = ["opendata.services.opendata_dump_queue"]
