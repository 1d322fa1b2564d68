"""What the services accept as text and as dates, whoever calls them.

A NUL byte or another control character in any text is refused with a named
error, on SQLite (which would store it) and on PostgreSQL (which would fail
with a raw database error). Events cannot be dated in the future, beyond a
few minutes of clock skew between the reporter's machine and ours.
"""

import datetime as dt

import pytest
import time_machine

from tests.factories import CommitmentFactory, PartyFactory
from tracker import services
from tracker.models import Agreement, Commitment, ComplianceEvent, EventKind, Party, Reading
from tracker.services import InvalidEvent, InvalidText

UTC = dt.UTC
NOW = dt.datetime(2025, 5, 26, 8, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def claim(commitment, **fields) -> ComplianceEvent:
    return ComplianceEvent(
        commitment=commitment,
        kind=EventKind.ALLEGED_VIOLATION,
        occurred_at=fields.pop("occurred_at", NOW - dt.timedelta(days=1)),
        summary=fields.pop("summary", "Drones struck a substation."),
        **fields,
    )


@pytest.mark.parametrize(
    "bad",
    ["\x00", "\x07", "\x1b[31m", "\x7f", "\x85", "\x9b"],
    ids=["NUL", "bell", "escape", "delete", "next line", "C1 control"],
)
def test_control_characters_in_an_event_are_refused_by_name(editor, bad):
    pause = CommitmentFactory()

    with pytest.raises(InvalidText) as refusal:
        services.record_event(
            claim(pause, summary=f"Strike{bad}", location=f"Sloviansk{bad}"),
            actor=editor,
            reason="Reported",
        )

    assert set(refusal.value.message_dict) == {"summary", "location"}
    assert "control character" in refusal.value.message_dict["summary"][0]
    assert not ComplianceEvent.objects.exists()


def test_every_service_that_writes_text_refuses_a_nul_byte(editor, reviewer):
    pause = CommitmentFactory()
    attempts = {
        "party": lambda: services.save_record(
            Party(name="Rus\x00sia", slug="russia"), actor=editor, reason="x"
        ),
        "agreement": lambda: services.save_record(
            Agreement(title="Call", slug="call", held_on=NOW.date(), summary="A\x00"),
            actor=editor,
            reason="x",
        ),
        "commitment": lambda: services.create_commitment(
            actor=editor,
            reason="x",
            agreement=pause.agreement,
            title="Pause\x00",
            slug="pause-x",
            category="energy",
            shape="window",
        ),
        "reading": lambda: services.add_reading(
            pause, actor=editor, reason="x", label="Kremlin", wording="Thirty\x00 days"
        ),
        "edit": lambda: services.update_reading(
            services.add_reading(pause, actor=editor, reason="x", label="Kyiv"),
            actor=editor,
            reason="x",
            scope="Energy\x00",
        ),
    }
    for name, attempt in attempts.items():
        with pytest.raises(InvalidText):
            attempt()
        assert "\x00" not in repr(list(Party.objects.values_list("name", flat=True))), name

    assert not Commitment.objects.filter(slug="pause-x").exists()
    assert not Reading.objects.filter(label="Kremlin").exists()


def test_a_reason_with_a_nul_byte_is_refused(editor):
    with pytest.raises(InvalidText, match="control character"):
        services.save_record(PartyFactory.build(), actor=editor, reason="Checked\x00")


def test_line_breaks_and_tabs_are_fine_in_long_texts_but_not_in_a_title(editor):
    pause = CommitmentFactory()
    event = services.record_event(
        claim(pause, summary="First line\nsecond line\r\n\tindented"), actor=editor, reason="x"
    )
    assert event.pk

    with pytest.raises(InvalidText) as refusal:
        services.save_record(Party(name="Rus\nsia", slug="russia"), actor=editor, reason="x")
    assert set(refusal.value.message_dict) == {"name"}


def test_an_event_dated_in_the_future_is_refused(editor):
    pause = CommitmentFactory()

    with pytest.raises(InvalidEvent, match="future") as refusal:
        services.record_event(
            claim(pause, occurred_at=NOW + dt.timedelta(days=30)), actor=editor, reason="x"
        )

    assert set(refusal.value.message_dict) == {"occurred_at"}
    assert not ComplianceEvent.objects.exists()


def test_a_period_that_ends_in_the_future_is_refused(editor):
    pause = CommitmentFactory()

    with pytest.raises(InvalidEvent, match="future"):
        services.record_event(
            claim(pause, occurred_until=NOW + dt.timedelta(days=2)), actor=editor, reason="x"
        )


def test_an_event_a_few_minutes_ahead_is_within_clock_skew(editor):
    pause = CommitmentFactory()

    event = services.record_event(
        claim(pause, occurred_at=NOW + dt.timedelta(minutes=4)), actor=editor, reason="x"
    )

    assert event.pk


def test_moving_a_recorded_event_into_the_future_is_refused(editor):
    event = services.record_event(claim(CommitmentFactory()), actor=editor, reason="x")
    event.occurred_at = NOW + dt.timedelta(days=1)

    with pytest.raises(InvalidEvent, match="future"):
        services.save_record(event, actor=editor, reason="Wrong day")

    assert ComplianceEvent.objects.get(pk=event.pk).occurred_at == NOW - dt.timedelta(days=1)


def test_translations_are_accepted_by_the_services_that_write_each_record(editor):
    pause = CommitmentFactory()
    event = services.record_event(
        claim(
            pause,
            summary_uk="Дрони вдарили по підстанції.",
            summary_ru="Беспилотники ударили по подстанции.",
            location="Sloviansk",
            location_uk="Слов'янськ",
        ),
        actor=editor,
        reason="Reported",
    )
    reading = services.add_reading(
        pause, actor=editor, reason="x", label="Kremlin's count", label_ru="Подсчёт Кремля"
    )
    services.update_reading(reading, actor=editor, reason="x", scope_uk="Енергетика")

    stored = ComplianceEvent.objects.get(pk=event.pk)
    assert (stored.summary_en, stored.summary_uk, stored.location_uk) == (
        "Drones struck a substation.",
        "Дрони вдарили по підстанції.",
        "Слов'янськ",
    )
    reading = Reading.objects.get(pk=reading.pk)
    assert (reading.label_en, reading.label_ru, reading.scope_uk) == (
        "Kremlin's count",
        "Подсчёт Кремля",
        "Енергетика",
    )


def test_control_characters_in_a_translation_are_refused_by_its_own_name(editor):
    pause = CommitmentFactory()

    with pytest.raises(InvalidText) as refusal:
        services.record_event(
            claim(pause, summary_uk="Удар\x00", location_ru="Славянск\x1b[31m"),
            actor=editor,
            reason="Reported",
        )

    assert set(refusal.value.message_dict) == {"summary_uk", "location_ru"}
    assert "control character" in refusal.value.message_dict["summary_uk"][0]
    assert not ComplianceEvent.objects.exists()


def test_a_translated_title_keeps_to_one_line_like_the_english_one(editor):
    russia = PartyFactory(name="Russia", slug="russia")
    russia.name_uk = "Ро\nсія"

    with pytest.raises(InvalidText) as refusal:
        services.save_record(russia, actor=editor, reason="Ukrainian name")

    assert set(refusal.value.message_dict) == {"name_uk"}
    assert Party.objects.get(pk=russia.pk).name_uk is None
