"""The regions map and a region's page for any past day, as published then and as known now.

Claims on the days of ``tests.as_of_support``, each step with time frozen,
through the services. On 20 March a strike in Kharkiv (UA-63), shelling
placed in Sumy (UA-59) and a claim later withdrawn (UA-65), all dated 19
March, are published, and a draft placed in Kharkiv is recorded and never
published. On 25 March Russia's claim of a drone attack on Kherson port
(UA-65), dated 24 March 20:00, is published. On 2 April the shelling is
placed in Kharkiv instead; on 8 April the withdrawn claim is unpublished;
now is 10 April. Russia is bound by a second commitment besides the pause.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from types import SimpleNamespace

import pytest
import time_machine

from tests.as_of_support import (
    AGREED,
    CORRECTED,
    FIRST_CLAIMS,
    NOW,
    SUSPENDED,
    UTC,
    WITHDRAWN,
    claim,
    get,
)
from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    PartyFactory,
    UserFactory,
)
from tracker import services

DATED = dt.datetime(2025, 3, 19, 6, tzinfo=UTC)
KHARKIV = "Strike on a power line near Kharkiv"
SHELLING = "Shelling first placed in Sumy"
KHERSON = "Drone attack on Kherson port"
WITHDRAWN_CLAIM = "Claim later withdrawn from publication"
DRAFT = "MARKER-DRAFT-CLAIM never published"
DRAFT_PLACE = "MARKER-DRAFT-LOCATION"
LATER = "Recorded only after 24 March 2025, so not on the page as published then: 1 claim."

MAP = "/regions/"
DAY = "2025-03-24"
MODES = {"as published then": "", "as known now": "&known=now"}


@pytest.fixture
def history(db):
    with time_machine.travel(AGREED, tick=False):
        reviewer = UserFactory(username="regions-reviewer", role="Reviewers")
        russia = PartyFactory(name="Russia", slug="russia", time_zone="Europe/Moscow")
        ukraine = PartyFactory(name="Ukraine", slug="ukraine", time_zone="Europe/Kyiv")
        call = AgreementFactory(title="US–Russia phone call", slug="call")
        pause = CommitmentFactory(
            title="Pause on strikes against energy infrastructure",
            slug="energy-pause",
            agreement=call,
            regions=["UA-63"],
        )
        sea = CommitmentFactory(title="Black Sea navigation", slug="black-sea", agreement=call)
        for commitment, party in ((pause, russia), (pause, ukraine), (sea, russia)):
            CommitmentPartyFactory(commitment=commitment, party=party)
    with time_machine.travel(FIRST_CLAIMS, tick=False):
        claim(pause, ukraine, russia, KHARKIV, reviewer, DATED, region="UA-63")
        shelling = claim(pause, russia, ukraine, SHELLING, reviewer, DATED, region="UA-59")
        withdrawn = claim(pause, russia, ukraine, WITHDRAWN_CLAIM, reviewer, DATED, region="UA-65")
        draft = {"region": "UA-63", "location": DRAFT_PLACE}
        claim(pause, ukraine, russia, DRAFT, reviewer, DATED, publish=False, **draft)
    with time_machine.travel(SUSPENDED, tick=False):
        kherson_at = dt.datetime(2025, 3, 24, 20, tzinfo=UTC)
        claim(pause, russia, ukraine, KHERSON, reviewer, kherson_at, region="UA-65")
    with time_machine.travel(CORRECTED, tick=False):
        services.edit_event(
            shelling, actor=reviewer, reason="Placed by the imagery", changes={"region": "UA-63"}
        )
    with time_machine.travel(WITHDRAWN, tick=False):
        services.unpublish(withdrawn, actor=reviewer, reason="Source retracted its report")
    return SimpleNamespace(pause=pause, russia=russia, reviewer=reviewer)


def text_of(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def counts(response) -> dict[str, int]:
    """The table's count for each region code."""
    rows = re.findall(
        r'<span class="muted">([A-Z]{2}-[A-Z0-9]+)</span></th><td[^>]*>[^<]*</td>'
        r'<td class="number"[^>]*>(\d+)</td>',
        response.content.decode(),
    )
    return {code: int(count) for code, count in rows if int(count)}


def kept(mode: str) -> str:
    """The day and mode as a link on the page writes them."""
    return f"?as_of={DAY}{mode}".replace("&", "&amp;")


# What the map counts -------------------------------------------------------------------


