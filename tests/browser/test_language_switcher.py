"""The language switcher in a real browser: the interface changes, the records do not."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import save_screenshot

pytestmark = pytest.mark.browser

PAUSE = "Pause on strikes against energy infrastructure"


def switch_language(page, label: str, language: str, button: str) -> None:
    page.locator(".reader-menu summary").click()  # language and zone share one menu
    page.get_by_label(label, exact=True).select_option(language)
    page.get_by_role("button", name=button).click()


def test_visitor_switches_to_ukrainian_and_stays_on_the_same_page(page, site):
    page.goto("/commitments/energy-pause/")

    switch_language(page, "Language", "uk", "Switch")

    expect(page).to_have_url(re.compile(r"/commitments/energy-pause/$"))
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.get_by_role("heading", name="Тлумачення умов")).to_be_visible()
    # The records here have no Ukrainian text yet: the English one stands in, marked.
    heading = page.get_by_role("heading", level=1)
    expect(heading.locator('span[lang="en"]')).to_have_text(PAUSE)
    expect(heading.locator(".untranslated")).to_have_text("ще не перекладено")
    expect(page.locator("#events")).to_contain_text("Rockets hit the Sudzha gas metering station.")


def test_switching_language_keeps_the_filters_chosen(page, site):
    page.goto("/?status=fulfilled")

    switch_language(page, "Language", "ru", "Switch")

    expect(page).to_have_url(re.compile(r"/\?status=fulfilled$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Обязательства о прекращении огня")
    expect(page.get_by_role("article")).to_have_count(1)
    expect(page.get_by_role("article")).to_contain_text("выполнено")


def test_the_chosen_language_follows_the_visitor_to_other_pages(page, site):
    page.goto("/")
    switch_language(page, "Language", "uk", "Switch")

    page.get_by_role("link", name=PAUSE).click()
    expect(page.get_by_role("heading", name="Історія статусу")).to_be_visible()

    switch_language(page, "Мова", "ru", "Змінити")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", name="История статуса")).to_be_visible()

    switch_language(page, "Язык", "en", "Сменить")
    expect(page.get_by_role("heading", name="Status history")).to_be_visible()


def test_a_browser_set_to_ukrainian_gets_the_board_in_ukrainian(open_tab, site):
    page = open_tab("uk-UA")
    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Зобов'язання щодо припинення вогню")
    pause = page.get_by_role("article", name=PAUSE)
    expect(pause).to_contain_text("діє")
    expect(pause).to_contain_text("завершення через 13 днів 9 год")
    save_screenshot(page, "board-uk")


def test_a_browser_set_to_russian_gets_the_board_in_russian(open_tab, site):
    page = open_tab("ru-RU")
    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Обязательства о прекращении огня")
    pause = page.get_by_role("article", name=PAUSE)
    expect(pause).to_contain_text("действует")
    expect(pause).to_contain_text("окончание через 13 дней 9 ч")
    save_screenshot(page, "board-ru")
