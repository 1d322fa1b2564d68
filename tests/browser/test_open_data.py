"""/data/ in a real browser: a journalist builds the address of a filtered file and downloads it."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.support import accessibility_problems

pytestmark = pytest.mark.browser

EVENTS_FORM = "form[data-file-url='/data/events.csv']"


def events_form(page):
    page.goto("/data/")
    page.locator("#csv-events ~ details").first.locator("summary").click()
    return page.locator(EVENTS_FORM)


@pytest.mark.parametrize("language", ["en-GB", "uk", "ru"])
def test_the_form_builds_the_link_as_the_fields_change(open_tab, site, language):
    page = open_tab(language)
    form = events_form(page)

    form.locator("select[name=claimant]").select_option("russia")
    form.locator("input[name=kind][value=alleged_violation]").check()
    form.locator("input[name=occurred_after]").fill("2025-03-18")
    form.locator("input[name=hxl]").check()

    link = form.locator(".download-link a")
    expect(link).to_be_visible()
    expect(link).to_have_attribute(
        "href",
        "/data/events.csv?kind=alleged_violation&claimant=russia&occurred_after=2025-03-18&hxl=1",
    )
    problems = accessibility_problems(page)
    assert not problems, "\n".join(problems)


def test_without_script_the_form_comes_back_with_the_link_and_the_file_downloads(open_tab, site):
    page = open_tab("uk", javascript=False)
    form = events_form(page)
    form.locator("select[name=claimant]").select_option("russia")
    form.locator("input[name=hxl]").check()
    form.get_by_role("button", name="Скласти посилання").click()

    link = page.locator(EVENTS_FORM).locator(".download-link a")
    expect(link).to_have_attribute("href", "/data/events.csv?claimant=russia&hxl=1")
    with page.expect_download() as download:
        link.click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    header, hashtags, *rows = csv.reader(io.StringIO(text))
    assert hashtags[header.index("claimant")] == "#actor+claimant+code"
    assert rows and {row[header.index("claimant")] for row in rows} == {"russia"}


def test_on_a_phone_the_form_fits_the_screen(open_tab, site):
    page = open_tab("ru")
    page.set_viewport_size({"width": 360, "height": 800})
    form = events_form(page)

    widest = form.evaluate(
        "f => Math.max(...[...f.querySelectorAll('input, select, button, label')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= 360
