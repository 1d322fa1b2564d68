"""The party page: what binds the party, what it claims, and what is claimed against it."""

import datetime as dt

import time_machine

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
)
from tracker.models import CommitmentParty

UTC = dt.UTC


def get(client, slug="russia"):
    with time_machine.travel(dt.datetime(2025, 4, 1, tzinfo=UTC), tick=False):
        return client.get(f"/parties/{slug}/")


def test_party_page_shows_what_binds_it_and_its_other_roles(client, db):
    russia = PartyFactory(name="Russia", slug="russia")
    pause = CommitmentFactory(title="Energy pause")
    CommitmentPartyFactory(commitment=pause, party=russia)
    talks = CommitmentFactory(title="Further talks")
    CommitmentPartyFactory(commitment=talks, party=russia, role=CommitmentParty.Role.PROPOSER)
    hidden = CommitmentFactory(title="Unpublished pledge", is_published=False)
    CommitmentPartyFactory(commitment=hidden, party=russia)
    in_draft = CommitmentFactory(
        title="Pledge at draft talks", agreement=AgreementFactory(is_published=False)
    )
    CommitmentPartyFactory(commitment=in_draft, party=russia)

    page = get(client).content.decode()

    bound = page[page.index("What binds it") : page.index("Other roles")]
    assert "Energy pause" in bound
    assert "in force" in bound
    assert "Further talks</a>: proposed it" in page
    assert "Unpublished pledge" not in page
    assert "Pledge at draft talks" not in page


def test_party_page_separates_what_it_claims_from_what_is_claimed_against_it(client, db):
    russia = PartyFactory(name="Russia", slug="russia")
    ukraine = PartyFactory(name="Ukraine", slug="ukraine")
    pause = CommitmentFactory(title="Energy pause")
    ComplianceEventFactory(
        commitment=pause, claimant=russia, accused=ukraine, summary="Strike on Sudzha"
    )
    ComplianceEventFactory(
        commitment=pause, claimant=ukraine, accused=russia, summary="Drones over Sloviansk"
    )
    ComplianceEventFactory(
        commitment=pause,
        claimant=ukraine,
        accused=russia,
        summary="Unchecked rumour",
        is_published=False,
    )

    page = get(client).content.decode()

    claims = page[page.index("What it claims") : page.index("What is claimed against it")]
    against = page[page.index("What is claimed against it") :]
    assert "What it claims (1 claim)" in page
    assert "Strike on Sudzha" in claims and "Drones over Sloviansk" not in claims
    assert "Drones over Sloviansk" in against and "Strike on Sudzha" not in against
    assert "Unchecked rumour" not in page


def test_an_unknown_party_is_not_found(client, db):
    assert get(client, "atlantis").status_code == 404
