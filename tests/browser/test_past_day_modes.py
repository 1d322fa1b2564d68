"""A past day in a real browser, in both modes: what a reader sees of the energy pause
and of the regions at the end of 1 April 2025, as published then and as known now."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.support import accessibility_problems, save_screenshot

pytestmark = pytest.mark.browser

LOADED = dt.datetime(2025, 6, 20, 12, tzinfo=dt.UTC)
PAUSE = "/commitments/energy-strike-pause/?as_of=2025-04-01"
SEEN = {
    "en-GB": ("ends in 14 days 21 h", "As published then:", "As known now:"),
    "uk-UA": ("завершення через 14 днів 21 год", "Як опубліковано тоді:", "Як відомо зараз:"),
    "ru-RU": (
        "окончание через 14 дней 21 ч",
        "Как опубликовано тогда:",
        "Как известно сейчас:",
    ),
}


@pytest.fixture
def frozen_now():
    with time_machine.travel(LOADED, tick=False):
        yield LOADED


@pytest.fixture
def demo(transactional_db, frozen_now):
    call_command("load_demo", stdout=io.StringIO())


def test_the_pause_counts_down_on_1_april_in_both_modes_and_each_leads_to_the_other(open_tab, demo):
    for language, (countdown, published, known) in SEEN.items():
        page = open_tab(language)
        page.set_viewport_size({"width": 360, "height": 800})
        page.goto(PAUSE)

        banner = page.locator(".as-of-banner")
        expect(banner).to_contain_text(published)
        expect(page.locator(".countdown")).to_contain_text(countdown)
        banner.locator(".as-of-mode a").click()

        expect(page).to_have_url(f"{page.url.split('?')[0]}?as_of=2025-04-01&known=now")
        expect(page.locator(".as-of-banner")).to_contain_text(known)
        expect(page.locator(".countdown")).to_contain_text(countdown)
        assert fits_a_phone(page), language
        save_screenshot(page, f"past-known-now-{language}")
        problems = accessibility_problems(page)
        assert not problems, f"{language}: " + "\n".join(problems)


REGIONS = "/regions/?as_of=2025-04-01"


def fits_a_phone(page) -> bool:
    # Followed by a click, the page may be measured before its style sheet applies.
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_regions_of_1_april_in_both_modes_fit_a_phone_and_keep_the_day(open_tab, demo):
    for language, (_countdown, published, known) in SEEN.items():
        page = open_tab(language)
        page.set_viewport_size({"width": 360, "height": 800})
        page.goto(REGIONS)

        expect(page.locator(".as-of-banner")).to_contain_text(published)
        assert fits_a_phone(page), language
        page.locator(".as-of-banner .as-of-mode a").click()

        expect(page).to_have_url(re.compile(r"/regions/\?as_of=2025-04-01&known=now$"))
        expect(page.locator(".as-of-banner")).to_contain_text(known)
        assert fits_a_phone(page), language
        save_screenshot(page, f"past-regions-known-now-{language}")
        page.locator(".region-table tbody a").first.click()

        expect(page).to_have_url(re.compile(r"/regions/[A-Z]{2}-\w+/\?as_of=2025-04-01&known=now$"))
        expect(page.locator(".as-of-banner")).to_contain_text(known)
        assert fits_a_phone(page), language
        save_screenshot(page, f"past-region-known-now-{language}")
        problems = accessibility_problems(page)
        assert not problems, f"{language}: " + "\n".join(problems)
