"""The public read model: which records, windows and links the public may see."""

import ast
import datetime as dt
from pathlib import Path

import pytest

from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    CommitmentPartyFactory,
    ComplianceEventFactory,
    PartyFactory,
    ReadingFactory,
    SourceFactory,
)
from tracker import public
from tracker.models import DeliveredQuantity

UTC = dt.UTC
START = dt.datetime(2025, 3, 18, tzinfo=UTC)
END = dt.datetime(2025, 4, 17, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def window_of(commitment):
    return public.commitments().annotate(**public.working_window()).get(pk=commitment.pk)


def test_a_commitment_takes_its_window_from_its_published_working_reading():
    pause = CommitmentFactory()
    ReadingFactory(commitment=pause, is_working=False, ends_at=dt.datetime(2025, 4, 24, tzinfo=UTC))
    working = ReadingFactory(commitment=pause, starts_at=START, ends_at=END, precision="hour")

    loaded = window_of(pause)

    assert loaded.working_reading_id == working.pk
    assert (loaded.working_starts_at, loaded.working_ends_at) == (START, END)
    assert loaded.working_precision == "hour"
    assert public.working_reading(pause) == working


def test_an_unpublished_working_reading_gives_the_public_no_window():
    pause = CommitmentFactory()
    ReadingFactory(commitment=pause, ends_at=END, due_at=END, is_published=False)

    loaded = window_of(pause)

    assert loaded.working_reading_id is None
    assert (loaded.working_starts_at, loaded.working_ends_at, loaded.working_due_at) == (
        None,
        None,
        None,
    )
    assert public.working_reading(pause) is None
    assert pause.working_reading() is not None  # staff still see it


@pytest.mark.parametrize(
    "hidden",
    [
        {"is_published": False},
        {"agreement__is_published": False},
    ],
    ids=["commitment unpublished", "agreement unpublished"],
)
def test_nothing_under_a_commitment_that_is_not_public_is_public(hidden):
    commitment = CommitmentFactory(**hidden)
    ReadingFactory(commitment=commitment)
    ComplianceEventFactory(commitment=commitment)

    assert list(public.commitments()) == []
    assert list(public.readings()) == []
    assert list(public.events()) == []
    assert list(public.roles()) == []
    assert list(public.working_readings()) == []


def test_a_party_is_public_only_while_a_public_record_names_it():
    named = {
        "party to a public agreement": PartyFactory(),
        "role on a public commitment": PartyFactory(),
        "author of a public reading": PartyFactory(),
        "claimant of a public event": PartyFactory(),
        "accused of a public event": PartyFactory(),
        "receiver in a public delivery": PartyFactory(),
    }
    agreement = AgreementFactory()
    agreement.parties.add(named["party to a public agreement"])
    commitment = CommitmentFactory(agreement=agreement)
    CommitmentPartyFactory(commitment=commitment, party=named["role on a public commitment"])
    ReadingFactory(commitment=commitment, read_by=named["author of a public reading"])
    ComplianceEventFactory(
        commitment=commitment,
        claimant=named["claimant of a public event"],
        accused=named["accused of a public event"],
    )
    delivery = ComplianceEventFactory(commitment=commitment, kind="delivery", claimant=None)
    DeliveredQuantity.objects.create(
        event=delivery, received_by=named["receiver in a public delivery"], quantity=5
    )

    draft_only = PartyFactory()
    draft = CommitmentFactory(agreement=agreement, is_published=False)
    CommitmentPartyFactory(commitment=draft, party=draft_only)
    ComplianceEventFactory(commitment=commitment, claimant=draft_only, is_published=False)
    unused = PartyFactory()

    shown = set(public.parties())

    assert set(named.values()) <= shown
    assert draft_only not in shown
    assert unused not in shown


def test_a_source_is_public_only_while_a_public_record_cites_it():
    agreement, reading, event = AgreementFactory(), ReadingFactory(), ComplianceEventFactory()
    cited = [SourceFactory() for _ in range(3)]
    agreement.sources.add(cited[0])
    reading.sources.add(cited[1])
    event.sources.add(cited[2])
    draft_event = ComplianceEventFactory(is_published=False)
    draft_only = SourceFactory()
    draft_event.sources.add(draft_only)

    shown = set(public.sources())

    assert set(cited) <= shown
    assert draft_only not in shown


def test_links_are_followed_only_while_their_target_is_public():
    old = CommitmentFactory(is_published=False)
    renewal = CommitmentFactory(renews=old)
    draft_claim = ComplianceEventFactory(commitment=renewal, is_published=False)
    answer = ComplianceEventFactory(commitment=renewal, in_response_to=draft_claim)

    loaded = public.commitments().annotate(renews_slug=public.renewed_slug()).get(pk=renewal.pk)
    answered = public.events().annotate(answers=public.answered_event_id()).get(pk=answer.pk)

    assert loaded.renews_slug is None
    assert answered.answers is None


def test_the_clock_reads_only_public_working_ends_of_live_windows():
    due = ReadingFactory(ends_at=END).commitment
    ReadingFactory(ends_at=END, is_published=False)
    ReadingFactory(ends_at=END, commitment=CommitmentFactory(status="announced"))
    ReadingFactory(ends_at=END, commitment=CommitmentFactory(shape="deliverable"))
    ReadingFactory(ends_at=END, is_working=False, commitment=CommitmentFactory())
    ReadingFactory(ends_at=END + dt.timedelta(days=1))

    ended = [reading.commitment for reading in public.windows_ended_by(END)]
    ending = public.windows_ending_between(END - dt.timedelta(days=1), END)

    assert ended == [due]
    assert [reading.commitment for reading in ending] == [due]


# Nothing public reads records any other way ------------------------------------------

RECORDS = {
    "Agreement",
    "Commitment",
    "CommitmentParty",
    "ComplianceEvent",
    "DeliveredQuantity",
    "Party",
    "Reading",
    "Source",
    "StatusChange",
}
PUBLIC_OUTPUTS = [
    "tracker/site",
    "tracker/changelog.py",
    "tracker/changelog_groups.py",
    "tracker/public_past.py",
    "tracker/public_past_corrections.py",
    "tracker/opendata",
    "tracker/alerts/outbox.py",
    "tracker/alerts/delivery.py",
    "tracker/alerts/messages.py",
    "tracker/alerts/views.py",
    "tracker/alerts/forms.py",
    "tracker/templatetags",
    "tracker/search",
]


def queries_of_their_own(path: Path) -> list[str]:
    """Each ``Record.objects`` or ``Record._default_manager`` the module reads."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("objects", "_default_manager")
            and isinstance(node.value, ast.Name)
            and node.value.id in RECORDS
        ):
            found.append(f"{path}:{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_public_outputs_read_records_only_through_the_public_module():
    root = Path(__file__).resolve().parent.parent
    modules = []
    for name in PUBLIC_OUTPUTS:
        place = root / name
        modules += sorted(place.rglob("*.py")) if place.is_dir() else [place]
    assert all(module.exists() for module in modules)

    found = [hit for module in modules for hit in queries_of_their_own(module)]

    assert found == [], "read these through tracker.public"
