"""Guanxi settings: everything comes from environment variables with safe local defaults.

Nothing set means: SQLite in ./var, DEBUG off unless GUANXI_DEBUG=1, a development secret key
that refuses to run in production (DEBUG off and ALLOWED_HOSTS not local).
"""

import ipaddress
import os
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GUANXI_VAR_DIR", BASE_DIR / "var"))
# The task queue and the embedded database open their files here as soon as Django starts.
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean (1/0/true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("GUANXI_DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "guanxi-local-development-key-change-me-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
if SECRET_KEY.startswith("guanxi-local-") and not DEBUG:
    local = {"127.0.0.1", "localhost", "[::1]", "testserver"}
    if not set(ALLOWED_HOSTS) <= local:
        raise RuntimeError("Set SECRET_KEY before serving Guanxi on a public host name.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "ninja",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "huey.contrib.djhuey",
    "guanxi.core",
    "guanxi.accounts",
    "guanxi.customers",
    "guanxi.sales",
    "guanxi.analytics",
    "guanxi.integrations",
    "guanxi.orders",
    "guanxi.service",
    "guanxi.marketing",
    "guanxi.demo",
]

MIDDLEWARE = [
    # Outermost: the request id (X-Request-ID, in every log line) and the request metrics.
    "guanxi.core.observability.RequestMiddleware",
    # Then: a database outage answers 503, and every error under /api/ is JSON.
    "guanxi.core.error_pages.ErrorAnswerMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "guanxi.core.security_headers.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "guanxi.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guanxi.accounts.middleware.UserPreferencesMiddleware",
    "guanxi.accounts.middleware.AdminTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "guanxi.core.idempotency.IdempotencyMiddleware",  # innermost: its transaction wraps the view
]

# Form widgets render through the project's templates, so guanxi/templates can override them.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
ROOT_URLCONF = "guanxi.urls"
WSGI_APPLICATION = "guanxi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "guanxi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "guanxi.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# SQLite (WAL, IMMEDIATE transactions, busy timeout) unless DATABASE_URL names another server.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Persistent connections are checked before a request reuses them, so a database restart
    # costs a reconnect, not an error; an unreachable server fails fast (then 503, not a hang).
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60,
                                                  conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env_int("GUANXI_DB_CONNECT_TIMEOUT", 5))
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("GUANXI_SQLITE_PATH", str(VAR_DIR / "guanxi.sqlite3")),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            "PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824; PRAGMA temp_store=MEMORY;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("GUANXI_TEST_SQLITE_PATH", "")}
if os.environ.get("GUANXI_TEST_DB_NAME"):
    # Lets several test runs share one PostgreSQL server without clashing.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ["GUANXI_TEST_DB_NAME"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and background work ------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# Shared by every web process (login throttles count across them): the database, or Redis
# when REDIS_URL is set, with the database standing in while Redis cannot be reached.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "guanxi.core.cache.RedisWithDatabaseFallback",
                          "LOCATION": REDIS_URL}}
else:
    # Room for many counters: culling at Django's default of 300 entries would let a flood of
    # keys wipe the throttles.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                          "LOCATION": "guanxi_cache", "OPTIONS": {"MAX_ENTRIES": 100_000}}}

# Huey runs background work: SQLite storage by default, Redis when REDIS_URL is set so several
# worker machines share one queue. GUANXI_TASKS_IMMEDIATE=1 runs tasks inline (tests, demos).
HUEY = {
    "name": "guanxi",
    "immediate": env_bool("GUANXI_TASKS_IMMEDIATE", False),
    "consumer": {"workers": env_int("GUANXI_WORKERS", 2), "worker_type": "thread"},
}
# Long work (analysis runs, imports) renews a lease this often (a third of it): a process
# silent for this long is taken for dead, and its work is failed or resumed by the next one.
GUANXI_LEASE_SECONDS = env_int("GUANXI_LEASE_SECONDS", 60)
if REDIS_URL:
    HUEY |= {"huey_class": "huey.RedisHuey", "url": REDIS_URL}
