"""Staff edit each record's texts per language, in tabs, and every edit keeps its history."""

import pytest

from tests.test_admin_pages import admin_url, commitment_form, energy_pause  # noqa: F401
from tracker.models import Commitment, Party


@pytest.fixture
def pause(energy_pause):  # noqa: F811
    return energy_pause


def test_the_change_page_offers_each_text_in_each_language_in_tabs(client, editor, pause):
    client.force_login(editor)

    response = client.get(admin_url(Commitment, "change", pause.pk))

    form = response.context["adminform"].form
    assert {"title_en", "title_uk", "title_ru", "terms_uk", "conditions_ru"} <= form.fields.keys()
    assert "title" not in form.fields
    assert form.fields["title_en"].required
    assert not form.fields["title_uk"].required
    html = response.content.decode()
    assert 'class="vTextField mt mt-field-title-uk"' in html
    assert "vendor/jquery-ui/jquery-ui.min.js" in html
    assert "modeltranslation/js/tabbed_translation_fields.js" in html
    assert "ajax.googleapis.com" not in html


def test_a_translation_saved_in_the_admin_keeps_a_history_row_with_user_and_reason(
    client, reviewer, pause
):
    client.force_login(reviewer)
    data = commitment_form(pause, reason="Ukrainian title, after Ukrinform")
    data["title_uk"] = "Пауза в ударах по енергетиці"

    response = client.post(admin_url(Commitment, "change", pause.pk), data)

    assert response.status_code == 302
    row = Commitment.objects.get(pk=pause.pk).history.first()
    assert (row.title_uk, row.title_en) == ("Пауза в ударах по енергетиці", pause.title)
    assert row.history_user == reviewer
    assert row.history_change_reason == "Ukrainian title, after Ukrinform"


def test_the_history_page_shows_which_translation_changed(client, reviewer, pause):
    client.force_login(reviewer)
    data = commitment_form(pause, reason="Russian title")
    data["title_ru"] = "Пауза в ударах по энергетике"
    client.post(admin_url(Commitment, "change", pause.pk), data)

    response = client.get(admin_url(Commitment, "history", pause.pk))

    html = response.content.decode()
    assert "Пауза в ударах по энергетике" in html
    assert "Russian title" in html
    changed = [
        str(change["field"]).lower()
        for record in response.context["page_obj"]
        for change in getattr(record, "history_delta_changes", [])
    ]
    assert "title [ru]" in changed
    assert "title" not in changed


def test_a_translation_with_a_control_character_is_refused_on_the_form(client, editor, pause):
    client.force_login(editor)
    data = commitment_form(pause, reason="Russian title")
    data["title_ru"] = "Пауза\x1b[31m"

    response = client.post(admin_url(Commitment, "change", pause.pk), data)

    assert response.status_code == 200
    assert "Remove the control characters" in response.content.decode()
    assert Commitment.objects.get(pk=pause.pk).title_ru is None


def test_slugs_are_made_from_the_english_name_whatever_language_staff_read(client, editor):
    client.force_login(editor)

    response = client.get(admin_url(Party, "add"), HTTP_ACCEPT_LANGUAGE="uk")

    assert 'data-slug-from="id_name_en"' in response.text
