"""A subscriber's pages in a real browser: the form, the manage page, at a phone's width.

The header around them is the site's; what is measured here is the alerts'
own content, which must fit a 360 px screen in every language.
"""

import pytest
from playwright.sync_api import expect

from tests.alerts_support import SubscriptionFactory
from tests.browser.support import accessibility_problems, save_screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 780}
OVERFLOW = """selector => Math.max(...[...document.querySelectorAll(selector + ' *')]
    .map(e => e.getBoundingClientRect().right)) - window.innerWidth"""


@pytest.mark.parametrize(
    "language, subscribe, done",
    [
        ("en-GB", "Subscribe", "Check your inbox"),
        ("uk-UA", "Підписатися", "Перевірте пошту"),
        ("ru-RU", "Подписаться", "Проверьте почту"),
    ],
)
def test_a_reader_on_a_phone_subscribes_with_checkboxes_in_their_language(
    open_tab, site, language, subscribe, done
):
    tab = open_tab(language)
    tab.set_viewport_size(PHONE)
    tab.goto("/commitments/energy-pause/?tz=Europe/Kyiv")
    form = tab.locator("section.subscribe")
    form.scroll_into_view_if_needed()

    assert tab.evaluate(OVERFLOW, "section.subscribe") <= 0
    lead_times = form.locator("input[name=lead_times]")
    expect(lead_times).to_have_count(4)
    save_screenshot(tab, f"subscribe-form-{language}-360")
    form.locator("input[name=email]").fill("reader@example.org")
    form.get_by_role("button", name=subscribe).click()

    expect(tab.locator("h1")).to_have_text(done)


@pytest.mark.parametrize(
    "language, heading",
    [("en", "Your alerts"), ("uk", "Ваші сповіщення"), ("ru", "Ваши оповещения")],
)
def test_the_manage_page_fits_a_phone_and_is_accessible(open_tab, site, language, heading):
    subscription = SubscriptionFactory(language=language, time_zone="Europe/Kyiv")
    tab = open_tab("en-GB")  # a mail app's browser: the page speaks the subscription's language
    tab.set_viewport_size(PHONE)
    tab.goto(f"/alerts/manage/{subscription.token}/?tz=Europe/Kyiv")

    expect(tab.locator("h1")).to_have_text(heading)
    assert tab.evaluate(OVERFLOW, "main") <= 0
    save_screenshot(tab, f"manage-{language}-360")
    problems = accessibility_problems(tab)
    assert not problems, "\n".join(problems)
