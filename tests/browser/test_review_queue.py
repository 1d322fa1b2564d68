"""A reviewer works the review queue in a real browser: verifies and publishes a batch.

And an editor's change to a published claim reaches the public page only when
a reviewer publishes it from the queue.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.support import save_screenshot
from tests.factories import ComplianceEventFactory, SourceFactory, UserFactory
from tracker.models import ComplianceEvent, EventKind, Party

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
UTC = dt.UTC


@pytest.fixture
def staff(transactional_db):
    return {
        "editor": UserFactory(username="desk-editor", role="Editors"),
        "reviewer": UserFactory(username="desk-reviewer", role="Reviewers"),
    }


@pytest.fixture
def drafts(site):
    """Two claims of one night, each side's, as an editor recorded them."""
    russia, ukraine = Party.objects.get(slug="russia"), Party.objects.get(slug="ukraine")
    kyiv = ComplianceEventFactory(
        commitment=site["pause"],
        kind=EventKind.ALLEGED_VIOLATION,
        claimant=ukraine,
        accused=russia,
        occurred_at=dt.datetime(2025, 4, 8, 23, tzinfo=UTC),
        summary="Drones struck a substation in Sumy.",
        is_published=False,
    )
    kyiv.sources.set([SourceFactory(url="https://mod.example.org/ua/9-april", title="MoD daily")])
    moscow = ComplianceEventFactory(
        commitment=site["pause"],
        kind=EventKind.ALLEGED_VIOLATION,
        claimant=russia,
        accused=ukraine,
        occurred_at=dt.datetime(2025, 4, 9, 2, tzinfo=UTC),
        summary="Ukrainian drones hit the Bryansk grid.",
        is_published=False,
    )
    return kyiv, moscow


def log_in(tab, user):
    tab.goto("/admin/login/")
    tab.fill("#id_username", user.username)
    tab.fill("#id_password", PASSWORD)
    tab.click("input[type=submit]")
    tab.wait_for_url("**/admin/")


def test_a_reviewer_verifies_and_publishes_a_batch_from_the_queue(page, site, staff, drafts):
    log_in(page, staff["reviewer"])
    page.click("#review-queue-link")
    page.wait_for_url("**/admin/review/")
    kyiv, moscow = drafts
    kyiv_item = page.locator(f"#item-claim-{kyiv.pk}")
    expect(kyiv_item).to_contain_text("MoD daily")
    expect(kyiv_item).to_contain_text("Ukrainian drones hit the Bryansk grid.")  # the other side
    save_screenshot(page, "review-queue")

    page.check(f"#tick-claim-{kyiv.pk}")
    page.check(f"#tick-claim-{moscow.pk}")
    page.select_option("#bulk-verification", "disputed")
    page.fill("#bulk-reason", "Each side denies the other's strike")
    page.click("#bulk input[name=publish]")

    expect(page.locator(".messagelist")).to_contain_text("2 items published.")
    expect(page.locator(f"#item-claim-{kyiv.pk}")).to_have_count(0)
    for claim in drafts:
        stored = ComplianceEvent.objects.get(pk=claim.pk)
        assert (stored.verification, stored.is_published) == ("disputed", True)
    page.goto("/commitments/energy-pause/")
    expect(page.locator("main")).to_contain_text("Drones struck a substation in Sumy.")


def test_a_batch_is_not_published_until_its_verification_is_chosen(page, site, staff, drafts):
    log_in(page, staff["reviewer"])
    page.goto("/admin/review/")

    for claim in drafts:
        page.check(f"#tick-claim-{claim.pk}")
    page.fill("#bulk-reason", "Looks right")
    page.click("#bulk input[name=publish]")

    expect(page.locator("#queue-refusal")).to_contain_text("choose its verification")
    assert not ComplianceEvent.objects.filter(pk__in=[c.pk for c in drafts], is_published=True)


def test_an_editors_change_reaches_the_public_page_only_when_published(open_tab, site, staff):
    claim = ComplianceEvent.objects.get(summary="Drones hit power supply in Sloviansk.")
    editor_tab, reviewer_tab, reader = open_tab(), open_tab(), open_tab()
    log_in(editor_tab, staff["editor"])
    editor_tab.goto(f"/admin/tracker/complianceevent/{claim.pk}/change/")
    editor_tab.fill("#id_summary_en", "Drones hit the power supply of Sloviansk twice.")
    editor_tab.fill("#id_reason", "Regional administration's update")
    editor_tab.click("input[name=_save]")
    expect(editor_tab.locator(".messagelist")).to_contain_text("wait for a reviewer")

    reader.goto("/commitments/energy-pause/")
    expect(reader.locator("main")).to_contain_text("Drones hit power supply in Sloviansk.")

    log_in(reviewer_tab, staff["reviewer"])
    reviewer_tab.goto("/admin/review/?show=revisions")
    item = reviewer_tab.locator(".queue-item").first
    expect(item.locator("td.before del")).to_have_text(["in", "Sloviansk."])
    expect(item.locator("td.after ins", has_text="twice")).to_have_count(1)
    save_screenshot(reviewer_tab, "review-queue-revision")
    item.locator("select[name=verification]").select_option("unverified")
    item.locator("textarea[name=reason]").fill("Matches the administration's post")
    item.locator("input[name=publish]").click()
    expect(reviewer_tab.locator(".messagelist")).to_contain_text("1 item published.")

    reader.goto("/commitments/energy-pause/")
    expect(reader.locator("main")).to_contain_text(
        "Drones hit the power supply of Sloviansk twice."
    )
