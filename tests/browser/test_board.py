import pytest

from tests.browser.support import save_screenshot

pytestmark = pytest.mark.browser


def test_board_opens(page, site):
    page.goto("/")
    assert "Ceasefire" in page.content()
    save_screenshot(page, "board")
