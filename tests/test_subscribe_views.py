"""Subscribing, confirming and unsubscribing, as a reader does it."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client

from tests.alerts_support import RawServer, silent, window_ending
from tests.factories import CommitmentFactory, ReadingFactory
from tracker.alerts.delivery import deliver_due
from tracker.alerts.models import Delivery, Scope, Subscription
from tracker.alerts.sweep import sweep

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 1, 12, tzinfo=UTC)
END = dt.datetime(2025, 4, 17, tzinfo=UTC)

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/alerts/subscribe/"
ALL_TOPICS = ["expiring", "expired", "status_changed", "violation_verified"]


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def form(**overrides):
    data = {
        "email": "reader@example.org",
        "scope": "everything",
        "topics": ALL_TOPICS,
        "lead_times": ["7d", "72h", "24h"],
    }
    data.update(overrides)
    return data


def mails():
    """What has arrived, once the alert worker beside the site has sent what was waiting."""
    deliver_due("worker")
    return mail.outbox


def link_in(message, path: str) -> str:
    return re.search(rf"https?://\S+({path}\S+/)", message.body)[1]


def test_the_subscription_page_offers_the_form():
    response = Client().get(SUBSCRIBE)

    assert response.status_code == 200
    assert b'name="email"' in response.content
    assert b'value="commitment"' not in response.content


def test_the_form_on_a_commitment_page_offers_that_commitment():
    pause = CommitmentFactory(slug="energy-pause")

    html = render_to_string("alerts/subscribe_form.html", {"commitment": pause})

    assert 'name="commitment" value="energy-pause"' in html
    assert 'value="commitment"' in html
    assert "Get alerts about this commitment" in html


def test_the_form_on_a_commitment_page_is_about_that_commitment_until_the_reader_says_otherwise():
    pause = CommitmentFactory(slug="energy-pause")

    html = render_to_string("alerts/subscribe_form.html", {"commitment": pause})

    assert 'value="commitment" checked' in html
    assert 'value="everything" checked' not in html


def test_the_commitment_page_preselects_its_commitment(client):
    pause = CommitmentFactory(slug="energy-pause")
    ReadingFactory(commitment=pause)

    page = client.get("/commitments/energy-pause/").content.decode()

    assert 'name="commitment" value="energy-pause"' in page
    assert 'value="commitment" checked' in page


def test_the_subscribe_link_from_a_commitment_preselects_it(client):
    CommitmentFactory(slug="energy-pause", title="Energy pause")

    page = client.get(SUBSCRIBE, {"commitment": "energy-pause"}).content.decode()

    assert "About “Energy pause”." in page
    assert 'value="commitment" checked' in page


def test_the_form_on_the_board_offers_everything_and_categories():
    html = render_to_string("alerts/subscribe_form.html", {"commitment": None})

    assert 'value="commitment"' not in html
    assert "energy-infrastructure strikes" in html


@pytest.mark.parametrize("shape", ["window", "deliverable", "process"])
def test_the_deadline_choices_are_worded_for_every_shape(shape):
    commitment = CommitmentFactory(shape=shape)

    html = render_to_string("alerts/subscribe_form.html", {"commitment": commitment})

    assert "before an end or a due date" in html
    assert "when an end or a due date passes" in html
    assert "before it ends" not in html
    assert "when it expires" not in html


def test_subscribing_sends_a_confirmation_link_and_nothing_else_until_it_is_opened():
    response = Client().post(SUBSCRIBE, form())

    assert response.status_code == 200
    assert b"Check your inbox" in response.content
    [message] = mails()
    assert message.to == ["reader@example.org"]
    assert "/alerts/confirm/" in message.body
    assert "The link works for 3 days" in message.body
    subscription = Subscription.objects.get()
    assert subscription.confirmed_at is None
    assert not subscription.is_active


def test_double_opt_in_and_one_click_unsubscribe_end_to_end(frozen_time):
    window_ending(END, title="Energy pause", slug="energy-pause")
    reader = Client(enforce_csrf_checks=False)
    reader.post(SUBSCRIBE, form(scope="commitment", commitment="energy-pause", lead_times="7d"))
    confirm_path = link_in(mails()[0], "/alerts/confirm/")

    page = reader.get(confirm_path)
    assert b"Confirm your subscription" in page.content
    assert Subscription.objects.get().confirmed_at is None  # opening the link changes nothing

    done = reader.post(confirm_path)
    assert b"You are subscribed" in done.content
    assert "commitment “Energy pause”" in done.content.decode()

    frozen_time.move_to(END - dt.timedelta(days=7))
    sweep()
    alert = mails()[1]
    assert alert.subject == "Ends in 7 days: Energy pause"
    unsubscribe_path = link_in(alert, "/alerts/unsubscribe/")

    mail_provider = Client(enforce_csrf_checks=True)  # one-click POST, no CSRF token
    response = mail_provider.post(unsubscribe_path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content

    frozen_time.move_to(END)
    sweep()
    assert len(mails()) == 2


def test_the_unsubscribe_link_asks_before_it_acts():
    subscribed = Subscription.objects.create(target="reader@example.org", confirmed_at=NOW)

    response = Client().get(f"/alerts/unsubscribe/{subscribed.token}/")

    assert b"<button" in response.content
    assert Subscription.objects.get().unsubscribed_at is None


def test_unsubscribing_twice_says_so_and_changes_nothing():
    subscribed = Subscription.objects.create(target="reader@example.org", confirmed_at=NOW)
    url = f"/alerts/unsubscribe/{subscribed.token}/"
    Client().post(url)

    again = Client().post(url)

    assert again.status_code == 200
    assert b"Already unsubscribed" in again.content
    assert b"1 April 2025" in again.content
    assert Subscription.objects.get().unsubscribed_at == NOW


def test_an_unknown_unsubscribe_token_is_a_clear_error():
    response = Client().post("/alerts/unsubscribe/not-a-real-token/")

    assert response.status_code == 404
    assert b"This link is not valid" in response.content


def test_a_stale_confirmation_link_is_refused_and_confirms_nothing(frozen_time):
    Client().post(SUBSCRIBE, form())
    confirm_path = link_in(mails()[0], "/alerts/confirm/")

    frozen_time.shift(dt.timedelta(days=3, seconds=1))
    response = Client().post(confirm_path)

    assert response.status_code == 400
    assert b"This confirmation link has expired" in response.content
    assert Subscription.objects.get().confirmed_at is None


def test_a_forged_confirmation_link_is_refused():
    Client().post(SUBSCRIBE, form())
    confirm_path = link_in(mails()[0], "/alerts/confirm/")
    forged = confirm_path.replace("/confirm/", "/confirm/x")

    response = Client().post(forged)

    assert response.status_code == 400
    assert b"This confirmation link is not valid" in response.content
    assert Subscription.objects.get().confirmed_at is None


def test_confirming_twice_says_so():
    Client().post(SUBSCRIBE, form())
    confirm_path = link_in(mails()[0], "/alerts/confirm/")
    Client().post(confirm_path)

    again = Client().post(confirm_path)

    assert b"Already confirmed" in again.content
    assert Subscription.objects.get().confirmed_at == NOW


def test_a_confirmation_link_for_a_cancelled_subscription_is_refused():
    Client().post(SUBSCRIBE, form())
    confirm_path = link_in(mails()[0], "/alerts/confirm/")
    Client().post(f"/alerts/unsubscribe/{Subscription.objects.get().token}/")

    response = Client().post(confirm_path)

    assert response.status_code == 400
    assert b"This subscription was cancelled" in response.content


def test_subscribing_twice_before_confirming_sends_the_link_again_and_adds_nothing(
    frozen_time,
):
    Client().post(SUBSCRIBE, form())
    frozen_time.shift(dt.timedelta(minutes=10))
    Client().post(SUBSCRIBE, form(email="Reader@Example.org"))

    assert Subscription.objects.count() == 1
    assert [m.subject for m in mails()] == ["Confirm your alerts about every commitment"] * 2


def test_asking_again_within_minutes_does_not_fill_the_inbox(frozen_time):
    Client().post(SUBSCRIBE, form())
    frozen_time.shift(dt.timedelta(minutes=9))

    for _ in range(5):
        again = Client().post(SUBSCRIBE, form())

    assert b"Check your inbox" in again.content
    assert len(mails()) == 1


def test_subscribing_after_confirming_changes_nothing_and_tells_only_the_owner():
    Subscription.objects.create(target="reader@example.org", confirmed_at=NOW)

    Client().post(SUBSCRIBE, form())

    assert Subscription.objects.count() == 1
    [notice] = mails()
    assert notice.to == ["reader@example.org"]
    assert notice.subject == "You already get alerts about every commitment"
    assert "nothing changed" in notice.body
    assert "/alerts/unsubscribe/" in notice.body


def test_the_page_does_not_say_whether_an_address_is_subscribed():
    Subscription.objects.create(target="known@example.org", confirmed_at=NOW)
    Subscription.objects.create(target="waiting@example.org")

    answers = [
        Client().post(SUBSCRIBE, form(email=email))
        for email in ("known@example.org", "waiting@example.org", "new@example.org")
    ]

    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.content for answer in answers}) == 1


def test_a_confirmed_owner_is_told_at_most_once_every_ten_minutes(frozen_time):
    Subscription.objects.create(target="reader@example.org", confirmed_at=NOW)

    for _ in range(3):
        Client().post(SUBSCRIBE, form())
    frozen_time.shift(dt.timedelta(minutes=11))
    Client().post(SUBSCRIBE, form())

    assert len(mails()) == 2


def test_one_client_cannot_ask_for_many_addresses(settings):
    settings.ALERTS_SUBSCRIBE_RATE = "3/h"
    client = Client(REMOTE_ADDR="203.0.113.7")

    answers = [client.post(SUBSCRIBE, form(email=f"victim{n}@example.org")) for n in range(5)]
    elsewhere = Client(REMOTE_ADDR="198.51.100.9").post(SUBSCRIBE, form(email="me@example.org"))

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429, 429]
    assert b"Too many requests" in answers[-1].content
    assert len(mails()) == 4  # three for the first client, one for the other
    assert Subscription.objects.count() == 4
    assert elsewhere.status_code == 200


def test_behind_a_proxy_the_limit_counts_the_forwarded_client(settings):
    settings.ALERTS_SUBSCRIBE_RATE = "1/h"
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.2")

    first = proxy.post(SUBSCRIBE, form(email="a@example.org"), HTTP_X_FORWARDED_FOR="192.0.2.1")
    other = proxy.post(SUBSCRIBE, form(email="b@example.org"), HTTP_X_FORWARDED_FOR="192.0.2.2")
    again = proxy.post(
        SUBSCRIBE, form(email="c@example.org"), HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.1"
    )

    assert [first.status_code, other.status_code, again.status_code] == [200, 200, 429]


def test_the_same_address_may_follow_different_scopes():
    pause = CommitmentFactory(slug="energy-pause")
    Client().post(SUBSCRIBE, form())
    Client().post(SUBSCRIBE, form(scope="commitment", commitment=pause.slug))
    Client().post(SUBSCRIBE, form(scope="category", category="maritime"))

    assert sorted(Subscription.objects.values_list("scope", flat=True)) == [
        Scope.CATEGORY,
        Scope.COMMITMENT,
        Scope.EVERYTHING,
    ]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"email": "not-an-address"}, "Enter a valid email address"),
        ({"email": ""}, "This field is required"),
        ({"lead_times": ["next week"]}, "Select a valid choice. next week is not one of"),
        ({"lead_times": ["90d"]}, "Select a valid choice. 90d is not one of"),
        ({"lead_times": []}, "Choose at least one lead time, or untick “before”."),
        ({"topics": []}, "Choose at least one thing to hear about"),
        ({"scope": "category", "category": ""}, "Choose a category"),
        ({"scope": "commitment", "commitment": "no-such-thing"}, "not on the public site"),
        ({"scope": "galaxy"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_the_form_keeps_what_was_typed(
    overrides, message
):
    response = Client().post(SUBSCRIBE, form(**{"email": "reader@example.org", **overrides}))

    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    if overrides.get("email", "reader@example.org") == "reader@example.org":
        assert 'value="reader@example.org"' in content
    assert Subscription.objects.count() == 0
    assert mails() == []


def test_an_unpublished_commitment_cannot_be_subscribed_to():
    hidden = CommitmentFactory(slug="draft", is_published=False)

    response = Client().post(SUBSCRIBE, form(scope="commitment", commitment=hidden.slug))

    assert response.status_code == 400
    assert Subscription.objects.count() == 0


def test_the_form_answers_at_once_when_the_mail_server_hangs_and_the_mail_waits(settings):
    settings.EMAIL_BACKEND = "tracker.alerts.mail.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_TIMEOUT = "127.0.0.1", 30
    settings.ALERTS_SEND_DEADLINE = 1
    with RawServer(silent) as hanging:
        settings.EMAIL_PORT = hanging.port
        response = Client().post(SUBSCRIBE, form())
        connections_during_the_request = hanging.connections
        deliver_due("worker")  # the worker tries, and is cut off at the deadline

    assert response.status_code == 200
    assert b"A message is on its way" in response.content
    assert connections_during_the_request == 0  # the web request never touched the mail server
    waiting = Delivery.objects.get()
    assert (waiting.topic, waiting.state) == ("confirm", Delivery.State.PENDING)
    assert "No complete answer within 1 s" in waiting.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(NOW + dt.timedelta(minutes=2), tick=False):
        [message] = mails()
    assert "/alerts/confirm/" in message.body
    assert message.extra_headers["X-Tracker-Delivery"] == str(waiting.delivery_id)


def test_pending_alerts_of_an_unsubscribed_reader_are_cancelled():
    subscribed = Subscription.objects.create(target="reader@example.org", confirmed_at=NOW)
    pause = window_ending(END)
    Delivery.objects.create(
        subscription=subscribed, commitment=pause, topic="expiring", refers_to="x"
    )

    Client().post(f"/alerts/unsubscribe/{subscribed.token}/")

    assert Delivery.objects.get().state == Delivery.State.CANCELLED


def test_the_subscription_history_says_who_did_what():
    Client().post(SUBSCRIBE, form())
    Client().post(link_in(mails()[0], "/alerts/confirm/"))
    Client().post(f"/alerts/unsubscribe/{Subscription.objects.get().token}/")

    reasons = Subscription.objects.get().history.values_list("history_change_reason", flat=True)
    assert list(reasons) == [
        "Unsubscribed by the subscriber",
        "Confirmed by the subscriber",
        "Subscribed from the public form",
    ]
