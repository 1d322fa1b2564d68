"""What a card, a commitment page and an embed say about when a commitment falls due or ended.

Each date said once, with the verb its status calls for: a fulfilled exchange
reads "Outcome: fulfilled 19 March 2025", never "Due: ended 19 March 2025
(19 March 2025)"; a deliverable with no due date says so once.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine

from tests.factories import CommitmentFactory, ReadingFactory

UTC = dt.UTC
NOW = dt.datetime(2025, 7, 1, 12, tzinfo=UTC)


def text(fragment: str) -> str:
    """What a reader reads: the text without its tags, spaces folded as a browser shows them."""
    fragment = re.sub(r"<(script|style)\b.*?</\1>", " ", fragment, flags=re.S)
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())
    return re.sub(r"\(\s+", "(", re.sub(r"\s+([,.:;)])", r"\1", words))


def deliverable(status: str, due: dt.datetime | None, changed: dt.datetime | None = None):
    commitment = CommitmentFactory(
        title="Exchange of prisoners",
        slug="exchange",
        shape="deliverable",
        category="prisoners",
        status=status,
        status_changed_at=changed or dt.datetime(2025, 3, 18, tzinfo=UTC),
        status_changed_precision="day",
        status_changed_zone="UTC",
    )
    ReadingFactory(commitment=commitment, starts_at=None, ends_at=None, due_at=due)
    return commitment


def read(client, url: str, language: str = "en") -> str:
    with time_machine.travel(NOW, tick=False):
        response = client.get(url, headers={"accept-language": language})
    assert response.status_code == 200, url
    return text(response.content.decode())


def the_three(client) -> dict[str, str]:
    """The commitment's words on the board, on its own page and in its embed."""
    return {
        "board": read(client, "/"),
        "page": read(client, "/commitments/exchange/"),
        "embed": read(client, "/embed/commitments/exchange/"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("en", "fulfilled 19 March 2025"),
        ("uk", "виконано 19 березня 2025"),
        ("ru", "выполнено 19 марта 2025"),
    ],
)
def test_a_deliverable_fulfilled_on_its_due_day_says_that_day_once_with_its_own_verb(
    client, language, says
):
    day = dt.datetime(2025, 3, 19, tzinfo=UTC)
    deliverable("fulfilled", due=day, changed=day)

    for place in ("board", "page"):
        words = read(client, "/" if place == "board" else "/commitments/exchange/", language)
        assert says in words, place
        assert says.split(" ", 1)[1] + " (" not in words, place
    assert "ended 19 March" not in read(client, "/")
    embed = read(client, "/embed/commitments/exchange/", language)
    assert embed.count(says.split(" ", 1)[1]) == 1


@pytest.mark.django_db
def test_a_deliverable_fulfilled_late_names_the_day_it_was_done_and_the_day_it_was_due(client):
    deliverable(
        "fulfilled",
        due=dt.datetime(2025, 3, 19, tzinfo=UTC),
        changed=dt.datetime(2025, 3, 21, tzinfo=UTC),
    )

    words = the_three(client)

    assert "Outcome fulfilled 21 March 2025 (due 19 March 2025)" in words["board"]
    assert "Outcome fulfilled 21 March 2025 (due 19 March 2025)" in words["page"]
    # The status is the verb: "Fulfilled 21 March 2025", not "Fulfilled fulfilled…".
    assert "Status: fulfilled 21 March 2025 Due 19 March 2025" in words["embed"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "says"),
    [
        ("collapsed", "Outcome collapsed 2 April 2025"),
        ("expired", "Outcome ended 2 April 2025"),
    ],
)
def test_every_final_status_says_when_it_came_in_its_own_words(client, status, says):
    deliverable(
        status,
        due=dt.datetime(2025, 3, 30, tzinfo=UTC),
        changed=dt.datetime(2025, 4, 2, tzinfo=UTC),
    )

    words = the_three(client)

    assert f"{says} (due 30 March 2025)" in words["board"]
    assert f"{says} (due 30 March 2025)" in words["page"]
    assert "2 April 2025 Due 30 March 2025" in words["embed"]


@pytest.mark.django_db
def test_an_overdue_deliverable_says_its_due_day_once(client):
    deliverable("in_force", due=dt.datetime(2025, 3, 19, tzinfo=UTC))

    words = the_three(client)

    for place in ("board", "page"):
        assert "Deadline was due 19 March 2025" in words[place], place
        assert "was due 19 March 2025 (19 March 2025)" not in words[place], place
    assert words["embed"].count("19 March 2025") == 1
    assert "was due 19 March 2025" in words["embed"]


@pytest.mark.django_db
def test_a_deliverable_due_soon_counts_down_and_gives_the_day(client):
    deliverable("in_force", due=dt.datetime(2025, 7, 4, tzinfo=UTC))

    words = the_three(client)

    assert "Deadline due in 2 days 12 h (4 July 2025)" in words["board"]
    assert "Deadline due in 2 days 12 h (4 July 2025)" in words["page"]
    assert "due in 2 days 12 h Due 4 July 2025" in words["embed"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "once"),
    [("en", "no due date"), ("uk", "без терміну"), ("ru", "без срока")],
)
def test_a_deliverable_with_no_due_date_says_so_once_in_its_embed(client, language, once):
    deliverable("in_force", due=None)

    embed = read(client, "/embed/commitments/exchange/", language)

    assert once in embed
    assert embed.lower().count("due date") <= 1
    assert "No due date published" not in embed
    assert "Строк не опубліковано" not in embed and "Срок не опубликован" not in embed


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("en", "Fulfilled 19 March 2025: what was promised"),
        ("uk", "Виконано 19 березня 2025: що було обіцяно"),
        ("ru", "Выполнено 19 марта 2025: что было обещано"),
    ],
)
def test_a_shared_link_to_a_fulfilled_commitment_names_its_status_once(client, language, says):
    day = dt.datetime(2025, 3, 19, tzinfo=UTC)
    deliverable("fulfilled", due=day, changed=day)

    with time_machine.travel(NOW, tick=False):
        page = client.get("/commitments/exchange/", headers={"accept-language": language})

    description = re.search(r'property="og:description" content="([^"]*)"', page.text)
    assert html.unescape(description.group(1)).startswith(says)
