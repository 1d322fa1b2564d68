"""A commitment with a few weeks of history, for the pages that show the past.

Each step happens on its own day, with time frozen, through the services, so
the history tables and the status-change log hold what they would in use:

- 18 March 10:00: the energy pause is agreed and published, in force, with a
  working reading ending 17 April; Russia and Ukraine are bound by it.
- 20 March 09:00: Ukraine's claim of a strike in Sloviansk is published,
  unverified; so is a claim that is withdrawn on 8 April.
- 25 March 12:00: the pause is suspended; Russia's claim about Kherson port
  is published.
- 2 April 08:00: the Sloviansk claim is verified and the window extended
  to 30 April.
- 8 April 15:00: the withdrawn claim is unpublished.
- 10 April 12:00: now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import time_machine

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    PartyFactory,
    ReadingFactory,
    UserFactory,
)
from tracker import services
from tracker.models import Commitment, ComplianceEvent, Reading

UTC = dt.UTC
AGREED = dt.datetime(2025, 3, 18, 10, tzinfo=UTC)
FIRST_CLAIMS = dt.datetime(2025, 3, 20, 9, tzinfo=UTC)
SUSPENDED = dt.datetime(2025, 3, 25, 12, tzinfo=UTC)
CORRECTED = dt.datetime(2025, 4, 2, 8, tzinfo=UTC)
WITHDRAWN = dt.datetime(2025, 4, 8, 15, tzinfo=UTC)
NOW = dt.datetime(2025, 4, 10, 12, tzinfo=UTC)

SLOVIANSK = "Strike on a substation in Sloviansk"
KHERSON = "Drone attack on Kherson port"
WITHDRAWN_CLAIM = "Claim of shelling later withdrawn from publication"


@dataclass
class History:
    pause: Commitment
    reading: Reading
    sloviansk: ComplianceEvent
    kherson: ComplianceEvent
    withdrawn: ComplianceEvent
    reviewer: object


def claim(
    commitment, claimant, accused, summary, reviewer, occurred_at, publish=True, **fields
) -> ComplianceEvent:
    """An alleged violation recorded through the services, and published unless ``publish``
    is false; ``fields`` are any others it has (its region, say)."""
    event = ComplianceEvent(
        commitment=commitment,
        kind="alleged_violation",
        claimant=claimant,
        accused=accused,
        occurred_at=occurred_at,
        summary=summary,
        **fields,
    )
    services.record_event(event, actor=reviewer, reason="Reported")
    if publish:
        services.publish(event, actor=reviewer, reason="Checked")
    return event


def weeks_of_history() -> History:
    with time_machine.travel(AGREED, tick=False):
        reviewer = UserFactory(username="as-of-reviewer", role="Reviewers")
        russia = PartyFactory(name="Russia", slug="russia", time_zone="Europe/Moscow")
        ukraine = PartyFactory(name="Ukraine", slug="ukraine", time_zone="Europe/Kyiv")
        pause = CommitmentFactory(
            title="Pause on strikes against energy infrastructure",
            slug="energy-pause",
            agreement=AgreementFactory(title="US–Russia phone call", slug="call"),
        )
        CommitmentPartyFactory(commitment=pause, party=russia)
        CommitmentPartyFactory(commitment=pause, party=ukraine)
        reading = ReadingFactory(
            commitment=pause,
            label="Kremlin's count",
            starts_at=dt.datetime(2025, 3, 18, tzinfo=UTC),
            ends_at=dt.datetime(2025, 4, 17, tzinfo=UTC),
        )
    with time_machine.travel(FIRST_CLAIMS, tick=False):
        sloviansk = claim(
            pause, ukraine, russia, SLOVIANSK, reviewer, dt.datetime(2025, 3, 19, 2, tzinfo=UTC)
        )
        withdrawn = claim(
            pause, russia, ukraine, WITHDRAWN_CLAIM, reviewer, dt.datetime(2025, 3, 19, tzinfo=UTC)
        )
    with time_machine.travel(SUSPENDED, tick=False):
        services.change_status(pause, "suspended", actor=reviewer, reason="Talks paused")
        kherson = claim(
            pause, russia, ukraine, KHERSON, reviewer, dt.datetime(2025, 3, 24, 20, tzinfo=UTC)
        )
    with time_machine.travel(CORRECTED, tick=False):
        services.verify_event(sloviansk, "verified", actor=reviewer, reason="Imagery checked")
        services.extend_window(
            pause,
            actor=reviewer,
            reason="Both sides agreed to more days",
            new_end=dt.datetime(2025, 4, 30, tzinfo=UTC),
        )
    with time_machine.travel(WITHDRAWN, tick=False):
        services.unpublish(withdrawn, actor=reviewer, reason="Source retracted its report")
    return History(pause, reading, sloviansk, kherson, withdrawn, reviewer)


def get(client, url: str, now: dt.datetime = NOW, **headers):
    with time_machine.travel(now, tick=False):
        return client.get(url, headers=headers)
