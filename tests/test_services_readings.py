"""Readings of a commitment's terms: adding, editing, choosing the working one, extending.

The records here are drafts, so an edit applies at once: these are the rules
of the terms themselves. How an edit of a published reading or commitment
waits for a reviewer is in ``test_services_review``.
"""

import datetime as dt

import pytest
import time_machine

from tests.factories import CommitmentFactory, ReadingFactory, SourceFactory
from tracker.models import Reading, Source
from tracker.services import (
    InvalidSource,
    InvalidTerms,
    NotPermitted,
    PublishingRefused,
    TransitionNotAllowed,
    WorkingReadingConflict,
    add_reading,
    extend_window,
    make_working,
    update_reading,
)

UTC = dt.UTC
MARCH_18_MOSCOW = dt.datetime(2025, 3, 17, 21, tzinfo=UTC)
MARCH_25_KYIV = dt.datetime(2025, 3, 24, 22, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2025, 3, 26, 9, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def pause(db):
    """The energy pause, still a draft, with no readings yet."""
    return CommitmentFactory(shape="window", status="in_force", is_published=False)


def draft_reading(**fields) -> Reading:
    return ReadingFactory(**{"is_published": False, **fields})


def working_readings(commitment):
    return list(Reading.objects.filter(commitment=commitment, is_working=True))


# Adding ---------------------------------------------------------------------------


def test_thirty_days_from_18_march_moscow_time_is_stored_as_the_utc_end(pause, editor):
    reading = add_reading(
        pause,
        actor=editor,
        reason="Kremlin readout",
        working=True,
        label="Kremlin's count",
        starts_at=MARCH_18_MOSCOW,
        duration_days=30,
        time_zone="Europe/Moscow",
        wording="30 days from 18 March",
    )

    reading.refresh_from_db()
    assert reading.ends_at == dt.datetime(2025, 4, 16, 21, tzinfo=UTC)
    assert reading.is_working
    assert not reading.is_published


def test_thirty_days_from_25_march_kyiv_time_ends_at_kyiv_midnight_after_the_dst_change(
    pause, editor
):
    reading = add_reading(
        pause,
        actor=editor,
        reason="Ukraine's count",
        label="Ukraine's count",
        starts_at=MARCH_25_KYIV,
        duration_days=30,
        time_zone="Europe/Kyiv",
    )

    assert Reading.objects.get(pk=reading.pk).ends_at == dt.datetime(2025, 4, 23, 21, tzinfo=UTC)


def test_checking_a_new_reading_given_by_duration_twice_keeps_the_computed_end(pause, editor):
    reading = Reading(
        commitment=pause,
        label="Ukraine's count",
        starts_at=MARCH_25_KYIV,
        duration_days=30,
        time_zone="Europe/Kyiv",
    )
    reading.full_clean()  # as a form does before the reading is handed over

    saved = add_reading(
        pause,
        actor=editor,
        reason="Ukraine's count",
        label=reading.label,
        starts_at=reading.starts_at,
        ends_at=reading.ends_at,
        duration_days=reading.duration_days,
        time_zone=reading.time_zone,
    )

    reading.full_clean()
    assert reading.ends_at == dt.datetime(2025, 4, 23, 21, tzinfo=UTC)
    assert Reading.objects.get(pk=saved.pk).ends_at == dt.datetime(2025, 4, 23, 21, tzinfo=UTC)


def test_a_new_working_reading_replaces_the_old_one_and_both_stay_visible(pause, editor):
    kremlin = add_reading(
        pause, actor=editor, reason="Kremlin", working=True, label="Kremlin", duration_days=30,
        starts_at=MARCH_18_MOSCOW, time_zone="Europe/Moscow",
    )  # fmt: skip

    ukraine = add_reading(
        pause, actor=editor, reason="White House published", working=True, label="Ukraine",
        duration_days=30, starts_at=MARCH_25_KYIV, time_zone="Europe/Kyiv",
    )  # fmt: skip

    assert working_readings(pause) == [ukraine]
    assert Reading.objects.filter(commitment=pause).count() == 2
    kremlin.refresh_from_db()
    # The new reading is a draft until a reviewer publishes it: its reason is not quoted.
    assert kremlin.history.first().history_change_reason == "No longer the working reading."


def test_a_refused_working_reading_leaves_the_old_one_working(pause, editor):
    old = draft_reading(commitment=pause)

    with pytest.raises(InvalidTerms, match="The end must come after the start."):
        add_reading(
            pause,
            actor=editor,
            reason="Typo",
            working=True,
            label="Wrong",
            starts_at=MARCH_25_KYIV,
            ends_at=MARCH_18_MOSCOW,
        )

    assert working_readings(pause) == [old]
    assert Reading.objects.filter(commitment=pause).count() == 1


@pytest.mark.parametrize(
    ("terms", "field", "message"),
    [
        ({"ends_at": MARCH_18_MOSCOW}, "ends_at", "The end must come after the start."),
        ({"ends_at": MARCH_25_KYIV}, "ends_at", "The end must come after the start."),
        ({"duration_days": 0}, "duration_days", "A duration must be at least one day."),
        ({"duration_days": -5}, "duration_days", "A duration must be at least one day."),
        ({"time_zone": "Kyiv"}, "time_zone", "“Kyiv” is not an IANA time zone name."),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "is not an IANA time zone name"),
        (
            {"ends_at": dt.datetime(2025, 5, 1, tzinfo=UTC), "is_open_ended": True},
            "ends_at",
            "only one",
        ),
        (
            {"ends_at": dt.datetime(2025, 5, 1, tzinfo=UTC), "duration_days": 30},
            "duration_days",
            "only one",
        ),
    ],
)
def test_bad_terms_are_refused_with_a_message_on_the_field_and_nothing_is_saved(
    pause, editor, terms, field, message
):
    with pytest.raises(InvalidTerms) as refused:
        add_reading(pause, actor=editor, reason="x", label="Bad", starts_at=MARCH_25_KYIV, **terms)

    assert any(message in text for text in refused.value.message_dict[field])
    assert not Reading.objects.exists()


