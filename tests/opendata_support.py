"""A small public record with every kind of value the open-data files hold, for their tests."""

from __future__ import annotations

import datetime as dt

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
    SourceFactory,
)
from tracker.models import CommitmentParty, DeliveredQuantity

UTC = dt.UTC


def build_record():
    """Two agreements, three commitments, readings and claims between three parties.

    Values that test a file's schema: empty optional cells, a claim with no
    accused and one with no claimant, an answer to another claim, a delivery,
    a time with a fraction of a second, text a spreadsheet would run, several
    sources, regions, a renewal, and a draft of each kind that must stay out.
    """
    russia = PartyFactory(name="Russia", slug="russia", time_zone="Europe/Moscow")
    ukraine = PartyFactory(name="Ukraine", slug="ukraine", time_zone="Europe/Kyiv")
    usa = PartyFactory(name="United States", slug="usa", kind="state")
    call = AgreementFactory(slug="call-18-march", title="Call of 18 March", kind="call")
    call.parties.set([russia, usa])
    riyadh = AgreementFactory(
        slug="riyadh-talks", title="Riyadh talks", held_on=dt.date(2025, 3, 25), venue="Riyadh"
    )
    riyadh.sources.add(SourceFactory(url="https://example.org/riyadh"))
    energy = CommitmentFactory(
        slug="energy-pause",
        title="Pause on strikes against energy infrastructure",
        agreement=call,
        regions=["UA-59", "RU-KRS"],
    )
    CommitmentPartyFactory(commitment=energy, party=russia)
    CommitmentPartyFactory(commitment=energy, party=ukraine)
    CommitmentPartyFactory(commitment=energy, party=usa, role=CommitmentParty.Role.MEDIATOR)
    exchange = CommitmentFactory(
        slug="exchange-175",
        title="=Exchange of 175 for 175",
        agreement=riyadh,
        category="prisoners",
        shape="deliverable",
        promised_quantity=175,
    )
    renewed = CommitmentFactory(
        slug="energy-pause-2", agreement=call, renews=energy, status="announced"
    )
    ReadingFactory(commitment=energy, label="Kremlin's count", read_by=russia)
    ReadingFactory(
        commitment=energy,
        label="Ukraine's count",
        read_by=ukraine,
        is_working=False,
        starts_at=dt.datetime(2025, 3, 24, 22, tzinfo=UTC),
        ends_at=dt.datetime(2025, 4, 23, 21, tzinfo=UTC),
        time_zone="Europe/Kyiv",
        wording="з 25 березня",
        wording_language="uk",
    )
    ReadingFactory(
        commitment=exchange,
        starts_at=None,
        ends_at=None,
        due_at=dt.datetime(2025, 5, 25, tzinfo=UTC),
    )
    strike = ComplianceEventFactory(
        commitment=energy,
        claimant=russia,
        accused=ukraine,
        occurred_at=dt.datetime(2025, 3, 20, 10, 15, 30, 250000, tzinfo=UTC),
        precision="minute",
        region="RU-KRS",
        location="Sudzha",
        count=3,
        summary="Strike on the Sudzha gas metering station",
    )
    strike.sources.add(SourceFactory(), SourceFactory())
    ComplianceEventFactory(
        commitment=energy,
        kind="statement",
        claimant=ukraine,
        accused=None,
        in_response_to=strike,
        region="UA-59",
        summary="-denial: no strike was made",
        verification="disputed",
    )
    ComplianceEventFactory(
        commitment=energy, claimant=None, accused=russia, kind="compliance_confirmed"
    )
    delivery = ComplianceEventFactory(
        commitment=exchange, kind="delivery", claimant=usa, accused=None, verification="verified"
    )
    DeliveredQuantity.objects.create(event=delivery, received_by=russia, quantity=175, unit="POWs")
    DeliveredQuantity.objects.create(event=delivery, received_by=ukraine, quantity=175, unit="POWs")
    ComplianceEventFactory(commitment=renewed, claimant=russia, accused=ukraine)
    # Drafts: none of these may reach a file.
    ComplianceEventFactory(commitment=energy, is_published=False, summary="Draft claim")
    hidden = CommitmentFactory(slug="hidden", agreement=call, is_published=False)
    ComplianceEventFactory(commitment=hidden, summary="Published under a draft")
    return {"energy": energy, "exchange": exchange, "strike": strike, "russia": russia}


FIRST_COPY = "a" * 64
NEWER_COPY = "b" * 64


def keep_copies(source) -> None:
    """The copy made when ``source`` was cited, and a newer one since the page changed.

    Only what the database keeps of them: the files never read a copy's bytes.
    """
    from tracker.evidence.models import Capture, Link

    for sha256, captured_at in (
        (FIRST_COPY, dt.datetime(2025, 3, 19, 10, tzinfo=UTC)),
        (NEWER_COPY, dt.datetime(2025, 4, 2, 6, tzinfo=UTC)),
    ):
        Capture.objects.create(
            source=source,
            url=source.url,
            state="captured",
            final_url=source.url,
            http_status=200,
            content_type="text/html; charset=utf-8",
            size=100,
            sha256=sha256,
            captured_at=captured_at,
            body_name=f"captures/{sha256}",
        )
    Link.objects.update_or_create(
        source=source,
        defaults={"status": "changed", "status_since": dt.datetime(2025, 4, 2, 6, tzinfo=UTC)},
    )
