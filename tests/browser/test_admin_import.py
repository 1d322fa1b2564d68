"""A reviewer imports a file of claims in the admin: upload, preview, confirm."""

import pytest
from playwright.sync_api import expect

from tests.browser.support import accessibility_problems, save_screenshot
from tests.factories import UserFactory
from tests.intake_support import claim_row, claims_csv
from tracker.models import ComplianceEvent

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"


def assert_accessible(page, open_tab) -> None:
    """axe-core finds no serious problem; the page itself broke no policy before it ran.

    axe's own checks apply inline styles to the admin's markup, which the
    policy refuses and reports; those reports are axe's, not the page's.
    """
    assert open_tab.policy_violations == []
    problems = accessibility_problems(page)
    open_tab.policy_violations.clear()
    assert not problems, "\n".join(problems)


def test_a_reviewer_uploads_previews_and_confirms_a_file_of_claims(page, open_tab, site, tmp_path):
    UserFactory(username="reviewer-on-duty", role="Reviewers")
    claims = tmp_path / "ministry-2025-04-02.csv"
    claims.write_bytes(
        claims_csv(
            claim_row(commitment="energy-pause", summary="Drone strike on a substation in Kharkiv"),
            claim_row(
                commitment="energy-pause",
                claimant="russia",
                accused="ukraine",
                occurred_at="2025-03-28T06:30:00Z",
                summary="Rockets hit the Sudzha gas metering station",
                source_urls="https://news.example.org/sudzha",
            ),
        )
    )
    before = ComplianceEvent.objects.count()

    page.goto("/admin/login/")
    page.fill("#id_username", "reviewer-on-duty")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto("/admin/tracker/complianceevent/")
    page.get_by_role("link", name="Import").click()
    page.wait_for_url("**/import/")
    page.set_input_files("#id_import_file", str(claims))
    expect(page.locator("#id_format")).to_have_value("0")  # guessed from the name
    page.get_by_role("button", name="Submit").click()

    preview = page.locator("table.claim-outcomes")
    expect(preview).to_be_visible()
    expect(page.get_by_text("2 rows: 2 new (1 possible duplicate)")).to_be_visible()
    expect(preview.get_by_role("link", name="claim ")).to_have_count(1)
    save_screenshot(page, "admin-import-preview")
    assert_accessible(page, open_tab)
    assert ComplianceEvent.objects.count() == before, "the preview writes nothing"

    page.get_by_role("button", name="Confirm import").click()
    page.wait_for_url("**/admin/tracker/complianceevent/")

    expect(page.get_by_text("Import finished: 2 rows: 2 new")).to_be_visible()
    assert ComplianceEvent.objects.count() == before + 2
    page.locator("a[href='?possible_duplicate=yes']").click()
    flagged = page.locator("#result_list tbody tr")
    expect(flagged).to_have_count(1)
    expect(flagged.get_by_role("link", name="claim ")).to_be_visible()
    assert_accessible(page, open_tab)
