"""API tokens in the admin: staff make their own, reviewers revoke anyone's."""

import json

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

TOKENS = reverse("admin:authtoken_tokenproxy_changelist")
ADD = reverse("admin:authtoken_tokenproxy_add")


def revoke_url(user) -> str:
    return reverse("admin:authtoken_tokenproxy_delete", args=[user.pk])


def can_write(client, key) -> int:
    """The answer the staff API gives this key (400: let in, the empty body refused)."""
    response = client.post(
        "/api/staff/sources/",
        json.dumps({}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    return response.status_code


def test_an_editor_makes_a_token_and_only_they_see_its_key(client, editor, reviewer):
    client.force_login(editor)

    response = client.post(ADD, {"reason": "", "user": reviewer.pk}, follow=True)

    token = Token.objects.get()
    assert token.user == editor
    assert "Your API token is ready" in response.text
    assert token.key in response.text
    client.force_login(reviewer)
    listing = client.get(TOKENS)
    assert token.key not in listing.text
    assert f"…{token.key[-4:]}" in listing.text
    assert can_write(client, token.key) == 400


def test_the_add_page_offers_no_choice_of_user(client, editor):
    client.force_login(editor)

    page = client.get(ADD)

    assert page.status_code == 200
    assert 'name="user"' not in page.text
    assert "recorded under your name" in page.text


def test_a_second_token_waits_for_the_first_to_be_revoked(client, editor):
    Token.objects.create(user=editor)
    client.force_login(editor)

    assert client.get(ADD).status_code == 403
    assert client.post(ADD, {}).status_code == 403
    assert Token.objects.count() == 1


def test_a_reviewer_revokes_anyones_token_and_it_stops_working(client, editor, reviewer):
    key = Token.objects.create(user=editor).key
    client.force_login(reviewer)

    response = client.post(revoke_url(editor), {"post": "yes"})

    assert response.status_code == 302
    assert not Token.objects.exists()
    assert can_write(client, key) == 401


def test_an_editor_revokes_their_own_token_but_not_a_colleagues(client, editor):
    colleague = UserFactory(username="colleague", role="Editors")
    Token.objects.create(user=colleague)
    mine = Token.objects.create(user=editor)
    client.force_login(editor)

    listing = client.get(TOKENS)
    theirs = client.post(revoke_url(colleague), {"post": "yes"})
    own = client.post(revoke_url(editor), {"post": "yes"})

    assert "colleague" not in listing.text
    assert mine.key in listing.text
    assert theirs.status_code == 403
    assert Token.objects.filter(user=colleague).exists()
    assert own.status_code == 302
    assert not Token.objects.filter(user=editor).exists()


def test_a_token_has_nothing_to_edit(client, editor):
    Token.objects.create(user=editor)
    client.force_login(editor)

    page = client.get(reverse("admin:authtoken_tokenproxy_change", args=[editor.pk]))

    assert page.status_code == 200
    assert 'name="_save"' not in page.text


@pytest.mark.parametrize("page", [TOKENS, ADD])
def test_staff_in_neither_role_have_no_tokens(client, outsider, page):
    client.force_login(outsider)

    assert client.get(page).status_code == 403
