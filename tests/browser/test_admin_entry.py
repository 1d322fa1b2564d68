"""Entering the 2025 Easter truce as a new editor, in a real browser.

The slug follows the title only while the editor leaves it alone, a time of
day makes the precision "minute", and the time zone list finds a zone by
city; with and without JavaScript where the server applies the same rule.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.support import save_screenshot
from tests.factories import UserFactory
from tracker.models import Agreement, Reading

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


@pytest.fixture
def editor(transactional_db):
    return UserFactory(username="new-editor", role="Editors")


def log_in(tab, user):
    tab.goto("/admin/login/")
    tab.fill("#id_username", user.username)
    tab.fill("#id_password", PASSWORD)
    tab.click("input[type=submit]")
    tab.wait_for_url("**/admin/")


def test_a_pasted_title_fills_the_slug_and_typing_a_slug_replaces_it(page, site, editor):
    log_in(page, editor)
    page.goto("/admin/tracker/agreement/add/")
    title, slug = page.locator("#id_title_en"), page.locator("#id_slug")

    title.fill("Easter truce announcement")  # pasted: no key is pressed
    expect(slug).to_have_value("easter-truce-announcement")
    slug.click()
    page.keyboard.type("easter-truce-2025")
    expect(slug).to_have_value("easter-truce-2025")

    title.click()
    page.keyboard.type(" by the Kremlin")
    expect(slug).to_have_value("easter-truce-2025")


def test_a_cleared_slug_follows_the_title_again(page, site, editor):
    log_in(page, editor)
    page.goto("/admin/tracker/agreement/add/")
    title, slug = page.locator("#id_title_en"), page.locator("#id_slug")

    title.click()
    page.keyboard.type("Easter truce")
    expect(slug).to_have_value("easter-truce")
    slug.click()
    page.keyboard.press("End")
    page.keyboard.type("-2025")
    expect(slug).to_have_value("easter-truce-2025")
    slug.fill("")
    title.fill("Easter truce of 19 April")
    expect(slug).to_have_value("easter-truce-of-19-april")


def test_after_a_refused_save_an_untouched_slug_still_follows_the_title(page, site, editor):
    log_in(page, editor)
    page.goto("/admin/tracker/agreement/add/")
    page.locator("#id_title_en").fill("Easter truce")
    page.locator("#id_held_on").fill("2025-04-19")
    page.get_by_role("button", name="Save", exact=True).click()  # no reason: refused
    page.wait_for_load_state()

    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator("#id_slug")).to_have_value("easter-truce")
    page.locator("#id_title_en").fill("Easter truce announcement")
    expect(page.locator("#id_slug")).to_have_value("easter-truce-announcement")
    page.locator("#id_reason").fill("Kremlin statement of 19 April")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/agreement/")
    assert Agreement.objects.get(title="Easter truce announcement").slug == (
        "easter-truce-announcement"
    )


def add_the_kremlins_reading(tab, pause):
    tab.goto(f"/admin/tracker/reading/add/?commitment={pause.pk}")
    tab.locator("#id_label_en").fill("Easter truce by the Kremlin")
    tab.locator("#id_starts_at_0").fill("2025-04-19")
    tab.locator("#id_starts_at_1").fill("18:00")
    tab.locator("#id_ends_at_0").fill("2025-04-21")
    tab.locator("#id_ends_at_1").fill("00:00")
    tab.locator("#id_reason").fill("Putin announced the truce on 19 April")


def test_typing_18_00_makes_the_precision_minute_while_typing(page, site, editor):
    log_in(page, editor)
    add_the_kremlins_reading(page, site["pause"])
    precision = page.locator("#id_precision")
    expect(precision).to_have_value("minute")

    page.locator("#id_starts_at_1").fill("00:00")
    expect(precision).to_have_value("")
    page.locator("#id_starts_at_1").fill("18:00")
    save_screenshot(page, "admin-reading-precision")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/reading/")

    assert Reading.objects.get(label="Easter truce by the Kremlin").precision == "minute"


def test_a_precision_chosen_by_hand_is_left_alone(page, site, editor):
    log_in(page, editor)
    add_the_kremlins_reading(page, site["pause"])
    precision = page.locator("#id_precision")

    precision.select_option("hour")
    page.locator("#id_starts_at_1").fill("18:30")
    expect(precision).to_have_value("hour")


def test_without_javascript_the_server_sets_the_precision(open_tab, site, editor):
    tab = open_tab(javascript=False)
    log_in(tab, editor)
    add_the_kremlins_reading(tab, site["pause"])
    tab.locator("#id_time_zone").select_option("Europe/Moscow")
    expect(tab.locator("#id_precision")).to_have_value("")

    tab.get_by_role("button", name="Save", exact=True).click()
    tab.wait_for_url("**/reading/")

    reading = Reading.objects.get(label="Easter truce by the Kremlin")
    assert (reading.precision, reading.time_zone) == ("minute", "Europe/Moscow")
    assert reading.starts_at.isoformat() == "2025-04-19T15:00:00+00:00"


def test_the_time_zone_is_found_by_typing_a_city(page, site, editor):
    log_in(page, editor)
    add_the_kremlins_reading(page, site["pause"])

    page.locator(".field-time_zone .select2-selection").click()
    page.locator(".select2-dropdown .select2-search__field").fill("Moscow")
    options = page.locator(".select2-results__option[role=option]")
    expect(options.first).to_have_text("Europe/Moscow (Russia)")
    save_screenshot(page, "admin-reading-time-zone")
    options.first.click()

    expect(page.locator("#id_time_zone")).to_have_value("Europe/Moscow")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/reading/")
    assert Reading.objects.get(label="Easter truce by the Kremlin").time_zone == "Europe/Moscow"
