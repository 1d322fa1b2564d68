"""The reader's clock: ?tz= picks the zone pages say times in, and no reader gets another's."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
)
from tracker.site.reader_zone import ReaderZone, read_zone, with_zone

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 1, 12, tzinfo=UTC)
# Reported at 09:00 UTC on 28 March: 11:00 in Kyiv (UTC+2 until 30 March), 12:00 in Moscow.
STRIKE_AT = dt.datetime(2025, 3, 28, 9, tzinfo=UTC)
# The working end, given to the minute: 21:30 UTC is 00:30 the next day in Kyiv (UTC+3).
ENDS_AT = dt.datetime(2025, 4, 20, 21, 30, tzinfo=UTC)

PUBLIC_PAGES = [
    "/",
    "/commitments/energy-pause/",
    "/agreements/call/",
    "/parties/russia/",
    "/changes/",
    "/data/",
    "/alerts/subscribe/",
    "/regions/",
    "/regions/UA-59/",
    "/no-such-page/",
]


@pytest.fixture
def pause(db):
    with time_machine.travel(NOW - dt.timedelta(days=1), tick=False):
        russia = PartyFactory(name="Russia", slug="russia", time_zone="Europe/Moscow")
        ukraine = PartyFactory(name="Ukraine", slug="ukraine", time_zone="Europe/Kyiv")
        commitment = CommitmentFactory(
            title="Energy pause",
            slug="energy-pause",
            status="in_force",
            agreement=AgreementFactory(slug="call", held_on=dt.date(2025, 3, 18)),
        )
        CommitmentPartyFactory(commitment=commitment, party=russia)
        ReadingFactory(
            commitment=commitment,
            starts_at=dt.datetime(2025, 3, 18, 6, tzinfo=UTC),
            ends_at=ENDS_AT,
            precision="minute",
            time_zone="Europe/Kyiv",
        )
        ComplianceEventFactory(
            commitment=commitment,
            claimant=ukraine,
            accused=russia,
            occurred_at=STRIKE_AT,
            precision="minute",
            summary="Strike on a substation",
        )
    return commitment


def get(client, url, **params):
    with time_machine.travel(NOW, tick=False):
        return client.get(url, params)


def text_of(response) -> str:
    return response.content.decode()


# Choosing a zone --------------------------------------------------------------------


def test_pages_say_times_in_utc_and_say_so_until_the_reader_picks_another_zone(client, pause):
    board = text_of(get(client, "/"))
    commitment = text_of(get(client, "/commitments/energy-pause/"))

    assert "Times are in UTC" in board
    assert "20 April 2025, 21:30 UTC" in board
    assert "28 March 2025, 09:00 UTC" in commitment


def test_a_reader_in_kyiv_sees_kyiv_times_with_the_zone_named(client, pause):
    board = text_of(get(client, "/", tz="Europe/Kyiv"))
    commitment = text_of(get(client, "/commitments/energy-pause/", tz="Europe/Kyiv"))

    assert "Times are in Kyiv time" in board
    assert "21 April 2025, 00:30 Kyiv time" in board
    assert "28 March 2025, 11:00 Kyiv time" in commitment  # UTC+2 before 30 March
    assert "21 April 2025, 00:30 Kyiv time" in commitment  # UTC+3 after it
    assert '<option value="Europe/Kyiv" selected>Kyiv</option>' in commitment


def test_any_iana_zone_can_be_asked_for_by_name_in_any_case(client, pause):
    page = text_of(get(client, "/commitments/energy-pause/", tz="america/new_york"))

    assert "28 March 2025, 05:00 New York" in page
    assert '<option value="America/New_York" selected>' in page


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_every_public_page_offers_the_zone_picker_as_a_plain_form(client, pause, url):
    page = text_of(get(client, url, tz="Europe/Moscow"))

    form = re.search(r'<form class="zone-form" method="get".*?</form>', page, re.S)[0]
    assert '<select id="zone-select" name="tz">' in form
    assert '<label for="zone-select">Time zone</label>' in form
    assert '<option value="Europe/Moscow" selected>' in form


def test_the_picker_keeps_the_filters_the_page_was_asked_with(client, pause):
    page = text_of(get(client, "/", status="in_force", tz="Europe/Kyiv"))

    form = re.search(r'<form class="zone-form".*?</form>', page, re.S)[0]
    assert '<input type="hidden" name="status" value="in_force">' in form
    assert 'name="tz" value' not in form


def test_every_internal_link_and_form_keeps_the_zone(client, pause):
    page = text_of(get(client, "/", tz="Europe/Kyiv"))

    links = [a for a in re.findall(r'href="(/[^"#]*|\?[^"#]*)', page) if "/static/" not in a]
    machine_readable = ["/calendar.ics", "/changes/feed/", "/changes/feed/", "/favicon.ico"]
    assert sorted(a for a in links if "tz=Europe%2FKyiv" not in a) == machine_readable
    assert "/commitments/energy-pause/?tz=Europe%2FKyiv" in links
    assert "?status=in_force&amp;tz=Europe%2FKyiv" in links
    assert 'action="/alerts/subscribe/?tz=Europe%2FKyiv"' in page
    assert '<input name="next" type="hidden" value="/?tz=Europe%2FKyiv">' in page


def test_the_search_box_and_the_event_filters_keep_the_zone(client, pause):
    page = text_of(get(client, "/commitments/energy-pause/", tz="Europe/Kyiv"))

    for form_class in ("site-search", "event-filters"):
        form = re.search(rf'<form class="{form_class}".*?</form>', page, re.S)[0]
        assert '<input type="hidden" name="tz" value="Europe/Kyiv">' in form, form_class


def test_utc_needs_no_parameter_in_the_links(client, pause):
    page = text_of(get(client, "/", tz="UTC"))

    assert not [a for a in re.findall(r'(?:href|action)="([^"]*)"', page) if "tz=" in a]


@pytest.mark.parametrize(
    "url",
    ["/changes/feed/", "/calendar.ics", "/data/events.csv", "/commitments/energy-pause/feed/"],
)
def test_feeds_calendars_and_files_stay_in_utc_whatever_the_zone(client, pause, url):
    plain = get(client, url)
    kyiv = get(Client(), url, tz="Europe/Kyiv")

    assert b"".join(kyiv) == b"".join(plain)


# Bad zones --------------------------------------------------------------------------


def test_an_unknown_zone_is_said_on_the_page_which_is_shown_in_utc(client, pause):
    response = get(client, "/commitments/energy-pause/", tz="Mars/Olympus_Mons")

    assert response.status_code == 200
    page = text_of(response)
    assert "“Mars/Olympus_Mons” is not a time zone we know, so times are shown in UTC." in page
    assert 'role="alert"' in page
    assert "28 March 2025, 09:00 UTC" in page
    assert '<option value="UTC" selected>' in page
    assert "tz=Mars" not in page.replace('value="/commitments/energy-pause/?tz=Mars', "")


def test_the_unknown_zone_message_is_in_the_readers_language(client, pause):
    with time_machine.travel(NOW, tick=False):
        response = client.get("/?tz=Moscow", headers={"accept-language": "uk"})

    assert response.status_code == 200
    assert "«Moscow» — невідомий нам часовий пояс" in text_of(response)


@pytest.mark.parametrize(
    "asked", ["\x00\x1b[2J", "Europe/Kyiv\x00", "../../etc/passwd", "ꙮ" * 3000, "x" * 100_000]
)
def test_huge_or_control_character_zones_are_refused_without_an_error(client, pause, asked):
    response = get(client, "/", tz=asked)

    assert response.status_code == 200
    notice = re.search(r'<p class="notice" role="alert">(.*?)</p>', text_of(response), re.S)[1]
    assert "\x00" not in notice and "\x1b" not in notice
    assert len(notice) < 400


def test_a_refused_zone_is_not_carried_on_by_the_links():
    refused = read_zone("Mars/Olympus_Mons")

    assert refused == ReaderZone(refused="Mars/Olympus_Mons")
    assert with_zone("/commitments/x/#events", refused) == "/commitments/x/#events"
    assert read_zone("") == ReaderZone()


def test_a_zone_goes_before_the_fragment_and_after_the_query():
    kyiv = read_zone("Europe/Kyiv")

    assert with_zone("/commitments/x/#events", kyiv) == "/commitments/x/?tz=Europe%2FKyiv#events"
    assert with_zone("/?page=2", kyiv) == "/?page=2&tz=Europe%2FKyiv"


# No reader gets another's zone --------------------------------------------------------


# What each page says only on the reader's clock: the cards' end, or the claim's time.
CARD_END = {
    "UTC": "20 April 2025, 21:30 UTC",
    "Europe/Kyiv": "21 April 2025, 00:30 Kyiv time",
    "Europe/Moscow": "21 April 2025, 00:30 Moscow time",
}
CLAIM_AT = {
    "UTC": "28 March 2025, 09:00 UTC",
    "Europe/Kyiv": "28 March 2025, 11:00 Kyiv time",
    "Europe/Moscow": "28 March 2025, 12:00 Moscow time",
}


@pytest.mark.parametrize(
    ("url", "said"),
    [("/", CARD_END), ("/agreements/call/", CARD_END), ("/commitments/energy-pause/", CLAIM_AT)],
)
def test_one_readers_zone_is_never_served_to_another(pause, url, said):
    pages, etags = {}, {}
    for zone in ["Europe/Kyiv", "UTC", "Europe/Moscow", "Europe/Kyiv"]:
        response = get(Client(), url, **({"tz": zone} if zone != "UTC" else {}))
        pages[zone] = text_of(response)
        etags.setdefault(zone, set()).add(response["ETag"])

    for zone, page in pages.items():
        others = [text for name, text in said.items() if name != zone]
        assert said[zone] in page
        assert not [text for text in others if text in page]
    assert len(etags) == 3 and all(len(tags) == 1 for tags in etags.values())
    assert len(set().union(*etags.values())) == 3


def test_a_validator_for_one_zone_does_not_revalidate_another(client, pause):
    kyiv = get(client, "/", tz="Europe/Kyiv")

    with time_machine.travel(NOW, tick=False):
        same = client.get("/?tz=Europe/Kyiv", headers={"if-none-match": kyiv["ETag"]})
        other = client.get("/", headers={"if-none-match": kyiv["ETag"]})

    assert same.status_code == 304
    assert other.status_code == 200


def test_a_cached_board_card_is_kept_per_zone(pause):
    """Cards are cached under what they show; the zone is part of that."""
    get(Client(), "/", tz="Europe/Kyiv")

    plain = text_of(get(Client(), "/", status="in_force"))

    assert "20 April 2025, 21:30 UTC" in plain
    assert "Kyiv" not in plain.split("<main")[1]
