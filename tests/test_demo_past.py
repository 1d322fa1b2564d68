"""The demo has a past: its records carry the history they would have had if
recorded as events unfolded, so the pages of a past day show what was public then."""

import csv
import datetime as dt
import io
import re

import time_machine
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from tracker import public_past
from tracker.models import Commitment, ComplianceEvent, StatusChange

UTC = dt.UTC
# Loaded long after the events, as on a fresh install today.
LOADED = dt.datetime(2026, 12, 6, 12, tzinfo=UTC)


def text_of(response) -> str:
    """The page's words, without its markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


class LoadedOnAFreshInstall(TestCase):
    """The demo loaded once for the class on a fresh install today; each test reads it then."""

    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(LOADED, tick=False):
            call_command("load_demo", stdout=io.StringIO())

    def setUp(self):
        self.traveller = time_machine.travel(LOADED, tick=False)
        self.traveller.start()
        self.addCleanup(self.traveller.stop)


class TestTheDemosPast(LoadedOnAFreshInstall):
    def board(self, day: str, language: str = "en"):
        return self.client.get(reverse("as_of_board", args=[day]), HTTP_ACCEPT_LANGUAGE=language)

    def test_the_energy_pause_is_in_force_on_1_april_2025_with_its_countdown(self):
        response = self.board("2025-04-01")
        assert response.status_code == 200
        card = text_of(response).split("Pause on strikes against energy infrastructure", 1)[1]
        card = card[:600]
        assert "Status: in force" in card
        assert "ends in 14 days 21 h" in card

    def test_the_later_exchanges_are_not_yet_agreed_on_1_april_2025(self):
        page = text_of(self.board("2025-04-01"))
        assert "1,000 for 1,000" not in page and "1000 for 1000" not in page
        assert "6 May" not in page
        assert "Istanbul" not in page

    def test_an_exchange_is_absent_the_day_before_it_and_fulfilled_on_its_day(self):
        exchange = Commitment.objects.get(slug="exchange-2025-05-06")
        before = self.client.get(f"{exchange.get_absolute_url()}?as_of=2025-05-05")
        on_the_day = self.client.get(f"{exchange.get_absolute_url()}?as_of=2025-05-06")
        assert before.status_code == 404
        assert on_the_day.status_code == 200
        assert "Status: fulfilled" in text_of(on_the_day)
        assert exchange.title not in text_of(self.board("2025-05-05"))
        assert exchange.title in text_of(self.board("2025-05-06"))

    def test_a_claim_shows_from_the_day_it_reports_not_before(self):
        denial = ComplianceEvent.objects.get(summary__startswith="Ukraine denied firing")
        pause = denial.commitment
        day = denial.occurred_at.date()
        the_day_before = (day - dt.timedelta(days=1)).isoformat()
        url = pause.get_absolute_url()
        assert denial.summary not in text_of(self.client.get(f"{url}?as_of={the_day_before}"))
        shown = self.client.get(f"{url}?as_of={(day + dt.timedelta(days=1)).isoformat()}")
        assert denial.summary in text_of(shown)

    def test_each_status_change_is_recorded_when_it_took_effect(self):
        for change in StatusChange.objects.all():
            assert change.recorded_at >= change.effective_at
            assert change.recorded_at - change.effective_at < dt.timedelta(days=1), change

    def test_every_claim_is_recorded_on_or_soon_after_its_day(self):
        for claim in ComplianceEvent.objects.all():
            last = claim.occurred_until or claim.occurred_at
            assert dt.timedelta(0) <= claim.recorded_at - last <= dt.timedelta(days=1), claim
            history = claim.history.order_by("history_date")
            assert history.first().history_date == claim.recorded_at

    def test_the_past_begins_on_the_day_of_the_first_agreement(self):
        assert public_past.first_publication().date() == dt.date(2025, 3, 18)
        assert self.board("2025-03-17").status_code == 404
        assert self.board("2025-03-18").status_code == 200

    def test_the_energy_pause_has_expired_on_the_board_of_a_day_after_its_end(self):
        card = text_of(self.board("2025-04-20")).split(
            "Pause on strikes against energy infrastructure", 1
        )[1][:600]
        assert "Status: expired" in card


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def atom_instants(response) -> list[dt.datetime]:
    """Every entry's published and updated instants in an Atom feed."""
    assert response.status_code == 200, response.content
    entries = response.content.decode().split("<entry>")[1:]
    assert entries
    found = re.findall(r"<(?:published|updated)>([^<]+)</", "".join(entries))
    return [instant(text) for text in found]