def test_as_published_then_the_map_counts_the_claims_shown_then_where_they_were_placed(
    client, history
):
    response = get(client, f"{MAP}?as_of={DAY}")

    assert response.status_code == 200
    assert counts(response) == {"UA-63": 1, "UA-59": 1}
    assert "2 published claims" in text_of(response)


def test_as_known_now_the_map_counts_todays_claims_dated_by_the_day(client, history):
    response = get(client, f"{MAP}?as_of={DAY}&known=now")

    assert response.status_code == 200
    assert counts(response) == {"UA-63": 2, "UA-65": 1}
    assert "3 published claims" in text_of(response)


def test_as_known_now_the_map_names_what_was_recorded_only_after_the_day(client, history):
    known = text_of(get(client, f"{MAP}?as_of={DAY}&known=now"))
    published = text_of(get(client, f"{MAP}?as_of={DAY}"))

    assert LATER in known
    assert "Recorded only after" not in published


def test_the_filters_choose_among_the_claims_as_they_stood(client, history):
    by_russia = get(client, f"{MAP}?as_of={DAY}&claimant=russia")
    by_russia_now = get(client, f"{MAP}?as_of={DAY}&known=now&claimant=russia")

    assert counts(by_russia) == {"UA-59": 1}
    assert counts(by_russia_now) == {"UA-63": 1, "UA-65": 1}


def test_each_mode_says_the_day_in_words_and_leads_to_the_other(client, history):
    published = get(client, f"{MAP}?as_of={DAY}&claimant=russia")
    known = get(client, f"{MAP}?as_of={DAY}&known=now&claimant=russia")

    assert "Claims by region as they stood at the end of 24 March 2025" in text_of(published)
    assert "As published then:" in text_of(published)
    assert f'href="{MAP}?as_of={DAY}&amp;known=now&amp;claimant=russia"' in (
        published.content.decode()
    )
    assert "The end of 24 March 2025, as known now" in text_of(known)
    assert "As known now:" in text_of(known)
    assert f'href="{MAP}?as_of={DAY}&amp;claimant=russia"' in known.content.decode()
    assert f'href="{MAP}?claimant=russia">See the regions as they are today' in (
        known.content.decode()
    )


def test_the_tiles_the_table_and_the_board_keep_the_day_and_the_mode(client, history):
    for name, mode in MODES.items():
        page = get(client, f"{MAP}?as_of={DAY}{mode}&kind=alleged_violation").content.decode()
        tile = f'href="/regions/UA-63/{kept(mode)}&amp;kind=alleged_violation"'
        assert page.count(tile) == 2, name  # the tile and the table's row
        board = f"/as-of/{DAY}/{'?known=now' if mode else ''}"
        assert f'href="{board}">The board at the end of 24 March 2025' in page, name
        assert '<input type="hidden" name="as_of" value="2025-03-24">' in page, name
        assert ('<input type="hidden" name="known" value="now">' in page) == bool(mode), name


def test_the_map_in_ukrainian_and_russian_says_its_mode_in_their_words(client, history):
    uk = text_of(get(client, f"{MAP}?as_of={DAY}&known=now", **{"Accept-Language": "uk"}))
    ru = text_of(get(client, f"{MAP}?as_of={DAY}", **{"Accept-Language": "ru"}))

    assert "Як відомо зараз:" in uk
    assert "Внесено лише після 24 березня 2025" in uk
    assert "Как опубликовано тогда:" in ru
    assert "Заявления по регионам по состоянию на конец 24 марта 2025" in ru


# A region's page -----------------------------------------------------------------------


def test_a_regions_page_lists_its_claims_as_placed_in_each_mode(client, history):
    sumy_then = text_of(get(client, f"/regions/UA-59/?as_of={DAY}"))
    sumy_now = text_of(get(client, f"/regions/UA-59/?as_of={DAY}&known=now"))
    kharkiv_now = text_of(get(client, f"/regions/UA-63/?as_of={DAY}&known=now"))

    assert SHELLING in sumy_then and "1 claim" in sumy_then
    assert "Claims in Sumy Oblast as they stood at the end of 24 March 2025" in sumy_then
    assert SHELLING not in sumy_now
    assert "No claim placed in this region had been published by then." in sumy_now
    assert SHELLING in kharkiv_now and KHARKIV in kharkiv_now
    assert "2 claims" in kharkiv_now


