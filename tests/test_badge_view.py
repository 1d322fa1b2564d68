"""The status badge: "title | status" as an SVG image other sites can show."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
import time_machine

from tests.factories import CommitmentFactory, UserFactory
from tracker import services

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def pause(db):
    return CommitmentFactory(title="Energy pause", slug="energy-pause", status="in_force")


def get(client, slug="energy-pause", **headers):
    with time_machine.travel(NOW, tick=False):
        return client.get(f"/embed/commitments/{slug}/badge.svg", headers=headers)


def test_the_badge_is_an_svg_image_naming_the_commitment_and_its_status(client, pause):
    response = get(client)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    svg = ET.fromstring(response.content)
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    assert svg.get("aria-label") == "Energy pause: in force"
    assert svg.find(f"{SVG}title").text == "Energy pause: in force"
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert texts == ["Energy pause", "in force"]


def test_the_message_is_coloured_by_status(client, pause):
    in_force = get(client).content.decode()
    services.change_status(
        pause,
        "suspended",
        actor=UserFactory(username="reviewer", role="Reviewers"),
        reason="Talks broke down",
    )

    suspended = get(client).content.decode()

    assert 'fill="#1d6b3a"' in in_force
    assert 'fill="#8a4b00"' in suspended
    assert "suspended" in suspended


def test_a_title_with_markup_stays_text_and_the_svg_stays_valid(client, db):
    CommitmentFactory(title='Pause <b>"A" & B</b>', slug="odd")

    response = get(client, "odd")

    svg = ET.fromstring(response.content)
    assert svg.find(f"{SVG}title").text == 'Pause <b>"A" & B</b>: in force'
    assert "<b>" not in response.content.decode()


def test_a_long_title_is_shortened_so_the_badge_stays_small(client, db):
    CommitmentFactory(title="Pause on strikes against energy infrastructure " * 4, slug="long")

    svg = ET.fromstring(get(client, "long").content)

    label = [text.text for text in svg.iter(f"{SVG}text")][0]
    assert label.endswith("…")
    assert int(svg.get("width")) < 400


def test_the_badge_speaks_the_readers_language(client, pause):
    svg = ET.fromstring(get(client, Accept_Language="uk").content)

    assert svg.get("aria-label") == "Energy pause: діє"


def test_the_badge_is_cacheable_and_sets_no_cookie(client, pause):
    response = get(client)

    assert "public" in response["Cache-Control"]
    assert response["ETag"]
    assert not response.cookies
    assert get(client, If_None_Match=response["ETag"]).status_code == 304


def test_the_badge_on_the_commitment_page_is_sized_as_it_is_drawn(client, pause):
    badge = client.get(f"/embed/commitments/{pause.slug}/badge.svg").content.decode()
    width = re.search(r'<svg[^>]* width="(\d+)" height="(\d+)"', badge).groups()

    page = client.get(f"/commitments/{pause.slug}/").content.decode()

    assert f'width="{width[0]}" height="{width[1]}" alt="The badge as it looks now' in page
    # The snippet to paste reserves the badge's height; its width follows the status it shows.
    assert f'badge.svg" height="{width[1]}" alt=' in page.replace("&quot;", '"')
