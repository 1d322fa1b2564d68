"""A commitment's page as it stood at the end of a past day: ?as_of=YYYY-MM-DD."""

import datetime as dt
import re
from html import unescape

import pytest
import time_machine

from tests.as_of_support import (
    AGREED,
    KHERSON,
    NOW,
    SLOVIANSK,
    WITHDRAWN_CLAIM,
    get,
    weeks_of_history,
)
from tests.factories import CommitmentFactory, SourceFactory
from tracker import services

UTC = dt.UTC
PAGE = "/commitments/energy-pause/"


@pytest.fixture
def history(db):
    return weeks_of_history()


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(page: str, name: str) -> str:
    return text_of(re.search(rf'<section id="{name}".*?</section>', page, re.S)[0])


def claim(page: str, event) -> str:
    return text_of(re.search(rf'<li class="event" id="event-{event.pk}">.*?</li>', page, re.S)[0])


def test_the_page_shows_the_status_working_reading_and_claims_as_they_stood(client, history):
    page = get(client, f"{PAGE}?as_of=2025-03-26").content.decode()

    assert "suspended" in text_of(page.split('<section id="readings"')[0])
    assert "Kremlin's count working reading" in section(page, "readings")
    assert "Ends 17 April 2025 Stated to the day, UTC" in section(page, "readings")
    assert "in force → suspended Talks paused a reviewer" in section(page, "history")
    assert "2 claims" in section(page, "events")
    assert SLOVIANSK in section(page, "events")
    assert KHERSON in section(page, "events")


def test_the_status_history_holds_only_the_changes_recorded_by_then(client, history):
    page = get(client, f"{PAGE}?as_of=2025-03-21").content.decode()

    assert "No status change recorded yet." in section(page, "history")
    assert "in force" in text_of(page.split('<section id="readings"')[0])


def test_a_claim_added_after_the_day_is_absent(client, history):
    page = get(client, f"{PAGE}?as_of=2025-03-21").content.decode()

    assert SLOVIANSK in page
    assert KHERSON not in page
    assert "1 claim" in section(page, "events")


def test_a_claim_verified_later_shows_its_old_state_and_is_marked_corrected(client, history):
    page = get(client, f"{PAGE}?as_of=2025-03-21").content.decode()

    shown = claim(page, history.sloviansk)
    assert "Verification: unverified" in shown
    assert "Corrected later (on 2 April 2025): see the current version" in shown
    assert f'href="{PAGE}#event-{history.sloviansk.pk}"' in page


def test_a_claim_read_after_its_correction_is_not_marked(client, history):
    page = get(client, f"{PAGE}?as_of=2025-04-05").content.decode()

    shown = claim(page, history.sloviansk)
    assert "Verification: verified" in shown
    assert "Corrected later" not in shown


def test_a_claim_whose_summary_was_corrected_shows_the_old_words_and_is_marked(client, history):
    with time_machine.travel(dt.datetime(2025, 4, 4, 9, tzinfo=UTC), tick=False):
        history.kherson.summary = "Drone attack on Mykolaiv port"
        services.edit_event(history.kherson, actor=history.reviewer, reason="Place corrected")

    page = get(client, f"{PAGE}?as_of=2025-03-26").content.decode()

    shown = claim(page, history.kherson)
    assert KHERSON in shown
    assert "Mykolaiv" not in page
    assert "Corrected later (on 4 April 2025)" in shown


def test_a_reading_whose_end_moved_later_is_marked(client, history):
    page = get(client, f"{PAGE}?as_of=2025-03-21").content.decode()

    assert "Corrected later (on 2 April 2025)" in section(page, "readings")
    assert f'href="{PAGE}#reading-{history.reading.pk}"' in page


def test_a_claim_lists_the_sources_it_cited_then(client, history):
    with time_machine.travel(dt.datetime(2025, 3, 22, tzinfo=UTC), tick=False):
        first = SourceFactory(title="Ukrenergo statement")
        services.edit_event(
            history.sloviansk, actor=history.reviewer, reason="Source", sources=[first]
        )
    with time_machine.travel(dt.datetime(2025, 4, 1, tzinfo=UTC), tick=False):
        second = SourceFactory(title="Satellite imagery report")
        services.edit_event(
            history.sloviansk, actor=history.reviewer, reason="Source", sources=[first, second]
        )

    early = claim(get(client, f"{PAGE}?as_of=2025-03-21").content.decode(), history.sloviansk)
    middle = claim(get(client, f"{PAGE}?as_of=2025-03-26").content.decode(), history.sloviansk)

    assert "No public source linked yet." in early
    assert "Ukrenergo statement" in middle
    assert "Satellite imagery report" not in middle