def test_each_bad_value_is_reported_once(pause, editor):
    with pytest.raises(InvalidTerms) as refused:
        add_reading(pause, actor=editor, reason="x", label="Bad", duration_days=-1, time_zone="?")

    assert refused.value.message_dict["duration_days"] == ["A duration must be at least one day."]
    assert refused.value.message_dict["time_zone"] == ["“?” is not an IANA time zone name."]


def test_a_reading_cannot_arrive_already_working(pause, editor):
    draft_reading(commitment=pause)

    with pytest.raises(WorkingReadingConflict):
        add_reading(pause, actor=editor, reason="x", label="Second", is_working=True)

    assert Reading.objects.filter(commitment=pause).count() == 1


def test_a_reading_cannot_arrive_already_published(pause, editor):
    with pytest.raises(PublishingRefused):
        add_reading(pause, actor=editor, reason="x", label="Early", is_published=True)


def test_a_reading_keeps_its_sources(pause, editor):
    source = SourceFactory()

    reading = add_reading(pause, actor=editor, reason="x", label="With source", sources=[source])

    assert list(reading.sources.all()) == [source]


def test_a_source_without_a_url_is_refused_and_the_reading_is_not_saved(pause, editor):
    with pytest.raises(InvalidSource, match="Every source needs a URL."):
        add_reading(pause, actor=editor, reason="x", label="x", sources=[Source(url="")])

    assert not Reading.objects.exists()


def test_staff_in_no_role_cannot_add_a_reading(pause, outsider):
    with pytest.raises(NotPermitted):
        add_reading(pause, actor=outsider, reason="x", label="x")


# Editing ----------------------------------------------------------------------------


def test_moving_the_start_recomputes_the_end_from_the_duration(pause, editor):
    reading = add_reading(
        pause, actor=editor, reason="x", label="Kyiv", starts_at=MARCH_18_MOSCOW,
        duration_days=30, time_zone="Europe/Kyiv",
    )  # fmt: skip

    update_reading(
        reading, actor=editor, reason="Counted from publication", starts_at=MARCH_25_KYIV
    )

    assert Reading.objects.get(pk=reading.pk).ends_at == dt.datetime(2025, 4, 23, 21, tzinfo=UTC)


def test_giving_an_explicit_end_replaces_the_duration(pause, editor):
    reading = add_reading(
        pause, actor=editor, reason="x", label="Kyiv", starts_at=MARCH_25_KYIV, duration_days=30,
        time_zone="Europe/Kyiv",
    )  # fmt: skip
    new_end = dt.datetime(2025, 5, 10, 21, tzinfo=UTC)

    update_reading(reading, actor=editor, reason="Until midnight of 10–11 May", ends_at=new_end)

    stored = Reading.objects.get(pk=reading.pk)
    assert stored.ends_at == new_end
    assert stored.duration_days is None


