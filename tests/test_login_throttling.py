"""Logging in to the admin: wrong passwords lock a username out from one address for a while."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import UserFactory

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 1, 12, tzinfo=UTC)
LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def editor_account():
    return UserFactory(username="olena", role="Editors")


def log_in(client, password, username="olena"):
    return client.post(LOGIN, {"username": username, "password": password})


def fail_five_times(client, username="olena"):
    """Four wrong passwords get the login form again; the fifth locks the account out."""
    answers = [log_in(client, f"wrong-{n}", username).status_code for n in range(5)]
    assert answers == [200, 200, 200, 200, 429]


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(editor_account):
    client = Client(REMOTE_ADDR="203.0.113.5")
    fail_five_times(client)

    response = log_in(client, PASSWORD)

    assert response.status_code == 429
    assert "Too many failed attempts" in response.text
    assert "Try again in 15 min" in response.text
    assert "_auth_user_id" not in client.session


def test_the_right_password_before_the_limit_logs_in_and_starts_the_count_again(
    editor_account,
):
    client = Client(REMOTE_ADDR="203.0.113.5")
    for n in range(4):
        log_in(client, f"wrong-{n}")

    assert log_in(client, PASSWORD).status_code == 302
    client.logout()
    for n in range(4):
        log_in(client, f"wrong-again-{n}")
    assert log_in(client, PASSWORD).status_code == 302


def test_the_lock_holds_one_username_from_one_address(editor_account):
    UserFactory(username="taras", role="Editors")
    fail_five_times(Client(REMOTE_ADDR="203.0.113.5"))

    from_elsewhere = log_in(Client(REMOTE_ADDR="198.51.100.8"), PASSWORD)
    someone_else = log_in(Client(REMOTE_ADDR="203.0.113.5"), PASSWORD, username="taras")

    assert from_elsewhere.status_code == 302
    assert someone_else.status_code == 302


def test_the_lock_lifts_after_the_cool_off(editor_account, frozen_time):
    client = Client(REMOTE_ADDR="203.0.113.5")
    fail_five_times(client)

    frozen_time.shift(dt.timedelta(minutes=16))

    assert log_in(client, PASSWORD).status_code == 302


def test_a_reviewer_unlocks_a_locked_account_in_the_admin(editor_account):
    client = Client(REMOTE_ADDR="203.0.113.5")
    fail_five_times(client)
    reviewer = Client()
    reviewer.force_login(UserFactory(username="reviewer-on-duty", role="Reviewers"))
    attempt = AccessAttempt.objects.get(username="olena")

    listing = reviewer.get("/admin/axes/accessattempt/")
    unlocked = reviewer.post(
        f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}, follow=True
    )

    assert "olena" in listing.text
    assert unlocked.status_code == 200
    assert not AccessAttempt.objects.exists()
    assert log_in(client, PASSWORD).status_code == 302


def test_an_editor_cannot_unlock_accounts(editor_account):
    editor = Client()
    editor.force_login(editor_account)

    assert editor.get("/admin/axes/accessattempt/").status_code == 403
