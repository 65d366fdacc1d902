"""Deployment: every secret and address comes from the environment and is
required; security headers on."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import env, env_bool, env_list, require

SECRET_KEY = require("DJANGO_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or [require("DJANGO_ALLOWED_HOSTS")]
require("DATABASE_URL")
require("REDIS_URL")
CELERY_TASK_ALWAYS_EAGER = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
# __Host- cookies: only ever set by this exact HTTPS origin (no Domain, Path=/),
# so a sibling subdomain cannot plant or overwrite them
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
# messages in the session: no third cookie outside the __Host- pair
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
X_FRAME_OPTIONS = "DENY"
# mails leave through a Celery task with retries (pf2s.mail): SMTP down never gives a 500
EMAIL_BACKEND = "pf2s.mail.QueuedEmailBackend"
PF2S_EMAIL_TRANSPORT = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "20"))
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "PF2S <ne-pas-repondre@pf2s.fr>")
# links in account mails (password, verification) point to the HTTPS site
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
# behind one reverse proxy (docker-compose's): the client's address is the
# last X-Forwarded-For entry (pf2s.clientip), for every limit and record
PF2S_TRUSTED_PROXIES = int(env("DJANGO_NUM_PROXIES", "1"))
# the site's address in mails (newsletter links): the first allowed host unless set
PF2S_SITE_URL = env("PF2S_SITE_URL", f"https://{ALLOWED_HOSTS[0]}")