def test_a_status_corrected_later_is_shown_as_it_was_and_marked(client, history):
    """A correction recorded on 4 April says the pause was never suspended on 25 March."""
    with time_machine.travel(dt.datetime(2025, 4, 4, 9, tzinfo=UTC), tick=False):
        services.change_status(
            history.pause,
            "in_force",
            actor=history.reviewer,
            reason="The suspension was misreported",
            effective_at=dt.datetime(2025, 3, 25, 12, tzinfo=UTC),
            correction=True,
        )

    page = get(client, f"{PAGE}?as_of=2025-03-26").content.decode()
    top = text_of(page.split('<section id="readings"')[0])

    assert "suspended" in top
    assert "Corrected later (on 4 April 2025)" in top
    assert "misreported" not in section(page, "history")


def test_a_claim_unpublished_today_is_absent_from_the_past_too(client, history):
    page = get(client, f"{PAGE}?as_of=2025-03-21").content.decode()

    assert WITHDRAWN_CLAIM not in page


def test_the_banner_names_the_day_and_links_to_the_commitment_today(client, history):
    page = get(client, f"{PAGE}?as_of=2025-03-21&tz=Europe/Moscow").content.decode()

    assert "The board as it stood at the end of 21 March 2025" in page
    assert "midnight Moscow time, that is 21 March 2025, 21:00 UTC" in page
    assert f'href="{PAGE}?tz=Europe%2FMoscow">See this commitment as it is today' in page
    assert 'href="/as-of/2025-03-21/?tz=Europe%2FMoscow"' in page


def test_the_page_carries_open_graph_tags_naming_the_day(client, history):
    page = get(client, f"{PAGE}?as_of=2025-03-21").content.decode()

    assert 'property="og:title" content="Pause on strikes against energy infrastructure"' in page
    assert "As it stood at the end of 21 March 2025: in force" in page


def test_a_commitment_published_after_the_day_is_not_found_then(client, history):
    with time_machine.travel(dt.datetime(2025, 3, 30, tzinfo=UTC), tick=False):
        CommitmentFactory(agreement=history.pause.agreement, slug="black-sea")

    assert get(client, "/commitments/black-sea/?as_of=2025-03-29").status_code == 404
    assert get(client, "/commitments/black-sea/?as_of=2025-03-30").status_code == 200


def test_an_unpublished_commitment_is_not_found_on_any_day(client, history):
    with time_machine.travel(AGREED, tick=False):
        CommitmentFactory(agreement=history.pause.agreement, slug="keep-open")
    with time_machine.travel(NOW, tick=False):
        services.unpublish(history.pause, actor=history.reviewer, reason="Under review")

    assert get(client, f"{PAGE}?as_of=2025-03-21").status_code == 404
    assert get(client, f"{PAGE}?as_of=not-a-day").status_code == 404


def test_an_unknown_commitment_is_not_found(client, history):
    assert get(client, "/commitments/no-such-thing/?as_of=2025-03-21").status_code == 404


def test_a_malformed_day_is_refused_with_a_clear_message(client, history):
    response = get(client, f"{PAGE}?as_of=21.03.2025")

    assert response.status_code == 400
    assert "“21.03.2025” is not a date: write it as YYYY-MM-DD" in response.content.decode()


def test_a_day_out_of_range_names_the_days_there_are(client, history):
    response = get(client, f"{PAGE}?as_of=2024-12-31")

    assert response.status_code == 404
    assert "from 18 March 2025 to 9 April 2025" in response.content.decode()


def test_today_leads_to_the_commitment_as_it_is(client, history):
    response = get(client, f"{PAGE}?as_of=2025-04-10")

    assert response.status_code == 302
    assert response["Location"] == PAGE


def test_the_claims_are_paginated(client, history):
    response = get(client, f"{PAGE}?as_of=2025-03-26&page=2")

    assert response.status_code == 400
    assert "There is no page 2: the events fill 1." in response.content.decode()


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("0", "Pages are numbered from 1."),
        ("-1", "Pages are numbered from 1."),
        ("two", "The page number must be a whole number."),
        ("2.5", "The page number must be a whole number."),
        ("9223372036854775807", "Pages are numbered from 1 to 100000 at most."),
        ("9" * 5000, "The page number must be a whole number."),
    ],
)
def test_a_page_number_that_is_not_one_is_refused(client, history, page, message):
    response = get(client, f"{PAGE}?as_of=2025-03-26&page={page}")

    assert response.status_code == 400
    assert message in response.content.decode()