else:
    HUEY |= {"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "tasks.sqlite3")}

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "guanxi.accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
# Failed password attempts: "/ip" per client address, "/key" per account (see
# guanxi/accounts/signin.py); the second factor's attempts are limited by the same rates.
ACCOUNT_RATE_LIMITS = {"login_failed": os.environ.get("GUANXI_LOGIN_RATE", "10/m/ip,5/5m/key")}
ACCOUNT_LOGOUT_ON_GET = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Guanxi"
# When on, administrators must set up TOTP before they can use anything else.
GUANXI_REQUIRE_ADMIN_2FA = env_bool("GUANXI_REQUIRE_ADMIN_2FA", False)
# Every API token expires: after the default unless its owner picks fewer days, never later
# than the maximum.
GUANXI_API_TOKEN_MAX_DAYS = env_int("GUANXI_API_TOKEN_MAX_DAYS", 365)
if GUANXI_API_TOKEN_MAX_DAYS < 1:
    raise ValueError("GUANXI_API_TOKEN_MAX_DAYS must be at least 1: every token expires.")
GUANXI_API_TOKEN_DEFAULT_DAYS = min(env_int("GUANXI_API_TOKEN_DEFAULT_DAYS", 90),
                                    GUANXI_API_TOKEN_MAX_DAYS)
# The largest discount rate (percent) a customer may be granted: the company minimum price.
GUANXI_MAX_DISCOUNT_RATE = Decimal(os.environ.get("GUANXI_MAX_DISCOUNT_RATE", "30"))

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("GUANXI_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "guanxi" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
# Dates and numbers per language (guanxi/formats/). Thousands are grouped by the filters that
# show numbers, never by Django everywhere: a grouped value in an <input type="number"> or a
# data attribute would be dropped by the browser or misread by a script.
FORMAT_MODULE_PATH = ["guanxi.formats"]
USE_THOUSAND_SEPARATOR = False
# The site's currency: new records default to it, and it is the display currency of a user
# who has not chosen one.
GUANXI_CURRENCY = os.environ.get("GUANXI_CURRENCY", "CNY")
# The currencies a user may pick to display totals in. There is no exchange-rate table: a
# record is always shown in its own currency; the choice labels totals over many records.
GUANXI_CURRENCIES = env_list("GUANXI_CURRENCIES", "CNY,USD,EUR,HKD,JPY,GBP")
GUANXI_DEFAULT_REGION = os.environ.get("GUANXI_DEFAULT_REGION", "CN")
# Quote-to-cash: alert this many days before a promised delivery date is missed; payment
# reminders at these numbers of days overdue.
GUANXI_DELIVERY_ALERT_DAYS = env_int("GUANXI_DELIVERY_ALERT_DAYS", 3)
GUANXI_DUNNING_DAYS = [int(d) for d in env_list("GUANXI_DUNNING_DAYS", "7,30,60")]

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("GUANXI_STATIC_ROOT", BASE_DIR / "staticfiles"))
# WhiteNoise serves from the finders in place; the directory only needs to exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "guanxi" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
                    if not DEBUG else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Uploaded documents (tender files, signed contracts): never served directly, only through
# views that check who asks.
MEDIA_ROOT = Path(os.environ.get("GUANXI_MEDIA_ROOT", VAR_DIR / "media"))
# Every stored file (import uploads, documents) goes through STORAGES["default"]: the folder
# above, or an S3-compatible object store (AWS S3, Alibaba Cloud OSS, Tencent COS, MinIO) when
# GUANXI_S3_BUCKET is set, which every web process and worker on every machine then shares.
# Objects are private; downloads pass through the app's permission checks (streamed, or a
# signed URL valid for GUANXI_S3_URL_SECONDS when GUANXI_S3_SIGNED_DOWNLOADS=1).
GUANXI_S3_BUCKET = os.environ.get("GUANXI_S3_BUCKET", "")
GUANXI_S3_SIGNED_DOWNLOADS = env_bool("GUANXI_S3_SIGNED_DOWNLOADS", False)
GUANXI_S3_URL_SECONDS = env_int("GUANXI_S3_URL_SECONDS", 300)
if GUANXI_S3_BUCKET:
    from guanxi.core.object_storage import s3_storage

    STORAGES["default"] = s3_storage(os.environ, GUANXI_S3_URL_SECONDS)
MEDIA_URL = "/media-not-served/"
# Every upload (imports, documents) is refused above GUANXI_UPLOAD_MAX_MB (guanxi.core.uploads);
# Django keeps a file in memory up to 2.5 MB, then spools it to a temporary file, and refuses
# a request whose form fields other than files hold more than 5 MB.
GUANXI_UPLOAD_MAX_MB = env_int("GUANXI_UPLOAD_MAX_MB", 25)
GUANXI_DOCUMENT_MAX_MB = env_int("GUANXI_DOCUMENT_MAX_MB", GUANXI_UPLOAD_MAX_MB)
GUANXI_IMPORT_MAX_ROWS = env_int("GUANXI_IMPORT_MAX_ROWS", 1_000_000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
WHITENOISE_AUTOREFRESH = DEBUG

# --- E-mail -------------------------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "guanxi@localhost")
# Links in e-mails point here.
GUANXI_SITE_URL = os.environ.get("GUANXI_SITE_URL", "http://localhost:8000")

# SMS (marketing and customer care): Alibaba Cloud or Tencent Cloud; see guanxi/marketing/sms.
GUANXI_SMS = {key: os.environ.get(f"GUANXI_SMS_{key.upper()}", "") for key in (
    "provider", "key_id", "key_secret", "sign_name", "app_id", "region", "endpoint",
    "callback_token", "max_parts")}
if not os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Mail in: the IMAP mailboxes the worker reads every minute, "name=imaps://user:pass@host/
# INBOX?purpose=support" entries (guanxi.core.mailboxes; README "Mail in"). A message over
# GUANXI_MAIL_MAX_MB keeps its text; its attachments are named, not kept.
GUANXI_MAILBOXES = os.environ.get("GUANXI_MAILBOXES", "")
GUANXI_MAIL_MAX_MB = env_int("GUANXI_MAIL_MAX_MB", 25)
GUANXI_MAIL_TIMEOUT = env_int("GUANXI_MAIL_TIMEOUT", 30)

# --- Security -----------------------------------------------------------------------------
# Served on a public host name: cookies only over HTTPS unless GUANXI_SECURE_COOKIES=0.
GUANXI_PUBLIC_HOST = not set(ALLOWED_HOSTS) <= {"127.0.0.1", "localhost", "[::1]", "testserver"}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("GUANXI_SECURE_COOKIES", GUANXI_PUBLIC_HOST)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("GUANXI_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("GUANXI_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GUANXI_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("GUANXI_HSTS_PRELOAD", False)
# Reverse proxies (addresses or CIDRs) whose X-Forwarded-For and X-Forwarded-Proto are
# believed; from any other peer those headers are ignored (guanxi/core/client_ip.py).
GUANXI_TRUSTED_PROXIES = env_list("GUANXI_TRUSTED_PROXIES", "")
for _proxy in GUANXI_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ValueError(f"GUANXI_TRUSTED_PROXIES: {_proxy!r} is not an address or CIDR") \
            from None
if GUANXI_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    MIDDLEWARE.insert(0, "guanxi.core.client_ip.TrustedProxyMiddleware")
# The console backend prints password-reset links into the server's log.
if (not os.environ.get("EMAIL_HOST") and GUANXI_PUBLIC_HOST and not DEBUG
        and not env_bool("GUANXI_ALLOW_CONSOLE_MAIL", False)):
    raise RuntimeError("Set EMAIL_HOST before serving Guanxi on a public host name (or "
                       "GUANXI_ALLOW_CONSOLE_MAIL=1 to print mail, password-reset links "
                       "included, into the log).")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Every page sends a Content-Security-Policy (guanxi/core/security_headers.py) and refuses to
# be framed, except the public lead forms: sites listed here (comma-separated origins, e.g.
# https://www.example.com) may frame every form, besides each form's own allowed websites.
GUANXI_FORM_FRAME_ANCESTORS = env_list("GUANXI_FORM_FRAME_ANCESTORS", "")
# Webhooks are refused to loopback, private, link-local and reserved addresses (a webhook must
# not reach the internal network) unless allowed here: all of them, or some hosts and CIDRs.
GUANXI_WEBHOOK_ALLOW_PRIVATE = env_bool("GUANXI_WEBHOOK_ALLOW_PRIVATE", False)
GUANXI_WEBHOOK_ALLOWED_HOSTS = env_list("GUANXI_WEBHOOK_ALLOWED_HOSTS", "")
GUANXI_WEBHOOK_TIMEOUT = env_int("GUANXI_WEBHOOK_TIMEOUT", 10)
GUANXI_WEBHOOK_MAX_ATTEMPTS = env_int("GUANXI_WEBHOOK_MAX_ATTEMPTS", 8)

# --- Operations ---------------------------------------------------------------------------
# Logs: one JSON object a line with the request id (guanxi/core/observability.py), or plain
# text (GUANXI_LOG_FORMAT=text, the default with DEBUG).
GUANXI_LOG_FORMAT = os.environ.get("GUANXI_LOG_FORMAT", "text" if DEBUG else "json")
if GUANXI_LOG_FORMAT not in {"json", "text"}:
    raise ValueError(f"GUANXI_LOG_FORMAT must be json or text, not {GUANXI_LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "guanxi.core.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "guanxi.core.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": GUANXI_LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("GUANXI_LOG_LEVEL", "WARNING")},
    # The worker (run_huey) gives huey its own handler unless it has one; passing records on
    # would print twice. In JSON, huey's lines (which task runs, with its request id) are ours.
    "loggers": {"huey": {"propagate": False} | (
        {"handlers": ["console"], "level": "INFO"} if GUANXI_LOG_FORMAT == "json" else {})},
}
# /metrics (Prometheus) answers a bearer of this token, or clients in these networks.
GUANXI_METRICS_TOKEN = os.environ.get("GUANXI_METRICS_TOKEN", "")
GUANXI_METRICS_NETWORKS = env_list("GUANXI_METRICS_NETWORKS", "127.0.0.0/8,::1/128")
for _network in GUANXI_METRICS_NETWORKS:
    ipaddress.ip_network(_network, strict=False)  # a typo fails at start, not at a scrape

APP_NAME = _("Guanxi")
