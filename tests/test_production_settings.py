"""The settings a production server gets from the README's variables: secure by default."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def production_env(tmp_path, **extra) -> dict:
    """The production variables the README lists, and nothing of the test run's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_REQUIRE_SECRET_KEY="1",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="tracker.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'tracker.sqlite3'}",
        SITE_URL="https://tracker.example.org",
        EMAIL_HOST="smtp.example.org",
        DEFAULT_FROM_EMAIL="alerts@tracker.example.org",
    )
    env.update(extra)
    return env


def setting_values(env: dict, *names: str) -> dict:
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}))"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout)


def test_the_deploy_check_finds_nothing_with_the_production_variables(tmp_path):
    finished = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
    )

    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "System check identified no issues" in finished.stdout


def test_an_https_site_gets_secure_cookies_hsts_and_a_redirect_to_https(tmp_path):
    values = setting_values(
        production_env(tmp_path),
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER",
    )

    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_each_production_default_can_be_tuned(tmp_path):
    env = production_env(
        tmp_path,
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
        SECURE_HSTS_PRELOAD="0",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO=https",
    )

    values = setting_values(
        env,
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_PROXY_SSL_HEADER",
    )

    assert values == {
        "SECURE_HSTS_SECONDS": 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


@pytest.mark.parametrize(
    "extra", [{"SITE_URL": "http://127.0.0.1:8000"}, {"DEBUG": "1"}], ids=["http", "debug"]
)
def test_a_laptop_is_not_sent_to_https(tmp_path, extra):
    values = setting_values(
        production_env(tmp_path, **extra),
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
    )

    assert values == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SESSION_COOKIE_SECURE": False,
    }


def test_a_malformed_proxy_header_setting_is_a_clear_error(tmp_path):
    env = production_env(tmp_path, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    finished = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert finished.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER must look like HTTP_X_FORWARDED_PROTO=https" in (
        finished.stderr
    )