def test_a_bad_edit_is_refused_and_the_stored_reading_is_unchanged(pause, editor):
    reading = draft_reading(commitment=pause)

    with pytest.raises(InvalidTerms):
        update_reading(reading, actor=editor, reason="x", ends_at=MARCH_18_MOSCOW)

    assert Reading.objects.get(pk=reading.pk).ends_at == dt.datetime(2025, 4, 17, tzinfo=UTC)


@pytest.mark.parametrize(
    ("change", "error"),
    [({"is_working": False}, WorkingReadingConflict), ({"is_published": False}, PublishingRefused)],
)
def test_working_and_published_flags_are_not_edited_as_terms(pause, editor, change, error):
    reading = draft_reading(commitment=pause)

    with pytest.raises(error):
        update_reading(reading, actor=editor, reason="x", **change)

    stored = Reading.objects.get(pk=reading.pk)
    assert stored.is_working and not stored.is_published


def test_an_edit_on_a_stale_copy_does_not_undo_a_switch_of_the_working_reading(pause, editor):
    first = draft_reading(commitment=pause, label="First")
    stale_copy = Reading.objects.get(pk=first.pk)
    second = draft_reading(commitment=pause, label="Second", is_working=False)
    make_working(second, actor=editor, reason="Better sourced")

    update_reading(stale_copy, actor=editor, reason="Fix the wording", wording="thirty days")

    assert working_readings(pause) == [second]
    assert Reading.objects.get(pk=first.pk).wording == "thirty days"


# Choosing the working reading -----------------------------------------------------


def test_make_working_switches_the_working_reading(pause, editor):
    first = draft_reading(commitment=pause)
    second = draft_reading(commitment=pause, is_working=False)

    make_working(second, actor=editor, reason="Ukraine's count is the one both now use")

    assert working_readings(pause) == [second]
    assert second.is_working
    # The new working reading is a draft: its reason stays out of the old one's history.
    assert Reading.objects.get(pk=first.pk).history.first().history_change_reason == (
        "No longer the working reading."
    )


def test_the_old_working_reading_quotes_why_when_the_new_one_is_public(reviewer):
    commitment = CommitmentFactory(shape="window", status="in_force")
    first = ReadingFactory(commitment=commitment)
    second = ReadingFactory(commitment=commitment, is_working=False)

    make_working(second, actor=reviewer, reason="Ukraine's count is the one both now use")

    assert working_readings(commitment) == [second]
    assert Reading.objects.get(pk=first.pk).history.first().history_change_reason == (
        "No longer the working reading: Ukraine's count is the one both now use"
    )


def test_a_draft_made_working_is_not_quoted_in_the_old_readings_history(pause, editor):
    published = ReadingFactory(commitment=pause)
    draft = ReadingFactory(commitment=pause, is_working=False, is_published=False)

    make_working(draft, actor=editor, reason="Leaked memo says the pause ends early")

    reason = Reading.objects.get(pk=published.pk).history.first().history_change_reason
    assert reason == "No longer the working reading."


def test_making_the_working_reading_working_again_changes_nothing(pause, editor):
    reading = draft_reading(commitment=pause)

    make_working(reading, actor=editor, reason="again")

    assert working_readings(pause) == [reading]
    assert reading.history.count() == 1


def test_staff_in_no_role_cannot_choose_the_working_reading(pause, outsider):
    draft_reading(commitment=pause)
    other = draft_reading(commitment=pause, is_working=False)

    with pytest.raises(NotPermitted):
        make_working(other, actor=outsider, reason="x")


# Extending --------------------------------------------------------------------------


def test_extending_by_days_counts_on_the_wall_clock_of_the_readings_zone(pause, reviewer):
    reading = draft_reading(
        commitment=pause,
        starts_at=dt.datetime(2025, 3, 1, 22, tzinfo=UTC),
        ends_at=dt.datetime(2025, 3, 20, 22, tzinfo=UTC),  # 21 March 00:00 in Kyiv (UTC+2)
        time_zone="Europe/Kyiv",
    )

    extend_window(pause, actor=reviewer, reason="Extended by mutual agreement", extra_days=30)

    reading.refresh_from_db()
    assert reading.ends_at == dt.datetime(2025, 4, 19, 21, tzinfo=UTC)  # 20 April 00:00 (UTC+3)
    assert reading.history.first().history_change_reason == (
        "Extended: Extended by mutual agreement"
    )


