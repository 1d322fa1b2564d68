"""Pages work under the Content-Security-Policy: nothing is refused, in public or in the admin.

Every browser test fails on a policy violation its tabs report (see
conftest). These walk the admin too, where Django's own pages run scripts,
and show that an inline script would indeed be caught.
"""

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


def log_in(page, username: str, role: str) -> None:
    UserFactory(username=username, role=role)
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


def test_an_inline_script_is_refused_and_would_fail_the_test(open_tab, site):
    tab = open_tab()
    tab.goto("/")

    tab.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "document.body.dataset.ran = 'yes'";
            document.body.append(script);
        }"""
    )
    tab.wait_for_timeout(200)

    assert tab.evaluate("document.body.dataset.ran") is None
    assert any("inline script" in v for v in open_tab.policy_violations)
    open_tab.policy_violations.clear()  # seen, as it should be; the rest of the run stays strict


def test_a_reviewer_works_through_the_admin_without_a_violation(page, site, transactional_db):
    log_in(page, "reviewer-on-duty", "Reviewers")

    for path in [
        "/admin/tracker/commitment/",
        "/admin/tracker/commitment/add/",
        "/admin/tracker/complianceevent/add/",
        "/admin/tracker/reading/add/",
    ]:
        page.goto(path)
        assert page.locator("#content").count() == 1
    page.goto("/admin/tracker/commitment/")
    page.locator("#result_list tbody a").first.click()
    page.wait_for_url("**/change/")
    page.get_by_role("link", name="Change status").click()
    page.wait_for_url("**/status/")
    assert page.locator("#id_to_status").count() == 1


def test_staff_edit_each_language_in_a_tab_without_a_violation(page, site, transactional_db):
    log_in(page, "editor-on-duty", "Editors")

    page.goto("/admin/tracker/commitment/")
    page.locator("#result_list tbody a").first.click()
    page.wait_for_url("**/change/")

    tabs = page.locator(".ui-tabs-nav").first
    expect(tabs).to_be_visible()
    tabs.get_by_role("tab", name="uk").click()
    title_uk = page.locator("#id_title_uk")
    expect(title_uk).to_be_visible()
    expect(page.locator("#id_title_en")).to_be_hidden()
    title_uk.fill("Пауза в ударах по енергетиці")
    page.fill("#id_reason", "Ukrainian title")
    page.click("input[name=_continue]")
    page.wait_for_url("**/change/")
    # The commitment is public: an editor's translation waits for a reviewer.
    expect(page.locator(".messagelist")).to_contain_text("wait for a reviewer")
    expect(page.locator("#waiting-revision")).to_contain_text("title (Ukrainian)")
