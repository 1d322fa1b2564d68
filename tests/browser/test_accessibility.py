"""Every public page passes an automated accessibility check in a real browser.

axe-core runs inside Chromium, on the rendered page with its stylesheet, so
colour contrast, form labels, landmarks and headings are checked as a
visitor's assistive technology meets them.
"""

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from tests.browser.conftest import NOW
from tests.browser.support import accessibility_problems
from tests.factories import UserFactory
from tracker import services

pytestmark = pytest.mark.browser

PAGES = [
    ("/", 200),
    ("/?status=in_force&category=energy", 200),
    ("/commitments/energy-pause/", 200),
    ("/commitments/exchange-175/", 200),
    ("/agreements/call-2025-03-18/", 200),
    ("/parties/russia/", 200),
    ("/embed/commitments/energy-pause/", 200),
    ("/changes/", 200),
    ("/data/", 200),
    ("/alerts/subscribe/", 200),
    ("/search/", 200),
    ("/search/?q=energy", 200),
    ("/search/?q=energy&kind=claim", 200),
    ("/search/?q=zebra", 200),
    ("/regions/", 200),
    ("/regions/?claimant=russia&from=2025-03-01&to=2025-04-30", 200),
    ("/regions/?from=yesterday", 400),
    ("/regions/RU-KRS/", 200),
    ("/regions/XX-99/", 404),
    ("/commitments/no-such-commitment/", 404),
    ("/?status=no-such-status", 400),
    ("/as-of/2025-01-01/", 404),
    ("/as-of/2025-02-30/", 400),
]


def assert_accessible(page) -> None:
    problems = accessibility_problems(page)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("path", "status"), PAGES)
def test_page_has_no_serious_accessibility_problems(page, site, path, status):
    response = page.goto(path)

    assert response.status == status
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/", "/commitments/energy-pause/", "/search/?q=energy"])
@pytest.mark.parametrize(
    ("locale", "language", "marker"),
    [
        ("en-GB", "en", None),
        ("uk-UA", "uk", "ще не перекладено"),
        ("ru-RU", "ru", "ещё не переведено"),
    ],
    ids=["en", "uk", "ru"],
)
def test_page_in_each_language_has_no_serious_accessibility_problems(
    open_tab, site, path, locale, language, marker
):
    """The records here are in English only: in Ukrainian and Russian each is marked."""
    page = open_tab(locale)
    page.goto(path)

    expect(page.locator("html")).to_have_attribute("lang", language)
    untranslated = page.locator(".untranslated")
    if marker is None:
        expect(untranslated).to_have_count(0)
    else:
        shown = page.locator("main .untranslated:visible")
        expect(shown.first).to_have_text(marker)
        expect(shown.first).to_be_visible()
        expect(page.locator('main span[lang="en"]:visible').first).to_be_visible()
    assert_accessible(page)


@pytest.fixture
def a_week_later(site):
    """A week after the records were published, one claim verified since: their day is past."""
    reviewer = UserFactory(username="a-week-later", role="Reviewers")
    with time_machine.travel(NOW + dt.timedelta(days=7), tick=False):
        claim = site["pause"].events.get(summary__startswith="Drones hit")
        services.verify_event(claim, "verified", actor=reviewer, reason="Imagery checked")
        yield


@pytest.mark.parametrize(
    "path", ["/as-of/2025-04-10/", "/commitments/energy-pause/?as_of=2025-04-10"]
)
@pytest.mark.parametrize(
    ("locale", "language", "marker"),
    [
        ("en-GB", "en", None),
        ("uk-UA", "uk", "ще не перекладено"),
        ("ru-RU", "ru", "ещё не переведено"),
    ],
    ids=["en", "uk", "ru"],
)
def test_the_past_in_each_language_has_no_serious_accessibility_problems(
    open_tab, a_week_later, path, locale, language, marker
):
    """The board as it stood, with its banner, picker and a claim marked as corrected later."""
    page = open_tab(locale)
    response = page.goto(path)

    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(".as-of-banner h2")).to_be_visible()
    expect(page.locator(".corrected-later").first).to_be_visible()
    if marker is not None:
        expect(page.locator(".untranslated").first).to_have_text(marker)


@pytest.mark.parametrize("path", ["/regions/", "/regions/RU-KRS/"])
@pytest.mark.parametrize(
    ("locale", "language", "heading"),
    [
        ("en-GB", "en", "Claims by region"),
        ("uk-UA", "uk", "Заяви за регіонами"),
        ("ru-RU", "ru", "Заявления по регионам"),
    ],
    ids=["en", "uk", "ru"],
)
def test_the_regions_pages_in_each_language_have_no_serious_accessibility_problems(
    open_tab, site, path, locale, language, heading
):
    page = open_tab(locale)
    page.goto(path)

    expect(page.locator("html")).to_have_attribute("lang", language)
    if path == "/regions/":
        expect(page.locator("h1")).to_have_text(heading)
        expect(page.locator("svg a.tile")).not_to_have_count(0)
    else:
        expect(page.get_by_role("link", name=heading)).to_be_visible()
    assert_accessible(page)


def test_a_subscription_form_sent_back_with_errors_stays_accessible(page, site):
    page.goto("/commitments/energy-pause/")

    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Subscribe").click()

    expect(page.get_by_text("Enter a valid email address")).to_be_visible()
    assert_accessible(page)
