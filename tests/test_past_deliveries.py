"""A delivery's handovers on a commitment's page for a past day.

As published then, the deliveries table, each delivery's handovers and the
running totals read as they stood when the day ended: a quantity corrected
since shows its old value, marked, and a handover added since is not there.
As known now, and today, they read as today's record has them.
"""

import datetime as dt
import re
from html import unescape

import pytest
import time_machine

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    PartyFactory,
    UserFactory,
)
from tracker import services
from tracker.models import ComplianceEvent
from tracker.services import edit_record

UTC = dt.UTC
DAY = dt.datetime(2025, 3, 20, 9, tzinfo=UTC)  # the delivery is published
CORRECTED = dt.datetime(2025, 3, 23, 9, tzinfo=UTC)  # 175 becomes 150; Russia's 20 added
NOW = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)
PAGE = "/commitments/exchange/"
THEN = "Exchange of prisoners at the border"
SINCE = "Exchange of prisoners at the border, recounted"


def published_delivery(exchange, claimant, reviewer, quantities):
    """A delivery ``claimant`` reports on 19 March, recorded and published by ``reviewer``."""
    event = ComplianceEvent(
        commitment=exchange,
        kind="delivery",
        claimant=claimant,
        occurred_at=dt.datetime(2025, 3, 19, 12, tzinfo=UTC),
        summary=THEN,
    )
    services.record_event(event, actor=reviewer, reason="Reported", quantities=quantities)
    services.publish(event, actor=reviewer, reason="Checked")
    return event


@pytest.fixture
def delivery(db):
    with time_machine.travel(DAY, tick=False):
        reviewer = UserFactory(username="deliveries-reviewer", role="Reviewers")
        russia = PartyFactory(name="Russia", slug="russia")
        ukraine = PartyFactory(name="Ukraine", slug="ukraine")
        exchange = CommitmentFactory(
            title="Exchange of prisoners",
            slug="exchange",
            shape="deliverable",
            category="prisoners",
            agreement=AgreementFactory(title="Talks in Istanbul", slug="istanbul"),
        )
        CommitmentPartyFactory(commitment=exchange, party=russia)
        CommitmentPartyFactory(commitment=exchange, party=ukraine)
        event = published_delivery(exchange, ukraine, reviewer, [(ukraine, 175, "prisoners")])
    with time_machine.travel(CORRECTED, tick=False):
        rows = [
            {"received_by": ukraine, "quantity": 150, "unit": "prisoners"},
            {"received_by": russia, "quantity": 20, "unit": "prisoners"},
        ]
        edit_record(
            event, {"summary": SINCE, "quantities": rows}, actor=reviewer, reason="Recounted"
        )
    return event


def deliveries_on(client, query: str = "") -> str:
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"{PAGE}{query}").content.decode()
    section = re.search(r'<section id="deliveries".*?</section>', page, re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", section[0])).split())


def claim_on(client, query: str, event) -> str:
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"{PAGE}{query}").content.decode()
    found = re.search(rf'<li class="event[^"]*" id="event-{event.pk}">.*?</li>', page, re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found[0])).split())


def test_as_published_then_a_handover_corrected_later_reads_as_it_was_and_is_marked(
    client, delivery
):
    table = deliveries_on(client, "?as_of=2025-03-20")

    assert "175 prisoners to Ukraine" in table
    assert "150" not in table
    assert THEN in table and SINCE not in table
    assert "Corrected later (on 23 March 2025)" in table
    assert "175 prisoners handed to Ukraine" in claim_on(client, "?as_of=2025-03-20", delivery)


def test_as_published_then_a_handover_added_later_is_not_there(client, delivery):
    table = deliveries_on(client, "?as_of=2025-03-20")

    assert "to Russia" not in table
    assert "to Russia" not in claim_on(client, "?as_of=2025-03-20", delivery)


def test_after_the_correction_and_today_the_page_reads_as_corrected(client, delivery):
    for query in ("?as_of=2025-03-23", ""):
        table = deliveries_on(client, query)
        assert "150 prisoners to Ukraine" in table, query
        assert "20 prisoners to Russia" in table, query
        assert "175" not in table, query
        assert SINCE in table, query
        assert "Corrected later" not in table, query


def test_as_known_now_the_day_reads_as_todays_record_without_a_mark(client, delivery):
    table = deliveries_on(client, "?as_of=2025-03-20&known=now")

    assert "150 prisoners to Ukraine" in table
    assert "20 prisoners to Russia" in table
    assert "175" not in table
    assert "Corrected later" not in table


@pytest.fixture
def handed_to_a_party_no_longer_named(db):
    """175 handed to the Red Cross on the day; corrected since to Ukraine, so today no public
    record names the Red Cross."""
    with time_machine.travel(DAY, tick=False):
        reviewer = UserFactory(username="deliveries-reviewer", role="Reviewers")
        ukraine = PartyFactory(name="Ukraine", slug="ukraine")
        red_cross = PartyFactory(name="Red Cross", slug="red-cross")
        exchange = CommitmentFactory(
            title="Exchange of prisoners", slug="exchange", shape="deliverable"
        )
        CommitmentPartyFactory(commitment=exchange, party=ukraine)
        event = published_delivery(exchange, ukraine, reviewer, [(red_cross, 175, "prisoners")])
    with time_machine.travel(CORRECTED, tick=False):
        rows = [{"received_by": ukraine, "quantity": 175, "unit": "prisoners"}]
        edit_record(event, {"quantities": rows}, actor=reviewer, reason="Wrong side")
    return event


def test_a_past_day_names_the_side_as_it_was_named_then_though_renamed_and_deleted_since(
    client, handed_to_a_party_no_longer_named
):
    from tracker.models import Party

    with time_machine.travel(CORRECTED + dt.timedelta(days=1), tick=False):
        red_cross = Party.objects.get(slug="red-cross")
        red_cross.name = "ICRC"
        red_cross.save()
        red_cross.delete()

    table = deliveries_on(client, "?as_of=2025-03-20")

    assert "175 prisoners to Red Cross" in table
    assert "ICRC" not in table


def test_a_past_day_names_the_side_a_handover_went_to_then_though_no_record_names_it_now(
    client, handed_to_a_party_no_longer_named
):
    with time_machine.travel(NOW, tick=False):
        assert "Red Cross" not in client.get(PAGE).content.decode()

    table = deliveries_on(client, "?as_of=2025-03-20")

    assert "175 prisoners to Red Cross" in table
    assert "175 prisoners handed to Red Cross" in claim_on(
        client, "?as_of=2025-03-20", handed_to_a_party_no_longer_named
    )
