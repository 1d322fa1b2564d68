"""A past day in two modes: as the tracker published it then, and as known now.

The same weeks of history (``tests.as_of_support``): a claim verified and a
window extended on 2 April, a claim withdrawn on 8 April. As published then,
the end of 30 March shows what the tracker showed, corrections marked; as
known now (``?known=now``), the same day with today's record.
"""

import re
from html import unescape

import pytest

from tests.as_of_support import KHERSON, SLOVIANSK, WITHDRAWN_CLAIM, get, weeks_of_history

PAGE = "/commitments/energy-pause/"
BOARD = "/as-of/2025-03-30/"


@pytest.fixture
def history(db):
    return weeks_of_history()


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def claim(page: str, event) -> str:
    found = re.search(rf'<li class="event[^"]*" id="event-{event.pk}">.*?</li>', page, re.S)
    return text_of(found[0])


def test_a_claim_verified_later_reads_as_it_was_then_and_is_marked_as_published(client, history):
    page = get(client, f"{PAGE}?as_of=2025-03-30").content.decode()

    sloviansk = claim(page, history.sloviansk)
    assert "Verification: unverified" in sloviansk
    assert "Corrected later (on 2 April 2025)" in sloviansk


def test_the_same_claim_reads_as_verified_without_a_mark_as_known_now(client, history):
    page = get(client, f"{PAGE}?as_of=2025-03-30&known=now").content.decode()

    sloviansk = claim(page, history.sloviansk)
    assert "Verification: verified" in sloviansk
    assert "Corrected later" not in sloviansk


def test_a_window_extended_later_counts_down_to_its_end_then_or_now(client, history):
    published = text_of(get(client, f"{PAGE}?as_of=2025-03-24").content.decode())
    known = text_of(get(client, f"{PAGE}?as_of=2025-03-24&known=now").content.decode())

    assert "Period ends in 23 days" in published
    assert "Period ends 30 April 2025" in known  # further than 30 days: the date


def test_the_status_in_both_modes_is_the_one_in_effect_when_the_day_ended(client, history):
    for query in ("", "&known=now"):
        before = text_of(get(client, f"{PAGE}?as_of=2025-03-24{query}").content.decode())
        after = text_of(get(client, f"{PAGE}?as_of=2025-03-26{query}").content.decode())
        assert "Status: in force" in before.split("Readings of the terms")[0], query
        assert "Status: suspended" in after.split("Readings of the terms")[0], query


def test_a_claim_withdrawn_since_shows_in_neither_mode(client, history):
    for query in ("", "&known=now"):
        page = get(client, f"{PAGE}?as_of=2025-03-30{query}").content.decode()
        board = get(client, f"{BOARD}?{query[1:]}").content.decode()
        assert WITHDRAWN_CLAIM not in page, query
        assert WITHDRAWN_CLAIM not in board, query
        assert SLOVIANSK in page and KHERSON in page, query


def test_as_known_now_the_page_names_what_was_recorded_only_after_the_day(client, history):
    # Kherson's claim of 24 March was recorded on 25 March.
    page = text_of(get(client, f"{PAGE}?as_of=2025-03-24&known=now").content.decode())

    assert "Recorded only after 24 March 2025" in page
    assert "1 claim" in page


def test_each_mode_says_which_it_is_in_words_and_links_to_the_other(client, history):
    published = get(client, f"{PAGE}?as_of=2025-03-30").content.decode()
    known = get(client, f"{PAGE}?as_of=2025-03-30&known=now").content.decode()

    assert "As published then:" in text_of(published)
    assert "See it as known now, with today's record" in text_of(published)
    assert f'href="{PAGE}?as_of=2025-03-30&amp;known=now"' in published
    assert "As known now:" in text_of(known)
    assert "See it as published then" in text_of(known)
    assert f'href="{PAGE}?as_of=2025-03-30"' in known


def test_the_board_of_a_day_says_its_mode_and_links_to_the_other(client, history):
    published = get(client, BOARD).content.decode()
    known = get(client, f"{BOARD}?known=now").content.decode()

    assert "As published then:" in text_of(published)
    assert f'href="{BOARD}?known=now"' in published
    assert "The end of 30 March 2025, as known now" in text_of(known)
    assert f'href="{BOARD}"' in known


def test_an_unknown_mode_is_a_400_that_says_how_to_ask(client, history):
    for url in (f"{BOARD}?known=then", f"{PAGE}?as_of=2025-03-30&known=yesterday"):
        response = get(client, url)
        assert response.status_code == 400, url
        assert "write known=now" in text_of(response.content.decode()), url


def test_the_pages_are_in_the_readers_language_in_both_modes(client, history):
    uk = text_of(get(client, f"{BOARD}?known=now", **{"Accept-Language": "uk"}).content.decode())
    ru = text_of(get(client, BOARD, **{"Accept-Language": "ru"}).content.decode())

    assert "Як відомо зараз:" in uk
    assert "Как опубликовано тогда:" in ru
