"""Staff sessions end when idle and at the longest a session lasts; every cookie says SameSite.

An admin session lasted two weeks whatever happened to the laptop it was opened on. It
now ends ``SESSION_IDLE_MINUTES`` (60) after the last admin request and
``SESSION_MAX_HOURS`` (12) after signing in; public pages neither keep it alive nor set
a cookie, so shared caches may keep them.
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.factories import CommitmentFactory, UserFactory
from tests.test_production_settings import production_env, setting_values

UTC = dt.UTC
SIGN_IN = dt.datetime(2025, 4, 1, 9, tzinfo=UTC)
ADMIN = "/admin/"


@pytest.fixture
def signed_in(client, db):
    with time_machine.travel(SIGN_IN, tick=False):
        client.force_login(UserFactory(username="editor", role="Editors"))
        assert client.get(ADMIN).status_code == 200
    return client


def admin_at(client, moment: dt.datetime):
    with time_machine.travel(moment, tick=False):
        return client.get(ADMIN)


def is_signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_a_session_left_idle_longer_than_the_idle_time_ends(signed_in):
    assert is_signed_out(admin_at(signed_in, SIGN_IN + dt.timedelta(minutes=61)))


def test_each_admin_request_starts_the_idle_time_again(signed_in):
    moment = SIGN_IN
    for _ in range(5):
        moment += dt.timedelta(minutes=55)
        assert admin_at(signed_in, moment).status_code == 200

    assert is_signed_out(admin_at(signed_in, moment + dt.timedelta(minutes=61)))


def test_a_busy_session_still_ends_at_the_longest_a_session_lasts(signed_in):
    moment = SIGN_IN
    while moment < SIGN_IN + dt.timedelta(hours=12) - dt.timedelta(minutes=30):
        moment += dt.timedelta(minutes=30)
        assert admin_at(signed_in, moment).status_code == 200

    assert is_signed_out(admin_at(signed_in, SIGN_IN + dt.timedelta(hours=12, minutes=1)))


def test_public_pages_neither_keep_a_session_alive_nor_set_a_cookie(signed_in):
    CommitmentFactory(slug="energy-pause")
    for minutes in (20, 40, 59):
        with time_machine.travel(SIGN_IN + dt.timedelta(minutes=minutes), tick=False):
            response = signed_in.get("/commitments/energy-pause/")
        assert response.status_code == 200
        assert not response.cookies

    assert is_signed_out(admin_at(signed_in, SIGN_IN + dt.timedelta(minutes=61)))


def test_the_idle_time_and_the_longest_session_are_set_from_the_environment(tmp_path):
    env = production_env(tmp_path, SESSION_IDLE_MINUTES="15", SESSION_MAX_HOURS="8")

    values = setting_values(env, "SESSION_COOKIE_AGE", "SESSION_MAX_HOURS")

    assert values == {"SESSION_COOKIE_AGE": 900, "SESSION_MAX_HOURS": 8}


# SameSite ------------------------------------------------------------------------------


def test_every_cookie_the_site_sets_says_samesite(client, db):
    editor = UserFactory(username="editor", role="Editors")
    set_cookies = {}

    def keep(response):
        for name, morsel in response.cookies.items():
            set_cookies[name] = morsel
        return response

    keep(client.post("/i18n/setlang/", {"language": "uk", "next": "/"}))
    keep(client.get(reverse("admin:login")))
    keep(
        client.post(
            reverse("admin:login"),
            {"username": "editor", "password": "correct horse battery staple", "next": ADMIN},
        )
    )
    assert client.session.get("_auth_user_id") == str(editor.pk)
    keep(client.get(reverse("admin:tracker_source_add")))
    keep(
        client.post(
            reverse("admin:tracker_source_add"),
            {
                "url": "https://news.example.org/1",
                "title_en": "Report",
                "publisher": "Example News",
                "language": "en",
                "accessed_on": "2025-04-01",
                "reason": "New source",
            },
        )
    )
    keep(client.get("/alerts/subscribe/"))

    assert {"django_language", "csrftoken", "sessionid", "messages"} <= set(set_cookies)
    assert {name: morsel["samesite"] for name, morsel in set_cookies.items()} == dict.fromkeys(
        set_cookies, "Lax"
    )
