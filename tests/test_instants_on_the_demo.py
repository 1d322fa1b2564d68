"""Instants as readers of the demo data read them: a day is the day its source named.

The demo data gives most instants as days on a Moscow, Kyiv or Istanbul
clock, whose midnights fall on the evening before in UTC. Every place that
writes one (status history, cards, strips, embeds, share images, feeds, the
admin lists, alerts) must say that day, in every language and on every
reader's clock, and never "18 March 2025, 22:00 UTC".
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from types import SimpleNamespace

import time_machine
from django.core.management import call_command
from django.test import TestCase
from django.utils import translation

from tests.factories import UserFactory
from tracker.alerts import messages
from tracker.models import Commitment, ComplianceEvent, StatusChange
from tracker.site.embeds import public_commitment
from tracker.site.share import commitment_card

UTC = dt.UTC
SUMMER_2025 = dt.datetime(2025, 7, 1, 12, tzinfo=UTC)
EXCHANGE = "/commitments/exchange-2025-03-19/"
PAUSE = "/commitments/energy-strike-pause/"
READERS = ["UTC", "Europe/Kyiv", "Europe/Moscow", "America/New_York", "Asia/Tokyo"]


def text(fragment: str) -> str:
    """What a reader reads: the text without its tags, spaces folded as a browser shows them."""
    fragment = re.sub(r"<(script|style)\b.*?</\1>", " ", fragment, flags=re.S)
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())
    return re.sub(r"\(\s+", "(", re.sub(r"\s+([,.:;)])", r"\1", words))


def section(page: str, name: str) -> str:
    start = page.index(f'<section id="{name}"')
    return page[start : page.index("</section>", start)]


def history_rows(page: str) -> list[str]:
    """The rows of the status history, each as the reader reads it."""
    body = section(page, "history")
    return [text(row) for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)[1:]]


def card(page: str, title: str) -> str:
    """The text of the board's card with this title."""
    for article in re.findall(r'<article class="card".*?</article>', page, flags=re.S):
        if title in text(article):
            return text(article)
    raise AssertionError(f"no card titled {title}")


