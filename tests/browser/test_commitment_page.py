"""A commitment's page in a real browser: the visitor narrows its reported events."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import save_screenshot

pytestmark = pytest.mark.browser


def test_visitor_filters_events_by_claimant(page, site):
    page.goto("/commitments/energy-pause/")
    events = page.locator("#events")
    expect(events).to_contain_text("Rockets hit the Sudzha gas metering station.")

    page.get_by_label("Claimant").select_option(label="Ukraine")
    page.get_by_role("button", name="Show events").click()

    expect(page).to_have_url(re.compile(r"claimant=ukraine"))
    expect(events).to_contain_text("Drones hit power supply in Sloviansk.")
    expect(events).not_to_contain_text("Rockets hit the Sudzha gas metering station.")
    expect(events).not_to_contain_text("Fourteen attacks on energy sites in 24 hours.")
    save_screenshot(page, "commitment-events-by-ukraine")


def test_visitor_filters_events_by_verification_and_clears_the_filter(page, site):
    page.goto("/commitments/energy-pause/")
    events = page.locator("#events")

    page.get_by_label("Verification").select_option(label="disputed")
    page.get_by_role("button", name="Show events").click()

    expect(events).to_contain_text("Rockets hit the Sudzha gas metering station.")
    expect(events).not_to_contain_text("Drones hit power supply in Sloviansk.")

    events.get_by_role("link", name="Clear filters").click()

    expect(events).to_contain_text("Drones hit power supply in Sloviansk.")
    expect(events).to_contain_text("Rockets hit the Sudzha gas metering station.")


def test_visitor_sees_an_exchange_delivered_in_full(page, site):
    page.goto("/commitments/exchange-175/")

    deliveries = page.locator("#deliveries")
    expect(deliveries).to_contain_text("175 people to Ukraine")
    expect(deliveries).to_contain_text("100% of 175 promised")
