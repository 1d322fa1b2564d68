"""Every public page passes an automated accessibility check in a real browser.

axe-core runs inside Chromium, on the rendered page with its stylesheet, so
colour contrast, form labels, landmarks and headings are checked as a
visitor's assistive technology meets them.
"""

import pytest

from tests.browser.support import accessibility_problems

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/commitments/energy-pause/",
    "/commitments/exchange-175/",
    "/agreements/call-2025-03-18/",
    "/parties/russia/",
    "/changes/",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_serious_accessibility_problems(page, site, path):
    response = page.goto(path)
    assert response.status == 200
    problems = accessibility_problems(page)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ["/", "/commitments/energy-pause/"])
def test_page_in_ukrainian_has_no_serious_accessibility_problems(open_tab, site, path):
    page = open_tab("uk-UA")
    page.goto(path)
    assert page.locator("html").get_attribute("lang") == "uk"
    problems = accessibility_problems(page)
    assert not problems, "\n".join(problems)
