"""The date picker on the board, and the address its form goes to without JavaScript."""

import re

import pytest

from tests.as_of_support import get, weeks_of_history


@pytest.fixture
def history(db):
    return weeks_of_history()


def test_the_board_offers_a_date_picker_for_any_day_up_to_yesterday(client, history):
    page = get(client, "/?tz=Europe/Kyiv").content.decode()

    form = re.search(r'<form class="as-of-form".*?</form>', page, re.S)[0]
    assert 'method="get" action="/as-of/"' in form
    assert '<input id="as-of-date" type="date" name="date" max="2025-04-09" required>' in form
    assert '<label for="as-of-date">The board as it stood at the end of</label>' in form
    assert '<input type="hidden" name="tz" value="Europe/Kyiv">' in form


def test_the_picker_on_a_past_board_shows_the_day_chosen(client, history):
    page = get(client, "/as-of/2025-03-21/").content.decode()

    assert 'type="date" name="date" max="2025-04-09" value="2025-03-21"' in page


def test_a_day_picked_leads_to_its_board_keeping_the_readers_zone(client, history):
    response = get(client, "/as-of/?date=2025-03-21&tz=Europe/Kyiv")

    assert response.status_code == 302
    assert response["Location"] == "/as-of/2025-03-21/?tz=Europe%2FKyiv"
    assert get(client, response["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Choose a day, written as YYYY-MM-DD"),
        ("?date=", "Choose a day, written as YYYY-MM-DD"),
        ("?date=31/03/2025", "“31/03/2025” is not a date"),
        ("?date=2025-04-31", "There is no day 2025-04-31 in the calendar."),
    ],
)
def test_a_picked_value_that_is_not_a_date_is_refused_with_a_clear_message(
    client, history, query, message
):
    response = get(client, f"/as-of/{query}")

    assert response.status_code == 400
    assert message in response.content.decode()
