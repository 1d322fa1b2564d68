"""The agreement page: the occasion, its parties and sources, and the commitments made there."""

import datetime as dt

import time_machine

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    PartyFactory,
    ReadingFactory,
    SourceFactory,
)

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 1, 12, tzinfo=UTC)


def get(client, slug):
    with time_machine.travel(NOW, tick=False):
        return client.get(f"/agreements/{slug}/")


def test_agreement_page_shows_the_occasion_its_parties_and_sources(client, db):
    riyadh = AgreementFactory(
        title="Riyadh talks",
        slug="riyadh",
        held_on=dt.date(2025, 3, 25),
        venue="Riyadh",
        summary="Separate statements with each side.",
        internal_note="Check the Kremlin's version",
    )
    riyadh.parties.add(PartyFactory(name="United States", slug="usa"))
    riyadh.sources.add(SourceFactory(title="White House statement", publisher="White House"))

    page = get(client, "riyadh").content.decode()

    assert "<h1>Riyadh talks</h1>" in page
    assert "2025-03-25" in page
    assert "Separate statements with each side." in page
    assert 'href="/parties/usa/">United States</a>' in page
    assert "White House statement" in page
    assert "Check the Kremlin" not in page


def test_agreement_page_lists_its_published_commitments_with_status_and_countdown(client, db):
    riyadh = AgreementFactory(slug="riyadh")
    navigation = CommitmentFactory(
        agreement=riyadh, title="Safe navigation in the Black Sea", status="announced"
    )
    ReadingFactory(commitment=navigation, ends_at=NOW + dt.timedelta(days=2))
    CommitmentFactory(agreement=riyadh, title="Unpublished side deal", is_published=False)

    page = get(client, "riyadh").content.decode()

    assert "Safe navigation in the Black Sea" in page
    assert "announced" in page
    assert "ends in 2 days" in page
    assert 'class="strip-none" d="M0 18h' in page
    assert "Unpublished side deal" not in page


def test_an_unpublished_agreement_is_not_found(client, db):
    AgreementFactory(slug="secret", title="Secret talks", is_published=False)

    response = get(client, "secret")

    assert response.status_code == 404
    assert "Secret talks" not in response.content.decode()
