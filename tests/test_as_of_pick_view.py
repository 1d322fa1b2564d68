"""The date picker on the board, and the address its form goes to without JavaScript."""

import re

import pytest

from tests.as_of_support import get, weeks_of_history


@pytest.fixture
def history(db):
    return weeks_of_history()


def test_the_board_offers_the_days_that_have_a_past_up_to_yesterday(client, history):
    page = get(client, "/?tz=Europe/Kyiv").content.decode()

    form = re.search(r'<form class="as-of-form".*?</form>', page, re.S)[0]
    assert 'method="get" action="/as-of/"' in form
    assert "<legend>The board as it stood at the end of</legend>" in form
    assert "Any day from 18 March 2025 to 9 April 2025." in form
    assert '<option value="9" selected>9</option>' in form
    assert '<option value="4" selected>April</option>' in form
    assert '<option value="2025" selected>2025</option>' in form
    assert '<input type="hidden" name="tz" value="Europe/Kyiv">' in form


def test_the_picker_names_the_months_in_the_readers_language(client, history):
    ukrainian = get(client, "/", Accept_Language="uk").content.decode()
    russian = get(client, "/", Accept_Language="ru").content.decode()

    assert '<option value="4" selected>Квітень</option>' in ukrainian
    assert "Будь-який день від 18 березня 2025 до 9 квітня 2025." in ukrainian
    assert '<option value="4" selected>Апрель</option>' in russian


def test_the_picker_on_a_past_board_shows_the_day_chosen(client, history):
    page = get(client, "/as-of/2025-03-21/").content.decode()

    assert '<option value="21" selected>21</option>' in page
    assert '<option value="3" selected>March</option>' in page


def test_a_day_picked_without_script_leads_to_its_board(client, history):
    response = get(client, "/as-of/?day=21&month=3&year=2025&tz=Europe/Kyiv")

    assert response.status_code == 302
    assert response["Location"] == "/as-of/2025-03-21/?tz=Europe%2FKyiv"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?day=31&month=2&year=2025", "There is no day 2025-02-31 in the calendar."),
        ("?day=x&month=2&year=2025", "Choose a day, a month and a year."),
        ("?day=1&month=2", "Choose a day, a month and a year."),
        ("?day=1&month=13&year=2025", "There is no day 2025-13-01 in the calendar."),
        ("?day=1&month=1&year=99999", "Choose a day, a month and a year."),
    ],
)
def test_an_impossible_day_picked_is_refused_with_a_clear_message(client, history, query, message):
    response = get(client, f"/as-of/{query}")

    assert response.status_code == 400
    assert message in response.content.decode()


def test_with_nothing_public_before_today_the_picker_says_so(client, db):
    page = client.get("/").content.decode()

    assert "Nothing was public before today, so there is no past day to show yet." in page
    assert '<form class="as-of-form"' not in page


def test_a_day_picked_leads_to_its_board_keeping_the_readers_zone(client, history):
    response = get(client, "/as-of/?date=2025-03-21&tz=Europe/Kyiv")

    assert response.status_code == 302
    assert response["Location"] == "/as-of/2025-03-21/?tz=Europe%2FKyiv"
    assert get(client, response["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Choose a day, a month and a year."),
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
