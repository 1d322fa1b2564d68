"""Every response carries a Content-Security-Policy that allows nothing inline."""

import pytest
from django.test import Client
from django.urls import path

from tests.factories import CommitmentFactory, UserFactory
from tracker.site import views

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


def assert_strict(response):
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def failing_view(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", failing_view), path("", views.board)]


@pytest.mark.parametrize(
    "url, status",
    [
        ("/", 200),
        ("/commitments/pause/", 200),
        ("/data/", 200),
        ("/alerts/subscribe/", 200),
        ("/api/commitments/", 200),
        ("/no-such-page/", 404),
        ("/?status=bogus", 400),
        ("/admin/login/", 200),
    ],
)
def test_public_pages_admin_and_error_pages_carry_a_strict_policy(client, url, status):
    CommitmentFactory(slug="pause")

    response = client.get(url)

    assert response.status_code == status
    assert_strict(response)


def test_the_admin_carries_the_same_policy(client):
    client.force_login(UserFactory(username="reviewer-on-duty", role="Reviewers"))

    response = client.get("/admin/tracker/commitment/")

    assert response.status_code == 200
    assert_strict(response)


def test_a_server_error_page_carries_the_policy_too(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500
    assert_strict(response)
