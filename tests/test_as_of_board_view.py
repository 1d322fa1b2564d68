"""The board as it stood at the end of a past day: /as-of/YYYY-MM-DD/."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.as_of_support import (
    AGREED,
    FIRST_CLAIMS,
    KHERSON,
    NOW,
    SLOVIANSK,
    claim,
    get,
    weeks_of_history,
)
from tests.factories import AgreementFactory, CommitmentFactory, ComplianceEventFactory
from tracker import services

UTC = dt.UTC


@pytest.fixture
def history(db):
    return weeks_of_history()


def card(page: str, title: str = "Pause on strikes") -> str:
    """The card of the commitment called ``title``, as text without its markup."""
    cards = re.findall(r'<article class="card".*?</article>', page, re.S)
    html = next(html for html in cards if title in html)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_board_shows_each_commitment_with_the_status_window_and_claims_it_had_then(
    client, history
):
    before_suspension = get(client, "/as-of/2025-03-21/").content.decode()
    after_suspension = get(client, "/as-of/2025-03-26/").content.decode()

    assert "in force" in card(before_suspension)
    assert "18 March 2025 – 17 April 2025" in card(before_suspension)
    assert "ends in 26 days" in card(before_suspension)
    assert "Claimed by Ukraine against Russia : 1 alleged, 0 verified" in card(before_suspension)
    assert "Claimed by Russia" not in card(before_suspension)
    assert "suspended" in card(after_suspension)
    assert "Claimed by Russia against Ukraine : 1 alleged, 0 verified" in card(after_suspension)
    assert "Claimed by Ukraine against Russia : 1 alleged, 0 verified" in card(after_suspension)


def test_a_board_after_the_corrections_shows_them_and_marks_nothing(client, history):
    page = card(get(client, "/as-of/2025-04-03/").content.decode())

    assert "18 March 2025 – 30 April 2025" in page
    assert "Claimed by Ukraine against Russia : 0 alleged, 1 verified" in page
    assert "1 verified violation" in page
    assert "Corrected later" not in page


def test_a_card_whose_window_was_extended_since_is_marked_corrected_later_with_a_link(
    client, history
):
    page = get(client, "/as-of/2025-03-21/").content.decode()

    assert "Corrected later (on 2 April 2025): see the current version" in card(page)
    assert f'href="/commitments/energy-pause/#reading-{history.reading.pk}"' in page


def counted_once(history, summary: str):
    """A second commitment, with one claim on it from 20 March."""
    with time_machine.travel(AGREED, tick=False):
        exchange = CommitmentFactory(agreement=history.pause.agreement, title="Prisoner exchange")
    with time_machine.travel(FIRST_CLAIMS, tick=False):
        return claim(
            exchange,
            history.kherson.claimant,
            history.kherson.accused,
            summary,
            history.reviewer,
            dt.datetime(2025, 3, 19, tzinfo=UTC),
        )


def test_a_card_is_marked_when_a_claim_it_counts_was_verified_later(client, history):
    counted = counted_once(history, "Exchange delayed")
    with time_machine.travel(dt.datetime(2025, 4, 3, tzinfo=UTC), tick=False):
        services.verify_event(counted, "refuted", actor=history.reviewer, reason="Disproved")

    page = get(client, "/as-of/2025-03-21/").content.decode()

    assert "Corrected later (on 3 April 2025)" in card(page, "Prisoner exchange")
    assert f'href="/commitments/{counted.commitment.slug}/#event-{counted.pk}"' in page


def test_a_card_is_not_marked_when_only_the_words_of_a_claim_it_counts_changed(client, history):
    counted = counted_once(history, "Exchange delayed")
    with time_machine.travel(dt.datetime(2025, 4, 3, tzinfo=UTC), tick=False):
        counted.summary = "Exchange delayed by a day"
        services.edit_event(counted, actor=history.reviewer, reason="Wording")

    page = get(client, "/as-of/2025-03-21/").content.decode()

    assert "Corrected later" not in card(page, "Prisoner exchange")


def test_cards_lead_to_the_commitment_as_it_stood_that_day(client, history):
    page = get(client, "/as-of/2025-03-21/?tz=Europe/Kyiv").content.decode()

    assert 'href="/commitments/energy-pause/?as_of=2025-03-21&amp;tz=Europe%2FKyiv"' in page


def test_the_banner_names_the_day_says_when_it_ended_and_links_to_today(client, history):
    page = get(client, "/as-of/2025-03-21/").content.decode()

    assert "The board as it stood at the end of 21 March 2025" in page
    assert "The day ended at midnight UTC (22 March 2025, 00:00 UTC)" in page
    assert '<a href="/">See today\'s board</a>' in page


def test_in_the_readers_zone_the_day_ends_at_their_midnight(client, history):
    """Kyiv is two hours ahead of UTC in March: its 19 March ends at 22:00 UTC."""
    with time_machine.travel(dt.datetime(2025, 3, 19, 23, tzinfo=UTC), tick=False):
        late = AgreementFactory(title="Late call", slug="late-call")
        CommitmentFactory(agreement=late, title="Published at 23:00 UTC on 19 March")

    in_utc = get(client, "/as-of/2025-03-19/").content.decode()
    in_kyiv = get(client, "/as-of/2025-03-19/?tz=Europe/Kyiv").content.decode()

    assert "Published at 23:00 UTC on 19 March" in in_utc
    assert "Published at 23:00 UTC on 19 March" not in in_kyiv
    assert "midnight Kyiv time, that is 19 March 2025, 22:00 UTC" in in_kyiv


def test_a_commitment_published_after_the_day_is_absent(client, history):
    with time_machine.travel(dt.datetime(2025, 3, 30, tzinfo=UTC), tick=False):
        CommitmentFactory(agreement=history.pause.agreement, title="Black Sea navigation")

    assert "Black Sea navigation" not in get(client, "/as-of/2025-03-29/").content.decode()
    assert "Black Sea navigation" in get(client, "/as-of/2025-03-30/").content.decode()


def test_a_commitment_unpublished_today_leaves_the_past_at_once(client, history):
    with time_machine.travel(AGREED, tick=False):
        CommitmentFactory(agreement=history.pause.agreement, title="Prisoner exchange")
    before = get(client, "/as-of/2025-03-21/")
    assert "Pause on strikes" in before.content.decode()

    with time_machine.travel(NOW, tick=False):
        services.unpublish(history.pause, actor=history.reviewer, reason="Under review")
    after = get(client, "/as-of/2025-03-21/", If_None_Match=before["ETag"])

    assert after.status_code == 200
    assert "Pause on strikes" not in after.content.decode()
    assert "Prisoner exchange" in after.content.decode()


def test_with_nothing_public_today_there_is_no_past_to_show(client, history):
    with time_machine.travel(NOW, tick=False):
        services.unpublish(history.pause, actor=history.reviewer, reason="Under review")

    response = get(client, "/as-of/2025-03-21/")

    assert response.status_code == 404
    assert "Nothing was public before today" in response.content.decode()
    assert "any day from" not in response.content.decode()


def test_the_filters_choose_among_the_commitments_as_they_stood(client, history):
    suspended_then = get(client, "/as-of/2025-03-21/?status=suspended").content.decode()
    in_force_then = get(client, "/as-of/2025-03-21/?status=in_force").content.decode()

    assert "No published commitment matches these filters." in suspended_then
    assert "Pause on strikes" in in_force_then
    assert 'href="/as-of/2025-03-21/">Clear all filters</a>' in in_force_then


def test_claims_are_counted_as_they_stood_and_a_later_claim_is_left_out(client, history):
    page = get(client, "/as-of/2025-03-21/").content.decode()

    assert SLOVIANSK not in page  # the board counts claims; it does not list them
    assert KHERSON not in page
    assert "1 day with alleged violations, 0 with verified violations" in page


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2025-02-30", "There is no day 2025-02-30 in the calendar."),
        ("yesterday", "“yesterday” is not a date: write it as YYYY-MM-DD"),
        ("20250321", "“20250321” is not a date: write it as YYYY-MM-DD"),
        ("2025-3-21", "“2025-3-21” is not a date"),
    ],
)
def test_a_day_that_is_not_a_date_is_refused_with_a_clear_message(client, history, day, message):
    response = get(client, f"/as-of/{day}/")

    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_day_before_anything_was_published_says_which_days_there_are(client, history):
    response = get(client, "/as-of/2025-03-17/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "Nothing had been published by the end of 17 March 2025." in page
    assert "from 18 March 2025 to 9 April 2025" in page
    assert not response.has_header("ETag")


def test_a_day_that_has_not_ended_is_not_shown(client, history):
    response = get(client, "/as-of/2025-04-11/")

    assert response.status_code == 404
    assert "11 April 2025 has not ended yet" in response.content.decode()


def test_today_leads_to_todays_board(client, history):
    response = get(client, "/as-of/2025-04-10/?tz=Europe/Kyiv")

    assert response.status_code == 302
    assert response["Location"] == "/?tz=Europe%2FKyiv"


def test_the_past_keeps_its_version_as_the_minutes_pass(client, history):
    """Only a correction or a withdrawal changes a past day, so no minute is in its validator."""
    first = get(client, "/as-of/2025-03-21/")

    later = get(
        client, "/as-of/2025-03-21/", now=NOW + dt.timedelta(minutes=7), If_None_Match=first["ETag"]
    )

    assert later.status_code == 304
    assert "public" in first["Cache-Control"]


def test_the_past_is_shown_in_the_readers_language(client, history):
    page = get(client, "/as-of/2025-03-21/", Accept_Language="uk").content.decode()

    assert "Зведення станом на кінець 21 березня 2025" in page
    assert "Виправлено пізніше" in page
    assert 'lang="uk"' in page


def test_the_past_board_costs_the_same_queries_however_many_commitments_and_claims(client, history):
    def queries_for_the_board() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert get(client, "/as-of/2025-03-21/").status_code == 200
        return len(queries.captured_queries)

    few = queries_for_the_board()
    with time_machine.travel(AGREED, tick=False):
        for _ in range(5):
            more = CommitmentFactory(agreement=history.pause.agreement)
            ComplianceEventFactory.create_batch(3, commitment=more)
    many = queries_for_the_board()

    assert few == many
