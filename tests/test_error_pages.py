"""Error pages: in the site's style, saying what went wrong, never a bare server error."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils.functional import empty
from django.views import defaults

from tests.factories import CommitmentFactory


@pytest.mark.parametrize(
    "url",
    ["/no-such-page/", "/commitments/nothing/", "/agreements/nothing/", "/parties/nobody/"],
)
def test_unknown_addresses_get_the_sites_404_page(client, db, url):
    response = client.get(url)

    assert response.status_code == 404
    page = response.content.decode()
    assert "Nothing here" in page
    assert "Ceasefire Commitment Tracker" in page
    assert 'href="/changes/"' in page
    assert "<main" in page


def test_an_unpublished_commitment_is_not_found_rather_than_forbidden(client, db):
    CommitmentFactory(slug="draft", title="Draft title", is_published=False)

    response = client.get("/commitments/draft/")

    assert response.status_code == 404
    assert "Draft title" not in response.content.decode()


def test_a_bad_filter_gets_a_400_page_that_names_the_problem(client, db):
    response = client.get("/?status=bogus&category=weather")

    assert response.status_code == 400
    page = response.content.decode()
    assert "“bogus” is not a status." in page
    assert "“weather” is not a category." in page
    assert 'href="/">Show this page without filters' in page


def test_the_400_page_renders_for_djangos_own_bad_requests(db):
    request = RequestFactory().get("/")

    response = defaults.bad_request(request, exception=None)

    assert response.status_code == 400
    assert "The request was not understood." in response.content.decode()


def test_the_500_page_needs_neither_a_request_nor_the_database():
    page = render_to_string("500.html")

    assert "Something went wrong on our side" in page
    assert 'href="/"' in page


def test_the_500_handler_uses_it(rf):
    response = defaults.server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.parametrize("url", ["/", "/changes/"])
def test_pages_only_read(client, db, url):
    assert client.post(url).status_code == 405
    assert client.put(url).status_code == 405
    assert client.head(url).status_code == 200


@pytest.fixture
def production_without_collected_files(settings, tmp_path):
    """DEBUG off and the manifest storage production uses, before collectstatic ever ran."""
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    from django.contrib.staticfiles.storage import staticfiles_storage

    staticfiles_storage._wrapped = empty
    yield
    staticfiles_storage._wrapped = empty


def test_error_pages_render_with_debug_off_even_without_the_static_files(
    production_without_collected_files, client, db
):
    client.raise_request_exception = False
    request = RequestFactory().get("/")

    not_found = client.get("/no-such-page/")
    bad = client.get("/?status=bogus")
    forbidden = defaults.permission_denied(request, exception=None)
    server_error = render_to_string("500.html")

    assert (not_found.status_code, bad.status_code, forbidden.status_code) == (404, 400, 403)
    assert "Nothing here" in not_found.text
    assert "is not a status" in bad.text
    assert "not allowed" in forbidden.content.decode()
    assert "Something went wrong on our side" in server_error
    assert "/static/tracker/site.css" in server_error
