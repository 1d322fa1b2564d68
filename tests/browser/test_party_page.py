"""A party's page in a real browser: its scorecard, drawn and tabled."""

import pytest
from playwright.sync_api import expect

from tests.browser.support import accessibility_problems, save_screenshot

pytestmark = pytest.mark.browser


def test_visitor_reads_the_scorecard_as_a_chart_and_as_a_table(page, site):
    page.goto("/parties/russia/")

    scorecard = page.get_by_role("region", name="Claims month by month")
    made = scorecard.get_by_role("group", name="Claims it made")
    chart = made.get_by_role(
        "img", name="Claims it made (Russia), per month, by verification state"
    )
    expect(chart).to_be_visible()
    table = made.get_by_role("table", name="Claims it made, per month")
    expect(table.get_by_role("row", name="2025-03")).to_contain_text("1")
    expect(table.get_by_role("row", name="2025-04")).to_be_visible()
    expect(table.get_by_role("row", name="All months")).to_contain_text("2")
    against = scorecard.get_by_role("group", name="Claims made against it")
    expect(against.get_by_role("table")).to_contain_text("2025-03")
    save_screenshot(page, "party-scorecard")


def test_the_scorecard_has_no_serious_accessibility_problems(page, site):
    page.goto("/parties/russia/")

    problems = accessibility_problems(page)

    assert not problems, "\n".join(problems)


def test_the_commitments_that_bind_the_party_are_listed_with_their_status(page, site):
    page.goto("/parties/russia/")

    bound = page.get_by_role("table", name="Commitments that bind this party, with their status")
    row = bound.get_by_role("row", name="Pause on strikes against energy infrastructure")
    expect(row).to_contain_text("in force")
