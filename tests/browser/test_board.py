"""The board in a real browser: a visitor scans it, filters it and follows a commitment."""

import datetime as dt
import re

import pytest
import time_machine
from playwright.sync_api import expect

from tests.browser.conftest import NOW
from tests.browser.support import save_screenshot

pytestmark = pytest.mark.browser

PAUSE = "Pause on strikes against energy infrastructure"


def test_visitor_sees_each_commitment_with_its_status_and_countdown(page, site):
    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Ceasefire commitments")
    pause = page.get_by_role("article", name=PAUSE)
    expect(pause).to_contain_text("in force")
    expect(pause).to_contain_text("ends in 13 days 9 h")
    expect(page.get_by_role("article", name="Safe navigation in the Black Sea")).to_contain_text(
        "announced"
    )
    expect(page.get_by_role("article", name="Exchange 175 prisoners for 175")).to_contain_text(
        "fulfilled"
    )
    save_screenshot(page, "board")


def test_visitor_follows_a_commitment_from_the_board(page, site):
    page.goto("/")

    page.get_by_role("article", name=PAUSE).get_by_role("link", name=PAUSE).click()

    expect(page).to_have_url(re.compile(r"/commitments/energy-pause/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(PAUSE)
    expect(page.get_by_role("heading", name="Readings of the terms")).to_be_visible()
    expect(page.get_by_text("Kremlin's count").first).to_be_visible()
    expect(page.get_by_text("Ukraine's count").first).to_be_visible()
    save_screenshot(page, "commitment")


def test_visitor_filters_the_board_by_status(page, site):
    page.goto("/")

    page.get_by_text("Filters", exact=True).click()  # the filters fold into a menu
    page.get_by_role("navigation", name="Filter commitments").get_by_role(
        "link", name="fulfilled"
    ).click()

    expect(page).to_have_url(re.compile(r"\?status=fulfilled$"))
    expect(page.get_by_role("article")).to_have_count(1)
    expect(page.get_by_role("article")).to_contain_text("Exchange 175 prisoners for 175")
    expect(page.get_by_text("1 commitment", exact=False)).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-script", "without-script"])
def test_visitor_picks_a_past_day_and_sees_the_board_as_it_stood(open_tab, site, javascript):
    """A week after the records were published, their day is in the past."""
    page = open_tab(javascript=javascript)
    with time_machine.travel(NOW + dt.timedelta(days=7), tick=False):
        page.goto("/")

        page.get_by_label("Day", exact=True).select_option("10")
        page.get_by_label("Month", exact=True).select_option(label="April")
        page.get_by_label("Year", exact=True).select_option("2025")
        page.get_by_role("button", name="Show that day").click()

        expect(page).to_have_url(re.compile(r"/as-of/2025-04-10/$"))
        expect(page.get_by_role("heading", level=2, name=re.compile("as it stood"))).to_have_text(
            "The board as it stood at the end of 10 April 2025"
        )
        expect(page.get_by_role("article", name=PAUSE)).to_contain_text("in force")
        page.get_by_role("link", name="See today's board").click()
        expect(page).to_have_url(re.compile(r"/$"))
