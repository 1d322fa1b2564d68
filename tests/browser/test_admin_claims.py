"""An editor records a claim on the clock of its place, and reads the claims list at desk width.

Times are typed on the wall clock of the zone named beside them; the form
says the UTC instant before saving (while typing, or with "Show in UTC"
without scripts), and the list of claims fits 1280 px without a sideways scroll.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.support import save_screenshot
from tests.factories import UserFactory
from tracker.models import ComplianceEvent

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
UTC = dt.UTC


@pytest.fixture
def editor(transactional_db):
    return UserFactory(username="desk-editor", role="Editors")


def log_in(tab, user):
    tab.goto("/admin/login/")
    tab.fill("#id_username", user.username)
    tab.fill("#id_password", PASSWORD)
    tab.click("input[type=submit]")
    tab.wait_for_url("**/admin/")


def start_a_claim(tab, pause):
    tab.goto(f"/admin/tracker/complianceevent/add/?commitment={pause.pk}")
    tab.select_option("#id_kind", "alleged_violation")
    tab.fill("#id_summary_en", "Drones struck a depot, the Dubai-based monitor said.")
    tab.fill("#id_reason", "Monitor's bulletin of 6 April")
    tab.fill("#id_occurred_at_0", "2025-04-06")
    tab.fill("#id_occurred_at_1", "07:30")


def test_a_claim_typed_on_dubais_clock_is_stored_as_that_instant_and_shown(page, site, editor):
    log_in(page, editor)
    start_a_claim(page, site["pause"])
    when = page.locator(".field-occurred_at .local-time")
    expect(when).to_contain_text("Europe/Kyiv")  # the working reading's zone, to start with
    expect(when.locator("output")).to_have_text("will be stored as 2025-04-06 04:30 UTC")

    page.locator(".field-time_zone .select2-selection").click()
    page.locator(".select2-dropdown .select2-search__field").fill("Dubai")
    page.locator(".select2-results__option[role=option]", has_text="Asia/Dubai").first.click()

    expect(when).to_contain_text("Asia/Dubai (UTC+04:00")
    expect(when.locator("output")).to_have_text("will be stored as 2025-04-06 03:30 UTC")
    assert "server time" not in page.locator("main").inner_text()
    save_screenshot(page, "admin-claim-local-time")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/complianceevent/")

    claim = ComplianceEvent.objects.get(summary__startswith="Drones struck a depot")
    assert claim.occurred_at == dt.datetime(2025, 4, 6, 3, 30, tzinfo=UTC)
    page.goto(f"/admin/tracker/complianceevent/{claim.pk}/change/")
    # Shown again on the clock of the claim's own zone, with the instant it is.
    expect(page.locator("#id_occurred_at_1")).to_have_value("06:30:00")
    expect(page.locator(".field-occurred_at output")).to_have_text(
        "will be stored as 2025-04-06 03:30 UTC"
    )


def test_without_scripts_show_in_utc_says_the_instant_and_saves_nothing(open_tab, site, editor):
    tab = open_tab(javascript=False)
    log_in(tab, editor)
    start_a_claim(tab, site["pause"])
    tab.select_option("#id_time_zone", "Europe/Moscow")

    tab.locator(".field-occurred_at .local-time-preview").click()
    tab.wait_for_load_state()

    expect(tab.locator(".field-occurred_at output")).to_have_text(
        "will be stored as 2025-04-06 04:30 UTC"
    )
    expect(tab.locator(".field-occurred_at .local-time")).to_contain_text("Europe/Moscow")
    expect(tab.locator("#id_occurred_at_1")).to_have_value("07:30")
    assert not ComplianceEvent.objects.filter(summary__startswith="Drones struck a depot")

    tab.get_by_role("button", name="Save", exact=True).click()
    tab.wait_for_url("**/complianceevent/")
    claim = ComplianceEvent.objects.get(summary__startswith="Drones struck a depot")
    assert claim.occurred_at == dt.datetime(2025, 4, 6, 4, 30, tzinfo=UTC)


def test_the_claims_list_fits_1280_px_without_scrolling_sideways(open_tab, site, editor):
    tab = open_tab()
    tab.set_viewport_size({"width": 1280, "height": 900})
    log_in(tab, editor)
    tab.goto("/admin/tracker/complianceevent/")

    headers = tab.locator("#result_list thead th").all_inner_texts()
    for column in ("COMMITMENT", "CLAIMANT", "ACCUSED", "OCCURRED", "VERIFICATION"):
        assert column in [h.strip().upper() for h in headers], headers
    assert any("PUBLISHED" in h.upper() for h in headers)
    assert any("POSSIBLE DUPLICATE" in h.upper() for h in headers)
    widths = tab.evaluate(
        """() => {
            const results = document.querySelector('#changelist-form .results');
            return [results.scrollWidth, results.clientWidth,
                    document.documentElement.scrollWidth, window.innerWidth];
        }"""
    )
    save_screenshot(tab, "admin-claims-list-1280")
    assert widths[0] <= widths[1], f"the list scrolls sideways: {widths}"
    assert widths[2] <= widths[3], f"the page scrolls sideways: {widths}"
    expect(tab.locator("h1")).to_contain_text("claim")
    assert "compliance event" not in tab.locator("body").inner_text().lower()
