"""The demo data in a real browser: the site as a first visitor meets it.

The records are the real commitments of spring 2025, loaded the way
``make run`` loads them, and looked at just after the last of them. The
pages are checked for accessibility with this fuller data and photographed
for people to look at.
"""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.support import accessibility_problems, save_screenshot

pytestmark = pytest.mark.browser

ENERGY_PAUSE = "/commitments/energy-strike-pause/"
DEMO_PAGES = [
    "/commitments/exchange-1000-for-1000/",
    "/commitments/return-of-bodies-6000/",
    "/agreements/istanbul-talks-2025-06-02/",
    "/parties/russia/",
    "/parties/united-states/",
    "/changes/",
    "/?category=prisoners",
]


@pytest.fixture
def frozen_now():
    """After the last record in the demo data."""
    moment = dt.datetime(2025, 6, 20, 12, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        yield moment


@pytest.fixture
def demo(transactional_db, frozen_now):
    call_command("load_demo", stdout=io.StringIO())


def test_demo_board_lists_every_commitment_and_passes_the_accessibility_check(page, demo):
    page.goto("/")

    expect(page.get_by_role("article")).to_have_count(9)
    pause = page.get_by_role("article", name="Pause on strikes against energy infrastructure")
    expect(pause).to_contain_text("expired")
    save_screenshot(page, "demo-board")
    problems = accessibility_problems(page)
    assert not problems, "\n".join(problems)


def test_demo_energy_pause_shows_both_readings_in_every_language(open_tab, demo):
    # Each count is given to the day: its end is the day its wording named, on its own clock.
    ends = {
        "en-GB": ("17 April 2025", "24 April 2025", "to the day, Moscow time"),
        "uk-UA": ("17 квітня 2025", "24 квітня 2025", "з точністю до дня, за московським часом"),
        "ru-RU": ("17 апреля 2025", "24 апреля 2025", "с точностью до дня, по московскому времени"),
    }
    for language, (kremlin_end, ukraine_end, stated) in ends.items():
        page = open_tab(language)
        page.goto(ENERGY_PAUSE)

        readings = page.locator("#readings")
        expect(readings).to_contain_text(kremlin_end)
        expect(readings).to_contain_text(ukraine_end)
        expect(readings).to_contain_text(stated)
        save_screenshot(page, f"demo-energy-pause-{language}")
        problems = accessibility_problems(page)
        assert not problems, f"{language}: " + "\n".join(problems)


def test_demo_pages_pass_the_accessibility_check(page, demo):
    """One load of the data, every kind of page; failures name the page."""
    problems = []
    for path in DEMO_PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        problems += [f"{path}: {problem}" for problem in accessibility_problems(page)]
    assert not problems, "\n".join(problems)


def test_demo_exchange_of_19_march_reads_19_march_in_every_language(open_tab, demo):
    """Fulfilled on 19 March on Kyiv's clock: never the evening before in UTC."""
    fulfilled = {"en-GB": "19 March 2025", "uk-UA": "19 березня 2025", "ru-RU": "19 марта 2025"}
    for language, day in fulfilled.items():
        page = open_tab(language)
        page.goto("/commitments/exchange-2025-03-19/")

        history = page.locator("#history tbody tr")
        expect(history.nth(1).locator("td").first).to_have_text(day)
        expect(page.locator("#history")).not_to_contain_text("22:00")
        save_screenshot(page, f"demo-exchange-{language}")


def test_demo_changes_are_one_entry_a_day_of_its_past_and_pass_the_accessibility_check(
    open_tab, demo
):
    loaded = {
        "en-GB": "The demonstration data set was loaded",
        "uk-UA": "Завантажено демонстраційний набір даних",
        "ru-RU": "Загружен демонстрационный набор данных",
    }
    for language, heading in loaded.items():
        page = open_tab(language)
        page.goto("/changes/")

        # The demo is dated as its events unfolded: its load is one entry for each day it
        # published something, not one line for each of its hundred-odd records.
        days = page.locator("ol.changes > li", has=page.locator("h2", has_text=heading))
        expect(days.first).to_be_visible()
        assert 10 <= days.count() <= page.locator("ol.changes > li").count() <= 40
        save_screenshot(page, f"demo-changes-{language}")
        problems = accessibility_problems(page)
        assert not problems, f"{language}: " + "\n".join(problems)
