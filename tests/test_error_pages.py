"""Error pages: in the site's style, saying what went wrong, never a bare server error."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
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
