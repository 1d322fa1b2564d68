import pytest
from django.core.cache import cache
from django.utils import translation

from tests.factories import UserFactory
from tracker.http import forget_latest_change


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
    fragment that another test read or rendered."""
    forget_latest_change()
    cache.clear()


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in English, whatever language an earlier request left active."""
    translation.activate("en")
    yield
    translation.deactivate()