def test_a_regions_page_links_its_claims_commitments_and_map_on_the_same_day(client, history):
    for name, mode in MODES.items():
        page = get(client, f"/regions/UA-63/?as_of={DAY}{mode}&claimant=ukraine").content.decode()
        pause = f"/commitments/energy-pause/{kept(mode)}"
        assert f'href="{pause}#event-' in page, name
        assert f'href="{pause}">Pause on strikes' in page, name  # it covers the region
        assert f'href="{MAP}{kept(mode)}&amp;claimant=ukraine">Claims by region' in page, name


def test_a_claim_not_yet_recorded_is_not_on_the_regions_page_as_published(client, history):
    kherson_then = text_of(get(client, f"/regions/UA-65/?as_of={DAY}"))
    kherson_now = text_of(get(client, f"/regions/UA-65/?as_of={DAY}&known=now"))

    assert KHERSON not in kherson_then
    assert KHERSON in kherson_now
    assert LATER in kherson_now


def test_nothing_unpublished_shows_on_any_regions_page_of_any_day(client, history):
    urls = [
        f"{path}?as_of={day}{mode}{query}"
        for path in (MAP, "/regions/UA-63/", "/regions/UA-65/")
        for day in ("2025-03-19", DAY, "2025-04-09")
        for mode in MODES.values()
        for query in ("", "&claimant=ukraine")
    ]
    for url in urls:
        page = get(client, url).content.decode()
        assert "MARKER" not in page, url
        assert WITHDRAWN_CLAIM not in page, url


# Bad addresses -------------------------------------------------------------------------


@pytest.mark.parametrize("path", [MAP, "/regions/UA-63/"])
@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("as_of=yesterday", 400, "write it as YYYY-MM-DD"),
        ("as_of=2025-02-30", 400, "There is no day 2025-02-30 in the calendar."),
        ("as_of=1990-01-01", 404, "from 18 March 2025 to 9 April 2025"),
        ("as_of=2025-04-11", 404, "11 April 2025 has not ended yet"),
        ("as_of=2025-03-24&known=then", 400, "write known=now"),
        ("as_of=2025-03-24&kind=rumour", 400, "“rumour” is not a kind of event."),
        ("as_of=2025-03-24&known=now&claimant=nobody", 400, "There is no party called"),
    ],
)
def test_a_bad_day_mode_or_filter_is_refused_in_words(client, history, path, query, status, words):
    response = get(client, f"{path}?{query}")

    assert response.status_code == status
    assert words in text_of(response)


def test_a_page_past_the_last_is_refused_in_words(client, history):
    response = get(client, f"/regions/UA-63/?as_of={DAY}&known=now&page=9")

    assert response.status_code == 400
    assert "There is no page 9: the claims fill 1." in text_of(response)


def test_an_unknown_region_is_a_404_on_any_day(client, history):
    assert get(client, f"/regions/XX-99/?as_of={DAY}").status_code == 404


def test_today_leads_to_todays_map_with_its_filters(client, history):
    response = get(client, f"{MAP}?as_of=2025-04-10&claimant=russia")

    assert response.status_code == 302
    assert response["Location"] == f"{MAP}?claimant=russia"


def test_a_past_map_keeps_its_version_as_the_minutes_pass(client, history):
    first = get(client, f"{MAP}?as_of={DAY}&known=now")

    later = get(
        client,
        f"{MAP}?as_of={DAY}&known=now",
        now=NOW + dt.timedelta(minutes=7),
        If_None_Match=first["ETag"],
    )

    assert later.status_code == 304
    assert "public" in first["Cache-Control"]


# The party page as known now ------------------------------------------------------------


def test_the_party_as_known_now_names_what_was_recorded_only_after_the_day(client, history):
    known = text_of(get(client, f"/parties/russia/?as_of={DAY}&known=now"))
    published = text_of(get(client, f"/parties/russia/?as_of={DAY}"))

    assert LATER in known
    assert "Recorded only after" not in published


def test_all_that_binds_a_party_leads_to_the_board_of_the_same_day_and_mode(
    client, history, monkeypatch
):
    monkeypatch.setattr("tracker.site.party_page.BOUND_LISTED", 1)
    for name, mode in MODES.items():
        page = get(client, f"/parties/russia/?as_of={DAY}{mode}").content.decode()
        board = f"/as-of/{DAY}/?party=russia{'&amp;known=now' if mode else ''}"
        assert f'href="{board}">All 2 on the board</a>' in page, name
        assert "Black Sea navigation" in text_of(get(client, board.replace("&amp;", "&"))), name

    today = get(client, "/parties/russia/").content.decode()
    assert 'href="/?party=russia">All 2 on the board</a>' in today
