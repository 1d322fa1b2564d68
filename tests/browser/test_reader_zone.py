"""The reader's clock in a real browser: pick a zone, see times in it, keep it."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import accessibility_problems, save_screenshot
from tests.factories import ComplianceEventFactory
from tracker.models import Commitment

pytestmark = pytest.mark.browser

TIMED_CLAIM = "Shelling of the Zaporizhzhia substation reported at 06:00 UTC."


@pytest.fixture
def timed_claim(site):
    """A claim reported to the minute, before Kyiv moved to summer time on 30 March."""
    return ComplianceEventFactory(
        commitment=Commitment.objects.get(slug="energy-pause"),
        occurred_at=dt.datetime(2025, 3, 28, 6, 0, tzinfo=dt.UTC),
        precision="minute",
        summary=TIMED_CLAIM,
    )


def pick_zone(page, zone: str) -> None:
    page.locator(".reader-menu summary").click()  # language and zone share one menu
    page.get_by_label("Time zone").select_option(zone)
    page.get_by_role("button", name="Show times").click()


def test_a_reader_picks_kyiv_and_sees_every_time_in_it(page, timed_claim):
    page.goto("/commitments/energy-pause/")
    claim = page.locator("li.event", has_text=TIMED_CLAIM)
    expect(claim).to_contain_text("28 March 2025, 06:00 UTC")

    pick_zone(page, "Europe/Kyiv")

    expect(page).to_have_url(re.compile(r"/commitments/energy-pause/\?tz=Europe%2FKyiv$"))
    expect(claim).to_contain_text("28 March 2025, 08:00 Kyiv time")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Kyiv")
    expect(page.locator(".timeline figcaption")).to_contain_text("(Kyiv time), marked at")
    expect(page.locator(".timeline .axis-label").first).to_have_text(re.compile(r"^\d+ March$"))
    save_screenshot(page, "commitment-in-kyiv")
    problems = accessibility_problems(page)
    assert not problems, "\n".join(problems)


def test_the_chosen_zone_follows_the_reader_and_is_remembered(page, site):
    page.goto("/")
    pick_zone(page, "Europe/Moscow")
    expect(page.locator(".lead")).to_contain_text("Times are in Moscow time")

    page.get_by_role("link", name="Recent changes").first.click()
    expect(page).to_have_url(re.compile(r"/changes/\?tz=Europe%2FMoscow$"))

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/\?tz=Europe%2FMoscow$"))
    expect(page.locator(".lead")).to_contain_text("Times are in Moscow time")


def test_an_unknown_zone_is_explained_and_the_page_stays_accessible(page, site):
    response = page.goto("/commitments/energy-pause/?tz=Mars/Olympus_Mons")

    assert response.status == 200
    expect(page.get_by_role("alert")).to_contain_text("is not a time zone we know")
    expect(page.get_by_label("Time zone")).to_have_value("UTC")
    problems = accessibility_problems(page)
    assert not problems, "\n".join(problems)
