"""The product's settings, pointed at a bench database, with the bench-only pages added.

Which database is chosen by ``BENCH_DATABASE`` (e.g. ``bench-full``): a file
in var/ on SQLite, a database of that name (dashes made underscores) on the
PostgreSQL server that ``DATABASE_URL`` names (``bench.names.database_name``:
``BENCH_DATABASE_PREFIX`` goes in front). It never is the development or
the test database, so generating a million events cannot touch either.
"""

import os
from pathlib import Path

from bench.names import database_name
from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, DATABASES, INSTALLED_APPS

# The bench is an app of its own here, and only here: its generate_bench_data
# command exists only under these settings.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]

BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "bench-small")
if not BENCH_DATABASE.startswith("bench"):
    raise RuntimeError(f"BENCH_DATABASE must start with “bench”, not “{BENCH_DATABASE}”.")

BENCH_SQLITE_DIR = Path(os.environ.get("BENCH_SQLITE_DIR", BASE_DIR / "var"))

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES = {
        "default": {
            **DATABASES["default"],
            "NAME": BENCH_SQLITE_DIR / f"{BENCH_DATABASE}.sqlite3",
        }
    }
else:
    DATABASES = {"default": {**DATABASES["default"], "NAME": database_name(BENCH_DATABASE)}}

# Measure what production runs: no query log, no debug pages.
DEBUG = False
ROOT_URLCONF = "bench.urls"
# Pages name static files; the bench has no collected manifest to look them up in.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Alerts are composed and handed to a mail backend that keeps them in memory.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "ERROR"},
}