class TestInstantsOfTheDemoData(TestCase):
    """The demo data, loaded as it would be in the summer of 2025, read as a reader reads it."""

    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(SUMMER_2025, tick=False):
            call_command("load_demo", stdout=io.StringIO())

    def get(self, url: str, language: str = "en", zone: str = "UTC") -> str:
        query = {"tz": zone} if zone != "UTC" else {}
        with time_machine.travel(SUMMER_2025, tick=False):
            response = self.client.get(url, query, headers={"accept-language": language})
        assert response.status_code == 200, url
        return response.content.decode()

    # The prisoner exchange of 19 March --------------------------------------------------

    def test_the_exchange_of_19_march_was_fulfilled_on_19_march_not_the_evening_before(self):
        page = self.get(EXCHANGE)

        announced, fulfilled = history_rows(page)
        assert fulfilled.startswith("19 March 2025 in force → fulfilled")
        assert announced.startswith("18 March 2025 announced → in force")
        assert "since 19 March 2025" in text(page)
        assert "22:00" not in text(section(page, "history"))
        assert "18 March 2025, 22:00 UTC" not in page

    def test_the_exchange_says_19_march_in_ukrainian_and_russian_too(self):
        for language, day in (("uk", "19 березня 2025"), ("ru", "19 марта 2025")):
            with self.subTest(language=language):
                page = self.get(EXCHANGE, language)
                assert history_rows(page)[1].startswith(day)
                assert "22:00" not in text(section(page, "history"))

    def test_the_machine_time_of_a_day_is_that_date(self):
        page = self.get(EXCHANGE)

        history = section(page, "history")
        assert '<time datetime="2025-03-19">19 March 2025</time>' in history
        assert '<time datetime="2025-03-18">18 March 2025</time>' in history

    # The energy pause -------------------------------------------------------------------

    def test_the_energy_pause_was_in_force_from_18_march_after_the_call_that_day(self):
        page = self.get(PAUSE)

        in_force, expired = history_rows(page)
        assert in_force.startswith("18 March 2025 announced → in force")
        assert expired.startswith("17 April 2025 in force → expired its agreed period ended")
        assert "17 March 2025, 21:00 UTC" not in page
        assert "16 April 2025, 21:00 UTC" not in page

    def test_the_energy_pause_card_and_its_history_agree_on_the_day_it_ended(self):
        board = card(self.get("/"), "Pause on strikes against energy infrastructure")
        page = self.get(PAUSE)

        assert "ended 17 April 2025" in board
        assert "(18 March 2025 – 17 April 2025)" in board
        assert history_rows(page)[1].startswith("17 April 2025")
        assert "since 17 April 2025" in text(page)
        assert "ended 17 April 2025" in text(page)

    def test_the_days_stay_the_same_on_every_readers_clock(self):
        for zone in READERS:
            with self.subTest(zone=zone):
                pause, exchange = self.get(PAUSE, zone=zone), self.get(EXCHANGE, zone=zone)
                assert [row[:13] for row in history_rows(pause)] == [
                    "18 March 2025",
                    "17 April 2025",
                ]
                assert history_rows(exchange)[1].startswith("19 March 2025")
                board = card(self.get("/", zone=zone), "Prisoner exchange of 19 March")
                assert "Outcome fulfilled 19 March 2025" in board

    def test_the_strip_covers_the_thirty_days_the_kremlin_counted(self):
        board = card(self.get("/"), "Pause on strikes against energy infrastructure")

        assert "18 March 2025 to 16 April 2025: 30 days with alleged violations" in board

    def test_embeds_and_share_images_say_the_working_window_as_days(self):
        embed = text(self.get("/embed/commitments/energy-strike-pause/"))
        with time_machine.travel(SUMMER_2025, tick=False), translation.override("en"):
            lines = commitment_card(public_commitment("energy-strike-pause")).lines

        assert "From 18 March 2025 to 17 April 2025" in embed
        assert "Status: expired 17 April 2025" in embed
        assert lines[0] == "From 18 March 2025 to 17 April 2025"

    # What each exchange handed over, set against what was promised --------------------

    def test_a_share_of_the_promise_is_given_only_for_what_the_promise_counts(self):
        readings = {
            "en": (
                "Promised 175 prisoners of war by each side",
                "175 prisoners of war to Ukraine: 100% of 175 promised",
                "22 severely wounded prisoners to Ukraine",
            ),
            "uk": (
                "Обіцяно по 175 військовополонених від кожної сторони",
                "Україна: 175 військовополонених — 100% від обіцяних 175",
                "Україна: 22 тяжкопоранених полонених",
            ),
            "ru": (
                "Обещано по 175 военнопленных от каждой стороны",
                "Украина: 175 военнопленных — 100% от обещанных 175",
                "Украина: 22 тяжелораненых пленных",
            ),
        }
        for language, (promise, share, other_kind) in readings.items():
            with self.subTest(language=language):
                page = text(self.get(EXCHANGE, language))
                assert promise in page
                assert share in page
                assert other_kind in page
                assert f"{other_kind}:" not in page and f"{other_kind} —" not in page
                assert "13%" not in page

    def test_the_feed_says_when_each_status_change_took_effect_as_a_day(self):
        with time_machine.travel(SUMMER_2025, tick=False):
            feed = html.unescape(self.client.get(f"{EXCHANGE}feed/").content.decode())

        assert "Took effect: 19 March 2025 ·" in feed
        assert "22:00" not in feed

    # Staff and subscribers ------------------------------------------------------------

    def test_the_admin_lists_say_days_as_days(self):
        self.client.force_login(UserFactory(role="Reviewers"))

        claims = text(self.get("/admin/tracker/complianceevent/?q=HIMARS"))
        changes = text(self.get("/admin/tracker/statuschange/?q=175"))

        assert "28 March 2025" in claims
        assert "27 March 2025" not in claims
        assert "19 March 2025" in changes
        assert "18 March 2025" not in changes.split("in force")[-1]
        assert "22:00" not in changes

    def test_an_expiry_alert_says_the_day_the_window_ended(self):
        pause = Commitment.objects.get(slug="energy-strike-pause")
        expired = pause.status_changes.get(to_status="expired")
        delivery = SimpleNamespace(
            deadline=expired.effective_at, status_change=expired, commitment=pause
        )

        assert messages.deadline_text(delivery) == "17 April 2025"
        assert messages.deadline_text(delivery, "Asia/Tokyo") == "17 April 2025"


class TestStatusChangesKeepWhatCausedThem(TestCase):
    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(SUMMER_2025, tick=False):
            call_command("load_demo", stdout=io.StringIO())

    def test_a_change_given_as_a_date_keeps_its_day_and_zone(self):
        fulfilled = StatusChange.objects.get(
            commitment__slug="exchange-2025-03-19", to_status="fulfilled"
        )

        assert (fulfilled.precision, fulfilled.time_zone) == ("day", "Europe/Kyiv")
        assert fulfilled.commitment.status_changed_precision == "day"
        assert fulfilled.commitment.status_changed_zone == "Europe/Kyiv"

    def test_the_clocks_expiry_takes_the_precision_and_zone_of_the_readings_end(self):
        expired = StatusChange.objects.get(
            commitment__slug="energy-strike-pause", to_status="expired"
        )

        assert (expired.precision, expired.time_zone) == ("day", "Europe/Moscow")

    def test_claims_keep_the_day_their_source_named(self):
        sudzha = ComplianceEvent.objects.get(summary__contains="HIMARS")

        assert sudzha.occurred_on == dt.date(2025, 3, 28)
