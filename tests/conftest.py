import os
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db.backends.base.creation import BaseDatabaseCreation
from django.test.utils import override_settings
from django.utils import translation

from tests.factories import UserFactory
from tracker import cache as shared_cache
from tracker.http import forget_latest_change

# Fixtures more than one module shares.
pytest_plugins = ["tests.demo_support"]


def redis_database_of_this_worker(url: str, worker: str) -> str:
    """The Redis address ``url`` with a database of this test process's own.

    With the suite spread over several processes (pytest-xdist), each one clears
    the cache before every test; on one shared Redis database they would clear
    each other's. Process ``gwN`` takes the database ``N + 1`` places after the one
    ``REDIS_URL`` names, which stays for the processes the tests start themselves
    (the bench), so it must leave room: Redis has 16 databases by default.
    """
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    database = base + 1 + int(worker.removeprefix("gw"))
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture(scope="session", autouse=True)
def redis_of_this_worker():
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("REDIS_URL")
    if not (worker and url):
        yield
        return
    from django.conf import settings

    caches = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": redis_database_of_this_worker(url, worker),
        }
    }
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(scope="session", autouse=True)
def restores_start_from_empty_tables():
    """A test that restores the database as the migrations left it (``serialized_rollback``)
    first empties its tables.

    A test that ran before it with ``transaction=True`` and without that restore emptied them
    too, but Django then let the content types be made again, under new ids; loading the
    saved ones over those would break their unique names. Which test a process runs first
    depends on how the suite is spread over the processes.
    """
    restore = BaseDatabaseCreation.deserialize_db_from_string

    def restore_into_empty_tables(creation, data):
        call_command(
            "flush",
            database=creation.connection.alias,
            interactive=False,
            inhibit_post_migrate=True,
            verbosity=0,
        )
        restore(creation, data)

    with mock.patch.object(
        BaseDatabaseCreation, "deserialize_db_from_string", restore_into_empty_tables
    ):
        yield


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", role="Editors")


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", role="Reviewers")


@pytest.fixture
def outsider(db):
    """Logged in as staff, but in neither role."""
    return UserFactory(username="outsider")


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Pages name static files; tests run without the collected manifest to look them up in."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real password hashing is slow on purpose; tests that create staff need not pay for it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def nothing_cached_from_another_test():
    """Each test has its own records, so none may reuse the latest change or a page
    fragment that another test read or rendered; nor may it find the shared cache
    resting after a failure another test caused."""
    for each in caches.all(initialized_only=True):
        if isinstance(each, shared_cache.SharedRedisCache):
            each.forget_failures()
    forget_latest_change()
    cache.clear()


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in English, whatever language an earlier request left active."""
    translation.activate("en")
    yield
    translation.deactivate()
