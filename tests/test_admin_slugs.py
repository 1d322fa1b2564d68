"""Slugs are made from the title while staff leave them alone, and are theirs once typed.

What the script does while typing is in ``tests/browser/test_admin_entry.py``;
these are the parts that hold without JavaScript.
"""

import pytest
from django.urls import reverse

from tests.factories import AgreementFactory
from tracker.models import Agreement, Commitment, Party


def agreement_form(**changes):
    return {
        "title_en": "Easter truce announcement",
        "slug": "",
        "kind": "statement",
        "held_on": "2025-04-19",
        "venue_en": "",
        "summary_en": "",
        "internal_note": "",
        "reason": "Kremlin statement of 19 April",
    } | changes


def test_a_slug_left_empty_is_made_from_the_title(client, editor, db):
    client.force_login(editor)

    response = client.post(reverse("admin:tracker_agreement_add"), agreement_form())

    assert response.status_code == 302
    assert Agreement.objects.get().slug == "easter-truce-announcement"


def test_a_slug_staff_typed_is_kept(client, editor, db):
    client.force_login(editor)

    client.post(reverse("admin:tracker_agreement_add"), agreement_form(slug="easter-truce-2025"))

    assert Agreement.objects.get().slug == "easter-truce-2025"


def test_a_partys_slug_is_made_from_its_name(client, editor, db):
    client.force_login(editor)

    response = client.post(
        reverse("admin:tracker_party_add"),
        {"name_en": "Türkiye", "slug": "", "kind": "state", "time_zone": "Europe/Istanbul"}
        | {"reason": "Host of the Istanbul talks"},
    )

    assert response.status_code == 302
    assert Party.objects.get().slug == "turkiye"


def test_a_made_slug_that_is_taken_is_refused_on_the_slug(client, editor, db):
    AgreementFactory(slug="easter-truce-announcement")
    client.force_login(editor)

    response = client.post(reverse("admin:tracker_agreement_add"), agreement_form())

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [
        "Agreement with this Slug already exists."
    ]


def test_a_title_with_nothing_a_slug_can_use_asks_for_one(client, editor, db):
    client.force_login(editor)

    response = client.post(reverse("admin:tracker_agreement_add"), agreement_form(title_en="!!!"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [
        "Type a slug: letters, numbers, hyphens or underscores."
    ]


@pytest.mark.parametrize(
    "admin_name, source",
    [("agreement", "title_en"), ("commitment", "title_en"), ("party", "name_en")],
)
def test_the_slug_follows_its_source_by_the_trackers_script_not_djangos(
    client, editor, db, admin_name, source
):
    client.force_login(editor)

    page = client.get(reverse(f"admin:tracker_{admin_name}_add"))

    assert f'data-slug-from="id_{source}"' in page.text
    assert "tracker/admin/slug.js" in page.text
    assert 'data-prepopulated-fields="[]"' in page.text


def test_the_commitment_slug_is_made_on_save_too(client, editor, db):
    agreement = AgreementFactory()
    client.force_login(editor)

    response = client.post(
        reverse("admin:tracker_commitment_add"),
        {
            "agreement": agreement.pk,
            "title_en": "Easter truce",
            "slug": "",
            "category": "other",
            "shape": "window",
            "reason": "Kremlin statement of 19 April",
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
            "readings-TOTAL_FORMS": "0",
            "readings-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    assert Commitment.objects.get().slug == "easter-truce"
