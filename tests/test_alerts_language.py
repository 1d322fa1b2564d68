"""Alerts in the subscriber's language and on their clock, from the first mail to the last.

A subscription keeps the language and the zone of the page it was made on;
every mail, subject and time uses them, and so do the pages its links open.
The subscriber changes them from the link in every alert.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client

from tests.alerts_support import LocalReceiver, SubscriptionFactory, deliverable_due
from tests.factories import CommitmentFactory, ReadingFactory
from tracker.alerts.delivery import deliver_due
from tracker.alerts.models import Channel, Delivery, Subscription
from tracker.alerts.sweep import sweep

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 1, 9, tzinfo=UTC)
END = dt.datetime(2025, 4, 17, 12, tzinfo=UTC)  # 15:00 in Kyiv and in Moscow
DAY = dt.timedelta(days=1)

pytestmark = pytest.mark.django_db

FORM = {
    "email": "reader@example.org",
    "scope": "everything",
    "topics": ["expiring", "expired", "status_changed", "violation_verified"],
    "lead_times": ["7d", "72h", "24h"],
}


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def reader(language: str | None = None) -> Client:
    """A browser whose reader chose ``language`` on the site (or none)."""
    client = Client()
    if language:
        client.cookies["django_language"] = language
    return client


def mails():
    """What has arrived, once the alert worker beside the site has sent what was waiting."""
    deliver_due("worker")
    return mail.outbox


def link_in(message, path: str) -> str:
    return re.search(rf"https?://\S+({path}\S+/)", message.body)[1]


def energy_pause():
    pause = CommitmentFactory(
        title="Energy pause",
        title_uk="Енергетична пауза",
        title_ru="Энергетическая пауза",
        slug="energy-pause",
    )
    ReadingFactory(commitment=pause, ends_at=END, precision="minute")
    return pause


def subscribe_and_confirm(client: Client, zone: str = "Europe/Kyiv") -> Subscription:
    client.post(f"/alerts/subscribe/?tz={zone}", FORM)
    client.post(link_in(mails()[-1], "/alerts/confirm/"))
    return Subscription.objects.get()


def test_a_subscription_keeps_the_language_and_zone_of_the_page_it_was_made_on():
    reader("uk").post("/alerts/subscribe/?tz=Europe/Kyiv", FORM)

    subscription = Subscription.objects.get()
    assert (subscription.language, subscription.time_zone) == ("uk", "Europe/Kyiv")


def test_a_page_in_utc_with_no_zone_chosen_subscribes_in_utc():
    reader("ru").post("/alerts/subscribe/", FORM)

    subscription = Subscription.objects.get()
    assert (subscription.language, subscription.time_zone) == ("ru", "UTC")


def test_the_form_says_which_language_and_zone_the_alerts_will_use():
    page = reader("uk").get("/alerts/subscribe/?tz=Europe/Kyiv").content.decode()

    assert "Мова сповіщень: Українська" in page
    assert "час у них — за часовим поясом Київ" in page


def test_the_lead_times_are_checkboxes_not_typed():
    page = reader("uk").get("/alerts/subscribe/").content.decode()

    boxes = re.findall(r'<input type="checkbox" name="lead_times" value="(\w+)"[^>]*>', page)
    assert boxes == ["7d", "72h", "24h", "1h"]
    for label in ("7 днів", "3 дні", "24 години", "1 годину"):
        assert label in page
    assert 'type="text" name="lead_times"' not in page


def test_the_confirmation_mail_is_wholly_in_the_subscribers_language():
    reader("uk").post("/alerts/subscribe/?tz=Europe/Kyiv", FORM)

    [message] = mails()
    assert message.subject == "Підтвердьте підписку на сповіщення (усі зобов'язання)"
    assert "Посилання діє 3 дні." in message.body
    assert re.search(r"/alerts/confirm/\S+/\?tz=Europe%2FKyiv", message.body)
    assert "за часовим поясом Київ" in message.body
    assert "The link" not in message.body
    assert "alerts about" not in message.body


def test_the_confirmation_page_opened_in_another_browser_speaks_the_subscribers_language():
    reader("ru").post("/alerts/subscribe/", FORM)
    confirm = link_in(mails()[0], "/alerts/confirm/")

    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(confirm)
    done = Client(HTTP_ACCEPT_LANGUAGE="en").post(confirm)

    assert page.headers["Content-Language"] == "ru"
    assert "Подтвердите" in page.content.decode() or "Подтвердить" in page.content.decode()
    assert 'lang="ru"' in done.content.decode()
    assert "Выберите язык, часовой пояс" in done.content.decode()


def test_a_reader_who_chose_a_language_in_this_browser_gets_the_page_in_it():
    subscription = SubscriptionFactory(language="ru")

    page = reader("en").get(f"/alerts/unsubscribe/{subscription.token}/")

    assert page.headers["Content-Language"] == "en"
    assert "Stop alerts about every commitment?" in page.content.decode()


def test_a_warning_its_subject_and_its_times_come_in_ukrainian_on_the_kyiv_clock():
    energy_pause()
    subscription = subscribe_and_confirm(reader("uk"))
    mail.outbox.clear()

    with time_machine.travel(END - 7 * DAY, tick=False):
        sweep()

    [message] = mails()
    assert message.subject == "Завершується через 7 днів: Енергетична пауза"
    assert "«Енергетична пауза» завершується через 7 днів." in message.body
    assert "Завершення: 17 квітня 2025, 15:00 за київським часом" in message.body
    assert "/commitments/energy-pause/?tz=Europe%2FKyiv" in message.body
    assert f"/alerts/manage/{subscription.token}/?tz=Europe%2FKyiv" in message.body
    html, _mimetype = message.alternatives[0]
    assert '<html lang="uk">' in html
    assert "Енергетична пауза" in html
    for english in ("ends in", "Details", "Unsubscribe", "UTC"):
        assert english not in message.body


def test_a_status_change_comes_in_russian_with_the_status_words_in_russian(reviewer):
    from tracker import services

    pause = energy_pause()
    SubscriptionFactory(language="ru", time_zone="Europe/Moscow", on_expiring=False)

    services.change_status(
        pause,
        "suspended",
        actor=reviewer,
        reason="Talks broke down",
        effective_at=dt.datetime(2025, 3, 31, 9, 30, tzinfo=UTC),
    )
    sweep()

    [message] = mails()
    assert message.subject.endswith(": Энергетическая пауза")
    assert "статус теперь" in message.body
    assert "с 31 марта 2025, 12:30 по московскому времени" in message.body


def test_a_deliverable_due_date_passing_is_said_in_the_subscribers_language():
    deliverable_due(END, title="Prisoner exchange", title_uk="Обмін полоненими")
    SubscriptionFactory(language="uk", time_zone="Europe/Kyiv", on_expiring=False)

    with time_machine.travel(END, tick=False):
        sweep()

    [message] = mails()
    assert message.subject == "Кінцевий термін минув: Обмін полоненими"
    assert "Кінцевий термін: 17 квітня 2025, 15:00 за київським часом" in message.body


def test_a_webhook_gets_the_texts_in_the_subscribers_language_and_says_which(settings):
    settings.ALERTS_ALLOW_PRIVATE_TARGETS = True
    energy_pause()
    with LocalReceiver() as receiver:
        SubscriptionFactory(
            channel=Channel.WEBHOOK,
            target=receiver.url,
            language="uk",
            time_zone="Europe/Kyiv",
            lead_times="7d",
        )
        with time_machine.travel(END - 7 * DAY, tick=False):
            sweep()

    [body] = receiver.json_bodies()
    assert (body["language"], body["time_zone"]) == ("uk", "Europe/Kyiv")
    assert body["commitment"]["title"] == "Енергетична пауза"
    assert body["deadline"] == "2025-04-17T12:00:00+00:00"


def test_a_stored_language_or_zone_no_longer_offered_falls_back_without_an_error():
    energy_pause()
    subscription = SubscriptionFactory(
        language="de", time_zone="Mars/Olympus_Mons", lead_times="7d"
    )

    with time_machine.travel(END - 7 * DAY, tick=False):
        sweep()
    page = reader().get(f"/alerts/manage/{subscription.token}/")

    [message] = mails()
    assert message.subject == "Ends in 7 days: Energy pause"
    assert "End: 17 April 2025, 12:00 UTC" in message.body
    assert Delivery.objects.get().state == Delivery.State.SENT
    assert page.status_code == 200
    assert '<option value="en" selected>' in page.content.decode()
    assert '<option value="UTC" selected>' in page.content.decode()


def manage(subscription, client=None, **changes):
    data = {
        "language": subscription.language,
        "time_zone": subscription.time_zone,
        "topics": ["expiring", "expired"],
        "lead_times": ["24h"],
        **changes,
    }
    return (client or reader()).post(f"/alerts/manage/{subscription.token}/", data)


def test_the_manage_page_shows_the_subscription_in_its_language():
    subscription = SubscriptionFactory(language="uk", time_zone="Europe/Kyiv", lead_times="24h")

    page = reader().get(f"/alerts/manage/{subscription.token}/").content.decode()

    assert "Ваші сповіщення" in page
    assert '<option value="uk" selected>Українська</option>' in page
    assert '<option value="Europe/Kyiv" selected>' in page
    assert re.search(r'value="24h"[^>]*checked', page)
    assert not re.search(r'value="7d"[^>]*checked', page)


def test_a_subscriber_changes_language_zone_topics_and_lead_times_from_the_manage_link():
    energy_pause()
    subscription = SubscriptionFactory(language="en", time_zone="UTC")

    response = manage(subscription, language="ru", time_zone="Europe/Moscow", lead_times=["1h"])

    assert response.status_code == 200
    assert "Сохранено." in response.content.decode()
    subscription.refresh_from_db()
    assert (subscription.language, subscription.time_zone) == ("ru", "Europe/Moscow")
    assert (subscription.lead_times, subscription.on_status_changed) == ("1h", False)
    assert subscription.history.first().history_change_reason == "Changed by the subscriber"

    with time_machine.travel(END - dt.timedelta(hours=1), tick=False):
        sweep()
    [message] = mails()
    assert message.subject == "Заканчивается через 1 ч: Энергетическая пауза"
    assert "Окончание: 17 апреля 2025, 15:00 по московскому времени" in message.body


def test_a_warning_waiting_for_a_lead_time_no_longer_chosen_is_cancelled(settings):
    settings.EMAIL_BACKEND = "tests.test_alerts_delivery.RefusingBackend"
    energy_pause()
    subscription = SubscriptionFactory(lead_times="7d")
    with time_machine.travel(END - 7 * DAY, tick=False):
        sweep()  # the send fails; the warning waits for a retry

    manage(subscription, lead_times=["24h"])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(END - 6 * DAY, tick=False):
        sweep()

    assert mails() == []
    warning = Delivery.objects.get()
    assert warning.state == Delivery.State.CANCELLED
    assert warning.outcome == "The subscriber no longer asks for this warning's lead time."


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"language": "de"}, "Select a valid choice."),
        ({"time_zone": "Mars/Olympus_Mons"}, "Select a valid choice."),
        ({"topics": []}, "Choose at least one thing to hear about."),
        ({"topics": ["expiring"], "lead_times": []}, "Choose at least one lead time"),
    ],
)
def test_a_bad_change_is_refused_clearly_and_changes_nothing(changes, message):
    subscription = SubscriptionFactory(language="en", time_zone="UTC")

    response = manage(subscription, **changes)

    assert response.status_code == 400
    assert message in response.content.decode()
    subscription.refresh_from_db()
    assert (subscription.language, subscription.time_zone) == ("en", "UTC")


def test_a_stopped_subscription_cannot_be_changed_and_says_so():
    subscription = SubscriptionFactory(unsubscribed_at=NOW)

    response = manage(subscription, language="uk")

    assert "was stopped" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.language == "en"


def test_an_unknown_manage_link_is_a_clear_error():
    response = reader().get("/alerts/manage/not-a-token/")

    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()


def test_the_unsubscribe_page_says_when_in_the_subscribers_language_and_zone():
    subscription = SubscriptionFactory(
        language="uk",
        time_zone="Europe/Kyiv",
        unsubscribed_at=dt.datetime(2025, 3, 31, 22, tzinfo=UTC),
    )

    page = reader().get(f"/alerts/unsubscribe/{subscription.token}/").content.decode()

    assert "1 квітня 2025, 01:00 за київським часом" in page
