import pytest

from tests.factories import UserFactory


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
