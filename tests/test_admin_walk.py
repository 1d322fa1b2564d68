"""Every admin page of every demo record opens for reviewers and editors.

Open-ended windows, readings with no end, deliverables with no due date and
events with no claimant are all in the demo data; none of them may make a
change page, a history page or an action page fail.
"""

import datetime as dt
import io

import time_machine
from django.contrib import admin
from django.core.management import call_command
from django.test import TestCase
from django.urls import NoReverseMatch, reverse

from tests.factories import UserFactory
from tracker.models import (
    Agreement,
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    DeliveredQuantity,
    Party,
    Reading,
    Source,
    StatusChange,
)

UTC = dt.UTC
SUMMER_2025 = dt.datetime(2025, 7, 1, 12, tzinfo=UTC)
MODELS = [
    Party,
    Source,
    Agreement,
    Commitment,
    CommitmentParty,
    Reading,
    ComplianceEvent,
    DeliveredQuantity,
    StatusChange,
]
ACTION_PAGES = ["publish", "status", "extend", "make_working", "verify"]


def pages_of(record) -> list[str]:
    """The change page, the history page and every action page the record's admin has."""
    opts = record._meta
    prefix = f"admin:{opts.app_label}_{opts.model_name}"
    pages = [reverse(f"{prefix}_change", args=[record.pk])]
    if isinstance(admin.site._registry[type(record)], admin.ModelAdmin):
        pages.append(reverse(f"{prefix}_history", args=[record.pk]))
    for name in ACTION_PAGES:
        try:
            pages.append(reverse(f"{prefix}_{name}", args=[record.pk]))
        except NoReverseMatch:
            continue
    return pages


class TestEveryAdminPageOfTheDemoData(TestCase):
    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(SUMMER_2025, tick=False):
            call_command("load_demo", stdout=io.StringIO())
        cls.staff = [
            UserFactory(username="walking-reviewer", role="Reviewers"),
            UserFactory(username="walking-editor", role="Editors"),
        ]

    def test_the_demo_data_has_the_records_that_once_broke_pages(self):
        assert Reading.objects.filter(is_working=True, is_open_ended=True).exists()
        assert Reading.objects.filter(is_working=True, ends_at__isnull=True).exists()

    def test_no_page_of_any_record_fails_for_reviewers_or_editors(self):
        self.client.raise_request_exception = False
        failures = []
        for user in self.staff:
            self.client.force_login(user)
            for model in MODELS:
                for record in model.objects.all():
                    for url in pages_of(record):
                        status = self.client.get(url).status_code
                        if status >= 500:
                            failures.append(f"{user.username} {url}: {status}")
        assert failures == []

    def test_the_extend_page_of_an_open_ended_window_explains_instead_of_failing(self):
        self.client.force_login(self.staff[0])
        open_ended = Commitment.objects.get(slug="black-sea-safe-navigation")

        response = self.client.get(
            reverse("admin:tracker_commitment_extend", args=[open_ended.pk]), follow=True
        )

        assert response.status_code == 200
        assert "An open-ended window has no end to move." in response.text
