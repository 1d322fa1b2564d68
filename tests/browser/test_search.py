"""Searching in a real browser, in each language: from the header box to the record found."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import accessibility_problems, save_screenshot

pytestmark = pytest.mark.browser

SUDZHA_CLAIM = "Rockets hit the Sudzha gas metering station."


@pytest.fixture
def translated(site):
    """The energy pause has its Ukrainian and Russian titles; the rest is in English only."""
    pause = site["pause"]
    pause.title_uk = "Пауза в ударах по енергетичній інфраструктурі"
    pause.title_ru = "Пауза в ударах по энергетической инфраструктуре"
    pause.save()
    return site


def assert_accessible(page) -> None:
    problems = accessibility_problems(page)
    assert not problems, "\n".join(problems)


def test_a_visitor_searches_from_the_header_and_reaches_the_claim(page, translated):
    page.goto("/")

    page.get_by_label("Search commitments, agreements, claims and sources").fill("sudzha")
    page.get_by_role("button", name="Search", exact=True).click()

    expect(page).to_have_url(re.compile(r"/search/\?q=sudzha$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    claim = page.locator(".search-hit").filter(has_text=SUDZHA_CLAIM)
    expect(claim).to_contain_text("Claim · alleged violation, claimed by Russia, against Ukraine")
    expect(claim.locator("mark")).to_have_text("Sudzha")
    expect(page.get_by_role("status")).to_contain_text("3 results")
    assert_accessible(page)
    save_screenshot(page, "search-en")

    claim.get_by_role("link").click()

    expect(page).to_have_url(re.compile(r"/commitments/energy-pause/#event-\d+$"))
    expect(page.locator(":target")).to_contain_text(SUDZHA_CLAIM)


def test_a_visitor_searches_in_ukrainian_and_sees_the_ukrainian_title(open_tab, translated):
    page = open_tab("uk-UA")
    page.goto("/search/")
    expect(page.get_by_text("Достатньо початку слова")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Слова для пошуку").fill("енергет")
    page.get_by_role("button", name="Шукати").last.click()

    expect(page.locator("html")).to_have_attribute("lang", "uk")
    hit = page.locator(".search-hit").first
    expect(hit).to_contain_text("Зобов'язання")
    expect(hit.get_by_role("link")).to_have_text("Пауза в ударах по енергетичній інфраструктурі")
    expect(hit.locator("mark")).to_have_text("енергетичній")
    assert_accessible(page)
    save_screenshot(page, "search-uk")


def test_a_visitor_searches_in_russian_and_english_stand_ins_are_marked(open_tab, translated):
    page = open_tab("ru-RU")
    page.goto("/search/?q=энерг")

    expect(page.locator("html")).to_have_attribute("lang", "ru")
    pause = page.locator(".search-hit").filter(has_text="Обязательство")
    expect(pause.get_by_role("link")).to_have_text(
        "Пауза в ударах по энергетической инфраструктуре"
    )

    page.get_by_label("Слова для поиска").fill("energy")
    page.get_by_role("button", name="Искать").last.click()

    expect(page.get_by_text("ещё не переведено").first).to_be_visible()
    expect(page.locator('.search-hit [lang="en"]').first).to_be_visible()
    assert_accessible(page)
    save_screenshot(page, "search-ru")


def test_a_search_too_long_is_refused_accessibly(page, translated):
    response = page.goto("/search/?q=" + "energy+" * 40)

    assert response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("A search can be at most 200 characters")
    assert_accessible(page)
