"""Settings for the ceasefire commitment tracker.

Everything that differs between a laptop and production comes from the
environment, so the same code runs with ``make run`` and behind gunicorn.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_seconds(name: str, default: float) -> float:
    """Seconds from the environment; anything but a positive number is refused."""
    value = os.environ.get(name)
    if value is None:
        return float(default)
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds > 0 or seconds == float("inf"):
        raise RuntimeError(f"{name} must be a positive number of seconds, not “{value}”.")
    return seconds


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and os.environ.get("DJANGO_REQUIRE_SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set in production")
    # Good enough for a laptop and the test suite; production sets SECRET_KEY.
    SECRET_KEY = "insecure-development-key-set-SECRET_KEY-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Before the admin, so its translation tabs and registrations are in place first.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "axes",
    "csp",
    "health_check",
    "tracker",
    "tracker.alerts",
    "tracker.demo",
    "tracker.evidence",
    # After the tracker, whose own `import` command replaces the generic one.
    "import_export",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Public responses only, never the admin (tracker/compression.py says why that is safe).
    "tracker.compression.PublicCompressionMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff sessions end when idle, and at the longest a session lasts (tracker/staff/sessions.py).
    "tracker.staff.sessions.StaffSessionTimeout",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tracker.site.reader_zone.reader_zone",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# SQLite is the embedded default: one file, WAL so readers never wait for the
# writer, a busy timeout instead of "database is locked", and IMMEDIATE
# transactions so two writers queue up instead of deadlocking on upgrade.
# Connections are kept between requests on both databases (CONN_MAX_AGE):
# opening a SQLite file and running its PRAGMAs costs more than a cheap page,
# and with WAL a kept connection still sees every commit at its next query.
# PostgreSQL is used whenever DATABASE_URL points at it.
DEFAULT_SQLITE_PATH = BASE_DIR / "var" / "tracker.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts and
# images from this site only, no inline script or style anywhere, no plugins, and
# no framing by other sites. Source links open other sites; nothing is loaded from them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# The embeddable card and badge (/embed/…) alone may be framed, by these sites: "*" for
# any, or a comma-separated list such as "https://news.example.org,https://*.example.net".
EMBED_FRAME_ANCESTORS = env_list("EMBED_FRAME_ANCESTORS", "*")

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# username from one client address, that pair is locked out for the cool-off;
# a right password before then resets the count. Reviewers can unlock early in
# the admin (Axes → Access attempts: delete the attempt).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "tracker.http.client_ip"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("uk", _("Ukrainian")),
    ("ru", _("Russian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates read "1 February 2026" in every language (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]

# The records' own texts (titles, terms, summaries, names…) in the same three
# languages (django-modeltranslation; the fields are listed in tracker/translation.py).
# English is required and is the fallback: a text not yet translated is shown in
# English, marked as such on the page. Slugs are made from the English title.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "uk", "ru")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
MODELTRANSLATION_REQUIRED_LANGUAGES = ("en",)
MODELTRANSLATION_PREPOPULATE_LANGUAGE = "en"
# Staff edit each language in a tab; the tabs need jQuery UI, served from this
# site (static/vendor/jquery-ui, 1.14) because the Content-Security-Policy allows
# no other. The admin's own jQuery runs it.
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
# Captured pages and files from the field (tracker/evidence/storage.py): var/media on this
# machine, or any S3-compatible store when EVIDENCE_S3_BUCKET is set (django-storages, with
# EVIDENCE_S3_ENDPOINT_URL for a store that is not Amazon's, and the usual AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY and AWS_S3_REGION_NAME). The files are private either way: readers get
# a shareable copy through the site, never from the store.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
EVIDENCE_S3_BUCKET = os.environ.get("EVIDENCE_S3_BUCKET", "")
EVIDENCE_STORAGE = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": EVIDENCE_S3_BUCKET,
            "endpoint_url": os.environ.get("EVIDENCE_S3_ENDPOINT_URL") or None,
            "location": os.environ.get("EVIDENCE_S3_PREFIX", "evidence"),
            "default_acl": "private",
            "file_overwrite": True,
            "querystring_auth": True,
        },
    }
    if EVIDENCE_S3_BUCKET
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "evidence", "base_url": None},
    }
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "evidence": EVIDENCE_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The cache holds the current version of the public record, whole public pages,
# rendered fragments and the rate limits' counts. Embedded default: this
# process's memory. With more than one web process or machine, set REDIS_URL so
# they all share one: Django's own Redis cache, which pages read through as a
# miss while Redis is unreachable (tracker.cache).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "tracker.cache.SharedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tracker",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "tracker",
        }
    }

# The audit trail is append-only: staff can read every change but never
# roll a record back to an older version from the history page.
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Django's SMTP backend with every connection under the alert worker's overall
# deadline for one send (tracker/alerts/mail.py), or the console without EMAIL_HOST.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "tracker.alerts.mail.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds for each exchange with the mail server; a whole send is bounded by ALERTS_SEND_DEADLINE.
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tracker@localhost")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ceasefire Commitment Tracker API",
    "DESCRIPTION": (
        "Open data, read-only and anonymous: commitments, readings and compliance events. "
        "Under /api/staff/, staff tools record and edit claims and sources, verify and "
        "publish, with a staff member's token (Authorization: Token <key>)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # What the staff API reads is described apart from what it answers: its bodies take
    # no other properties, and its texts have rules (tracker/staff/api/texts.py).
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "tracker.status.Status",
        "EventKindEnum": "tracker.models.EventKind",
        "AgreementKindEnum": "tracker.models.Agreement.Kind",
        "PartyKindEnum": "tracker.models.Party.Kind",
        "PrecisionEnum": "tracker.clock.Precision",
    },
}

# Webhook and chat targets on loopback, private or link-local addresses are
# refused unless this is set (the test suite enables it for a local receiver).
ALERTS_ALLOW_PRIVATE_TARGETS = env_bool("ALERTS_ALLOW_PRIVATE_TARGETS", False)

# Delivering alerts (tracker/alerts/delivery.py): every send, whatever the other end
# does, is stopped after ALERTS_SEND_DEADLINE; a claim is a lease of ALERTS_LEASE,
# always made longer than the longest send; a failing alert is retried, waiting from
# ALERTS_FIRST_RETRY up to ALERTS_LONGEST_RETRY between tries, for ALERTS_RETRY_FOR
# before it is failed and staff are told; /health/ fails when the oldest alert that
# could be sent has waited longer than ALERTS_HEALTH_MAX_LAG. All in seconds.
ALERTS_SEND_DEADLINE = env_seconds("ALERTS_SEND_DEADLINE", 30)
ALERTS_WEBHOOK_TIMEOUT = env_seconds("ALERTS_WEBHOOK_TIMEOUT", 10)
ALERTS_LEASE = dt.timedelta(seconds=env_seconds("ALERTS_LEASE", 5 * 60))
ALERTS_FIRST_RETRY = dt.timedelta(seconds=env_seconds("ALERTS_FIRST_RETRY", 60))
ALERTS_LONGEST_RETRY = dt.timedelta(seconds=env_seconds("ALERTS_LONGEST_RETRY", 60 * 60))
ALERTS_RETRY_FOR = dt.timedelta(seconds=env_seconds("ALERTS_RETRY_FOR", 24 * 60 * 60))
ALERTS_HEALTH_MAX_LAG = dt.timedelta(seconds=env_seconds("ALERTS_HEALTH_MAX_LAG", 10 * 60))
# How many workers may send mail at once, each on a connection of its own (the mail
# server's lanes), and how many alerts a worker sends over one connection or one hold
# of a webhook receiver before it lets go.
ALERTS_MAIL_CONNECTIONS = int(os.environ.get("ALERTS_MAIL_CONNECTIONS", "4"))
ALERTS_BATCH = int(os.environ.get("ALERTS_BATCH", "50"))

# The largest file of claims the admin's import page takes; the import_events
# command takes files of any size.
INTAKE_UPLOAD_MAX_BYTES = int(float(os.environ.get("INTAKE_UPLOAD_MAX_MB", "1")) * 2**20)

# How many reverse proxies in front of the application append to
# X-Forwarded-For; the client's address is read from there (tracker.http.client_ip).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# The public subscribe form: requests per client address (django-ratelimit,
# counted in the cache, so shared by every worker that shares the cache).
ALERTS_SUBSCRIBE_RATE = os.environ.get("ALERTS_SUBSCRIBE_RATE", "10/h")
RATELIMIT_USE_CACHE = "default"

# The staff write API: requests per user (DRF throttling, counted in the cache,
# so shared by every web node that shares the cache).
STAFF_API_RATE = os.environ.get("STAFF_API_RATE", "60/min")

# Staff sessions (the admin's; nothing public uses one) end SESSION_IDLE_MINUTES after the
# last admin request, and SESSION_MAX_HOURS after signing in however busy (tracker.staff.sessions).
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "60"))
SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
if SESSION_IDLE_MINUTES < 1 or SESSION_MAX_HOURS < 1:
    raise RuntimeError("SESSION_IDLE_MINUTES and SESSION_MAX_HOURS must be at least 1.")
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

# Every cookie says SameSite, so no other site's page sends it along: the session's, the
# CSRF token's and the messages' (Django's default, said here) and the language switcher's
# (which Django sends without one unless told).
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Secure by default in production: with DEBUG off and an https SITE_URL,
# cookies are sent over HTTPS only, plain HTTP is redirected and browsers are
# told to use HTTPS for a year (HSTS). Each can be tuned; see the README.
SERVES_HTTPS = not DEBUG and SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SERVES_HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SERVES_HTTPS)
LANGUAGE_COOKIE_SECURE = env_bool("LANGUAGE_COOKIE_SECURE", SERVES_HTTPS)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SERVES_HTTPS)
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600) if SERVES_HTTPS else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SERVES_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SERVES_HTTPS)


def proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """``HTTP_X_FORWARDED_PROTO=https`` as Django wants it: the header and the value meaning TLS."""
    if not value:
        return None
    header, _, proto = value.partition("=")
    if not header.startswith("HTTP_") or not proto:
        raise RuntimeError(
            f"SECURE_PROXY_SSL_HEADER must look like HTTP_X_FORWARDED_PROTO=https, not “{value}”."
        )
    return header.strip(), proto.strip()


# Only behind a proxy that sets this header itself and drops any the client sent.
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(os.environ.get("SECURE_PROXY_SSL_HEADER", ""))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Capturing cited sources (tracker/evidence/fetching.py): the largest answer kept (and the
# most a compressed answer may expand to), the time one capture may take in all, the
# redirects followed (each new address checked as the first), and the User-Agent sent.
# Addresses in private, loopback or link-local networks are refused unless
# SOURCES_ALLOW_PRIVATE_TARGETS is set (the test suite sets it for its own servers).
SOURCES_ALLOW_PRIVATE_TARGETS = env_bool("SOURCES_ALLOW_PRIVATE_TARGETS", False)
SOURCES_CAPTURE_MAX_BYTES = int(float(os.environ.get("SOURCES_CAPTURE_MAX_MB", "25")) * 2**20)
SOURCES_CAPTURE_TIMEOUT = env_seconds("SOURCES_CAPTURE_TIMEOUT", 60)
SOURCES_CAPTURE_MAX_REDIRECTS = int(os.environ.get("SOURCES_CAPTURE_MAX_REDIRECTS", "5"))
SOURCES_USER_AGENT = os.environ.get(
    "SOURCES_USER_AGENT",
    f"ceasefire-tracker-archiver (keeps a copy of the pages it cites; {SITE_URL}/)",
)
# A capture that fails is tried again after SOURCES_FIRST_RETRY, doubling up to
# SOURCES_LONGEST_RETRY, SOURCES_CAPTURE_ATTEMPTS times in all before it is marked failed.
SOURCES_FIRST_RETRY = dt.timedelta(seconds=env_seconds("SOURCES_FIRST_RETRY", 10 * 60))
SOURCES_LONGEST_RETRY = dt.timedelta(seconds=env_seconds("SOURCES_LONGEST_RETRY", 24 * 60 * 60))
SOURCES_CAPTURE_ATTEMPTS = int(os.environ.get("SOURCES_CAPTURE_ATTEMPTS", "8"))
# Link watching: each cited address is checked again about every SOURCES_WATCH_EVERY
# (spread over that period by source, so not all at once).
SOURCES_WATCH_EVERY = dt.timedelta(seconds=env_seconds("SOURCES_WATCH_EVERY", 7 * 24 * 60 * 60))
# Files from the field: the largest file staff may attach.
EVIDENCE_UPLOAD_MAX_BYTES = int(float(os.environ.get("EVIDENCE_UPLOAD_MAX_MB", "50")) * 2**20)
# The public log (tracker/ledger): its name in signed checkpoints, and the Ed25519 key
# that signs them, as `manage.py ledger_key` writes it (PRIVATE+KEY+…), or a file holding it.
LEDGER_ORIGIN = os.environ.get("LEDGER_ORIGIN") or (
    f"{SITE_URL.split('://', 1)[-1].split('/', 1)[0]}/ledger"
)
LEDGER_SIGNING_KEY = os.environ.get("LEDGER_SIGNING_KEY", "")
LEDGER_SIGNING_KEY_FILE = os.environ.get("LEDGER_SIGNING_KEY_FILE", "")