def test_an_extended_window_keeps_its_new_end_when_its_start_is_corrected(pause, editor):
    reading = add_reading(
        pause, actor=editor, reason="x", label="Kyiv", starts_at=MARCH_25_KYIV, duration_days=30,
        time_zone="Europe/Kyiv", working=True,
    )  # fmt: skip
    extend_window(pause, actor=editor, reason="Extended", extra_days=10)
    extended_end = Reading.objects.get(pk=reading.pk).ends_at

    update_reading(
        Reading.objects.get(pk=reading.pk),
        actor=editor,
        reason="Counted from the Kremlin's date",
        starts_at=MARCH_18_MOSCOW,
    )

    stored = Reading.objects.get(pk=reading.pk)
    assert extended_end == dt.datetime(2025, 5, 3, 21, tzinfo=UTC)
    assert (stored.ends_at, stored.duration_days) == (extended_end, None)


def test_extending_to_a_new_end(pause, editor):
    reading = draft_reading(commitment=pause)
    new_end = dt.datetime(2025, 5, 17, tzinfo=UTC)

    extend_window(pause, actor=editor, reason="Extended", new_end=new_end)

    assert Reading.objects.get(pk=reading.pk).ends_at == new_end


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ({"new_end": dt.datetime(2025, 4, 1, tzinfo=UTC)}, "must move the end later"),
        ({"new_end": dt.datetime(2025, 4, 17, tzinfo=UTC)}, "must move the end later"),
        ({"extra_days": 0}, "at least one day"),
        ({"extra_days": -3}, "at least one day"),
        ({}, "Give either a new end or a number of days"),
        ({"extra_days": 3, "new_end": dt.datetime(2025, 5, 1, tzinfo=UTC)}, "Give either"),
        ({"new_end": dt.datetime(2025, 5, 1)}, "time zone"),
    ],
)
def test_a_bad_extension_is_refused_and_the_end_stays(pause, editor, terms, message):
    reading = draft_reading(commitment=pause)

    with pytest.raises(InvalidTerms, match=message):
        extend_window(pause, actor=editor, reason="x", **terms)

    assert Reading.objects.get(pk=reading.pk).ends_at == dt.datetime(2025, 4, 17, tzinfo=UTC)


def test_an_extension_beyond_the_calendar_is_refused_in_words(pause, editor):
    draft_reading(commitment=pause)

    with pytest.raises(InvalidTerms, match="longer than a hundred years"):
        extend_window(pause, actor=editor, reason="x", extra_days=10**12)


def test_an_ended_window_is_renewed_by_a_new_commitment_not_extended(db, editor):
    expired = CommitmentFactory(shape="window", status="expired")
    draft_reading(commitment=expired)

    with pytest.raises(TransitionNotAllowed, match="a new commitment that renews this one"):
        extend_window(expired, actor=editor, reason="x", extra_days=30)


def test_only_a_window_can_be_extended(db, editor):
    exchange = CommitmentFactory(shape="deliverable")
    draft_reading(commitment=exchange)

    with pytest.raises(InvalidTerms, match="Only a window"):
        extend_window(exchange, actor=editor, reason="x", extra_days=3)


def test_an_open_ended_window_has_no_end_to_move(pause, editor):
    draft_reading(commitment=pause, ends_at=None, is_open_ended=True)

    with pytest.raises(InvalidTerms, match="open-ended"):
        extend_window(pause, actor=editor, reason="x", extra_days=3)


def test_a_window_without_a_working_reading_cannot_be_extended(pause, editor):
    draft_reading(commitment=pause, is_working=False)

    with pytest.raises(InvalidTerms, match="no working reading"):
        extend_window(pause, actor=editor, reason="x", extra_days=3)


@pytest.mark.parametrize("term", ["starts_at", "due_at"])
def test_a_term_before_1900_is_refused_as_a_typing_slip(pause, editor, term):
    with pytest.raises(InvalidTerms) as refusal:
        add_reading(
            pause, actor=editor, reason="Kremlin", label="Kremlin", time_zone="Europe/Moscow",
            **{term: dt.datetime(50, 3, 18, tzinfo=UTC)},
        )  # fmt: skip

    assert refusal.value.message_dict[term] == [
        "A date before 1900 cannot be meant here; check the year."
    ]
    assert not Reading.objects.exists()