class TestTheDemosDownloadsKeepTheirPast(LoadedOnAFreshInstall):
    """The downloads read the demo's dates, never the moment it was loaded."""

    DAYS = ("2025-03-20", "2025-04-01", "2025-05-07", "2025-06-30")

    def end_of(self, day: str) -> dt.datetime:
        return dt.datetime.fromisoformat(day).replace(tzinfo=UTC) + dt.timedelta(days=1)

    def test_a_past_days_files_record_nothing_after_that_day(self):
        for day in self.DAYS:
            events = csv_rows(self.client.get(f"/data/events.csv?as_of={day}"))
            commitments = csv_rows(self.client.get(f"/data/commitments.csv?as_of={day}"))
            assert events and commitments, day
            for row in events:
                assert instant(row["recorded_at"]) < self.end_of(day), (day, row["summary"])
            for row in commitments:
                assert instant(row["status_changed_at"]) < self.end_of(day), (day, row["slug"])

    def test_a_past_days_api_lists_record_nothing_after_that_day(self):
        for day in self.DAYS:
            events = self.client.get(f"/api/events/?as_of={day}").json()["results"]
            commitments = self.client.get(f"/api/commitments/?as_of={day}").json()["results"]
            assert events and commitments, day
            for event in events:
                assert instant(event["recorded_at"]) < self.end_of(day), (day, event["summary"])
            for commitment in commitments:
                changed = instant(commitment["status_changed_at"])
                assert changed < self.end_of(day), (day, commitment["slug"])

    def test_a_past_days_feed_publishes_nothing_after_that_day(self):
        day = "2025-04-01"
        feed = self.client.get(f"/commitments/energy-strike-pause/feed/?as_of={day}")
        assert all(found < self.end_of(day) for found in atom_instants(feed))

    def test_todays_files_date_each_claim_and_status_in_its_past_not_at_the_load(self):
        for row in csv_rows(self.client.get("/data/events.csv")):
            claim = ComplianceEvent.objects.get(pk=row["id"])
            last = claim.occurred_until or claim.occurred_at
            recorded = instant(row["recorded_at"])
            assert dt.timedelta(0) <= recorded - last <= dt.timedelta(days=1), row["summary"]
        for row in csv_rows(self.client.get("/data/commitments.csv")):
            assert instant(row["status_changed_at"]) < dt.datetime(2025, 7, 1, tzinfo=UTC), row
        feed = self.client.get("/commitments/energy-strike-pause/feed/")
        assert max(atom_instants(feed)) < dt.datetime(2025, 7, 1, tzinfo=UTC)


class TestDaysOutsideTheDemosPast(LoadedOnAFreshInstall):
    """Any day a reader types gets a clear answer with the days there are, never a server error."""

    RANGE = "any day from 18 March 2025 to 5 December 2026"

    def test_days_before_the_past_or_not_yet_ended_are_404_with_the_range(self):
        for day in ("2025-03-17", "0001-01-01", "2026-12-07", "9999-12-31"):
            for url in (
                reverse("as_of_board", args=[day]),
                f"/commitments/energy-strike-pause/?as_of={day}",
            ):
                response = self.client.get(url)
                assert response.status_code == 404, url
                assert self.RANGE in text_of(response), url

    def test_what_is_not_a_day_is_400_saying_how_to_write_one(self):
        for day in ("2025-02-29", "2025-13-01", "yesterday", "2025-4-1", "2025-04-01T00:00"):
            for url in (
                reverse("as_of_board", args=[day]),
                f"/commitments/energy-strike-pause/?as_of={day}",
            ):
                response = self.client.get(url)
                assert response.status_code == 400, url
                assert "YYYY-MM-DD" in text_of(response) or "no day" in text_of(response), url
