"""Time rules: windows are computed on the wall clock of the zone their wording meant."""

import datetime as dt

import pytest
from django.utils import translation
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tracker import clock
from tracker.clock import InvalidTimeZone, Precision, WindowState

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 1, 12, tzinfo=UTC)
KYIV = "Europe/Kyiv"
MOSCOW = "Europe/Moscow"


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# The real terms ---------------------------------------------------------------


def test_thirty_days_from_18_march_moscow_time_ends_at_moscow_midnight_of_17_april():
    start = clock.local_to_utc(dt.date(2025, 3, 18), MOSCOW, Precision.DAY)

    end = clock.window_end(start, duration_days=30, tz_name=MOSCOW)

    assert start == utc(2025, 3, 17, 21)
    assert end == utc(2025, 4, 16, 21)
    assert clock.utc_to_local(end, MOSCOW).replace(tzinfo=None) == dt.datetime(2025, 4, 17)


def test_thirty_days_from_25_march_kyiv_time_crosses_the_dst_change_and_ends_at_kyiv_midnight():
    start = clock.local_to_utc(dt.date(2025, 3, 25), KYIV, Precision.DAY)

    end = clock.window_end(start, duration_days=30, tz_name=KYIV)

    assert start == utc(2025, 3, 24, 22)  # UTC+2 before 30 March
    assert end == utc(2025, 4, 23, 21)  # UTC+3 after it
    assert end != start + dt.timedelta(days=30)  # counting in UTC would be an hour late
    assert clock.utc_to_local(end, KYIV).replace(tzinfo=None) == dt.datetime(2025, 4, 24)


def test_until_midnight_of_10_to_11_may_kyiv_time_is_the_start_of_11_may_in_kyiv():
    start = clock.local_to_utc(dt.date(2025, 5, 8), KYIV, Precision.DAY)
    end = clock.end_of_day(dt.date(2025, 5, 10), KYIV)

    assert end == utc(2025, 5, 10, 21)
    assert clock.window_end(start, end=end, tz_name=KYIV) == end
    assert clock.window_state(start, end, utc(2025, 5, 10, 20, 59)) is WindowState.RUNNING
    assert clock.window_state(start, end, utc(2025, 5, 10, 21)) is WindowState.ENDED


# Wall times that a daylight-saving change skips or repeats --------------------


def test_a_wall_time_skipped_by_spring_forward_moves_forward_by_the_gap():
    skipped = dt.datetime(2025, 3, 30, 3, 30)  # Kyiv jumped from 03:00 to 04:00

    instant = clock.local_to_utc(skipped, KYIV)

    assert not clock.wall_clock_exists(skipped, KYIV)
    assert instant == utc(2025, 3, 30, 1, 30)
    assert clock.utc_to_local(instant, KYIV).replace(tzinfo=None) == dt.datetime(2025, 3, 30, 4, 30)


def test_a_wall_time_repeated_in_autumn_means_its_first_occurrence():
    repeated = dt.datetime(2025, 10, 26, 3, 30)  # Kyiv went from 04:00 back to 03:00

    assert clock.wall_clock_is_ambiguous(repeated, KYIV)
    assert clock.local_to_utc(repeated, KYIV) == utc(2025, 10, 26, 0, 30)


def test_an_ordinary_wall_time_is_neither_skipped_nor_repeated():
    ordinary = dt.datetime(2025, 3, 18, 12)

    assert clock.wall_clock_exists(ordinary, KYIV)
    assert not clock.wall_clock_is_ambiguous(ordinary, KYIV)


def test_a_day_whose_midnight_is_skipped_starts_at_the_first_real_instant():
    # Cuba moves its clocks from 00:00 to 01:00.
    assert clock.local_to_utc(dt.date(2025, 3, 9), "America/Havana", "day") == utc(2025, 3, 9, 5)


def test_adding_days_across_the_autumn_change_keeps_the_wall_clock_time():
    start = clock.local_to_utc(dt.datetime(2025, 10, 20, 9), KYIV)

    end = clock.add_days(start, 10, KYIV)

    assert clock.utc_to_local(end, KYIV).replace(tzinfo=None) == dt.datetime(2025, 10, 30, 9)
    assert end - start == dt.timedelta(days=10, hours=1)


# Precision ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("precision", "expected"),
    [
        (Precision.DAY, dt.datetime(2025, 3, 18)),
        (Precision.HOUR, dt.datetime(2025, 3, 18, 14)),
        (Precision.MINUTE, dt.datetime(2025, 3, 18, 14, 37)),
        ("hour", dt.datetime(2025, 3, 18, 14)),
    ],
)
def test_truncate_drops_what_is_finer_than_the_stated_precision(precision, expected):
    assert clock.truncate(dt.datetime(2025, 3, 18, 14, 37, 12, 500), precision) == expected


def test_a_time_stated_to_the_hour_is_stored_at_the_start_of_that_hour():
    assert clock.local_to_utc(dt.datetime(2025, 3, 18, 14, 37), MOSCOW, "hour") == utc(
        2025, 3, 18, 11
    )


def test_an_unknown_precision_is_refused():
    with pytest.raises(ValueError):
        clock.truncate(dt.datetime(2025, 3, 18), "week")


# Time zones ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Mars/Olympus_Mons", "", " Europe/Kyiv", "Europe/Kyiv/", "../etc/passwd", "/etc/UTC"]
)
def test_a_name_outside_the_iana_database_is_refused_with_a_clear_message(name):
    with pytest.raises(InvalidTimeZone, match="is not an IANA time zone name"):
        clock.zone(name)
    assert not clock.is_known_zone(name)


@pytest.mark.parametrize("name", ["UTC", KYIV, "Europe/Kiev", MOSCOW, "America/New_York"])
def test_iana_names_and_their_aliases_are_known(name):
    assert clock.is_known_zone(name)


def test_an_unknown_zone_is_refused_when_computing_a_window():
    with pytest.raises(InvalidTimeZone):
        clock.window_end(utc(2025, 3, 18), duration_days=30, tz_name="Moscow")


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        clock.window_state(None, None, dt.datetime(2025, 3, 18))
    with pytest.raises(ValueError, match="time zone"):
        clock.window_end(dt.datetime(2025, 3, 18), duration_days=30)


def test_local_to_utc_refuses_an_aware_datetime():
    with pytest.raises(ValueError, match="naive"):
        clock.local_to_utc(utc(2025, 3, 18), KYIV)


# Windows ----------------------------------------------------------------------

START = utc(2025, 3, 18)
END = utc(2025, 4, 17)
TICK = dt.timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("at", "state"),
    [
        (START - TICK, WindowState.NOT_STARTED),
        (START, WindowState.RUNNING),
        (END - TICK, WindowState.RUNNING),
        (END, WindowState.ENDED),
        (END + dt.timedelta(days=400), WindowState.ENDED),
    ],
)
def test_a_window_holds_from_its_start_up_to_but_not_including_its_end(at, state):
    assert clock.window_state(START, END, at) is state


def test_an_open_ended_window_never_ends_by_the_clock():
    assert clock.window_state(START, None, utc(2099, 1, 1)) is WindowState.RUNNING


def test_a_window_without_a_start_has_always_been_running():
    assert clock.window_state(None, END, utc(1990, 1, 1)) is WindowState.RUNNING


def test_an_end_before_the_start_is_refused():
    with pytest.raises(ValueError, match="The end must come after the start."):
        clock.window_end(START, end=START - dt.timedelta(days=1))


def test_an_end_equal_to_the_start_is_refused():
    with pytest.raises(ValueError, match="The end must come after the start."):
        clock.window_end(START, end=START)


@pytest.mark.parametrize("days", [0, -1, -30])
def test_a_duration_of_less_than_one_day_is_refused(days):
    with pytest.raises(ValueError, match="at least one day"):
        clock.window_end(START, duration_days=days)


def test_adding_a_negative_number_of_days_is_refused():
    with pytest.raises(ValueError, match="negative"):
        clock.add_days(START, -1, KYIV)


@pytest.mark.parametrize("days", [100 * 366 + 1, 10**40])
def test_a_duration_beyond_a_hundred_years_is_refused_in_words(days):
    with pytest.raises(ValueError, match="longer than a hundred years"):
        clock.window_end(START, duration_days=days, tz_name=KYIV)


def test_a_duration_needs_a_start_to_count_from():
    with pytest.raises(ValueError, match="needs a start"):
        clock.window_end(None, duration_days=30)


@pytest.mark.parametrize(
    "terms",
    [
        {"end": END, "duration_days": 30},
        {"end": END, "open_ended": True},
        {"duration_days": 30, "open_ended": True},
    ],
)
def test_contradictory_terms_are_refused(terms):
    with pytest.raises(ValueError, match="only one"):
        clock.window_end(START, **terms)


def test_an_open_ended_window_has_no_end():
    assert clock.window_end(START, open_ended=True) is None


# Countdown wording ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "at", "wording"),
    [
        (START, END, START - dt.timedelta(days=2, hours=3), "starts in 2 days 3 h"),
        (START, END, END - dt.timedelta(days=1), "ends in 1 day"),
        (START, END, END - dt.timedelta(hours=5, minutes=12), "ends in 5 h 12 min"),
        (START, END, END - dt.timedelta(hours=3), "ends in 3 h"),
        (START, END, END - dt.timedelta(minutes=9, seconds=30), "ends in 9 min"),
        (START, END, END + dt.timedelta(seconds=40), "ended 40 s ago"),
        (START, END, END, "ended 0 s ago"),
        (START, None, START, "no end date"),
        (START, None, START - dt.timedelta(days=1), "starts in 1 day"),
    ],
)
def test_countdown_says_where_the_window_stands_in_plain_words(start, end, at, wording):
    assert clock.countdown_text(start, end, at) == wording


# Properties --------------------------------------------------------------------

ZONES = st.sampled_from(
    [
        "UTC",
        KYIV,
        MOSCOW,
        "America/New_York",
        "America/Havana",
        "Australia/Lord_Howe",
        "Pacific/Apia",
        "Asia/Kathmandu",
    ]
)
INSTANTS = st.datetimes(
    min_value=dt.datetime(1995, 1, 1), max_value=dt.datetime(2040, 1, 1), timezones=st.just(UTC)
)
WALL_TIMES = st.datetimes(min_value=dt.datetime(1995, 1, 1), max_value=dt.datetime(2040, 1, 1))


@settings(deadline=None)
@given(start=INSTANTS, days=st.integers(min_value=0, max_value=800), tz_name=ZONES)
def test_adding_days_keeps_the_local_wall_clock_time(start, days, tz_name):
    expected = clock.utc_to_local(start, tz_name).replace(tzinfo=None) + dt.timedelta(days=days)
    assume(clock.wall_clock_exists(expected, tz_name))

    end = clock.add_days(start, days, tz_name)

    assert clock.utc_to_local(end, tz_name).replace(tzinfo=None) == expected


@settings(deadline=None)
@given(start=INSTANTS, days=st.integers(min_value=1, max_value=800), tz_name=ZONES)
def test_a_window_with_a_duration_always_ends_after_it_starts(start, days, tz_name):
    end = clock.window_end(start, duration_days=days, tz_name=tz_name)

    assert end > start
    assert clock.window_state(start, end, start) is WindowState.RUNNING
    assert clock.window_state(start, end, end) is WindowState.ENDED


@settings(deadline=None)
@given(
    start=st.none() | INSTANTS,
    length=st.none() | st.timedeltas(dt.timedelta(seconds=1), dt.timedelta(days=9000)),
    first=INSTANTS,
    later_by=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=9000)),
)
def test_window_state_never_goes_back_as_time_moves_on(start, length, first, later_by):
    end = start + length if start is not None and length is not None else None
    order = [WindowState.NOT_STARTED, WindowState.RUNNING, WindowState.ENDED]

    before = clock.window_state(start, end, first)
    after = clock.window_state(start, end, first + later_by)

    assert order.index(before) <= order.index(after)


@settings(deadline=None)
@given(local=WALL_TIMES, tz_name=ZONES)
def test_a_wall_time_that_exists_once_survives_the_round_trip_through_utc(local, tz_name):
    local = local.replace(second=0, microsecond=0)
    assume(clock.wall_clock_exists(local, tz_name))
    assume(not clock.wall_clock_is_ambiguous(local, tz_name))

    instant = clock.local_to_utc(local, tz_name)

    assert clock.utc_to_local(instant, tz_name).replace(tzinfo=None) == local


@settings(deadline=None)
@given(local=WALL_TIMES, tz_name=ZONES)
def test_every_wall_time_maps_to_an_instant_no_earlier_than_its_offset_allows(local, tz_name):
    """Skipped times move forward, never back: the instant shows a wall time at or after it."""
    local = local.replace(second=0, microsecond=0)

    shown = clock.utc_to_local(clock.local_to_utc(local, tz_name), tz_name).replace(tzinfo=None)

    assert shown >= local


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# Countdowns for any shape and status ---------------------------------------------


def test_a_running_window_says_when_it_ends_in_days_and_hours():
    end = NOW + dt.timedelta(days=3, hours=4, minutes=10)
    assert clock.countdown_text(at(2025, 3, 18), end, NOW) == "ends in 3 days 4 h"


def test_an_ended_window_says_how_long_ago():
    end = NOW - dt.timedelta(days=12)
    assert clock.countdown_text(at(2025, 3, 1), end, NOW) == "ended 12 days ago"


def test_an_open_ended_window_has_no_end_date():
    assert clock.countdown_text(at(2025, 3, 18), None, NOW) == "no end date"


def test_a_window_that_has_not_started_counts_down_to_its_start():
    assert clock.countdown_text(NOW + dt.timedelta(hours=5), None, NOW) == "starts in 5 h"


def test_the_last_day_uses_hours_and_minutes_then_minutes_then_seconds():
    assert clock.duration_text(dt.timedelta(hours=5, minutes=12)) == "5 h 12 min"
    assert clock.duration_text(dt.timedelta(minutes=7)) == "7 min"
    assert clock.duration_text(dt.timedelta(seconds=40)) == "40 s"
    assert clock.duration_text(dt.timedelta(days=1)) == "1 day"


def test_the_window_ends_exactly_at_its_end_instant():
    assert clock.countdown_text(at(2025, 3, 18), NOW, NOW) == "ended 0 s ago"


def test_a_deliverable_counts_down_to_its_due_date():
    assert clock.due_text(NOW + dt.timedelta(days=2), NOW) == "due in 2 days"
    assert clock.due_text(NOW - dt.timedelta(days=2), NOW) == "was due 2 days ago"
    assert clock.due_text(None, NOW) == "no due date"
    assert clock.deadline_text("deliverable", None, None, None, NOW) == "no due date"
    assert clock.deadline_text("window", None, None, None, NOW) == "no end date"


def test_a_fulfilled_exchange_says_when_it_was_fulfilled_not_when_it_was_due():
    due = NOW - dt.timedelta(days=13)
    fulfilled_on = NOW - dt.timedelta(days=10)

    text = clock.deadline_text(
        "deliverable", None, None, due, NOW, status="fulfilled", status_changed_at=fulfilled_on
    )

    assert text == "fulfilled 10 days ago"


@pytest.mark.parametrize(
    ("status", "recently", "long_ago"),
    [
        ("fulfilled", "fulfilled 10 days ago", "fulfilled 19 February 2025"),
        ("collapsed", "collapsed 10 days ago", "collapsed 19 February 2025"),
        ("superseded", "superseded 10 days ago", "superseded 19 February 2025"),
        ("expired", "ended 10 days ago", "ended 19 February 2025"),
    ],
)
def test_each_final_status_says_when_it_came_in_its_own_verb(status, recently, long_ago):
    def said(at):
        return clock.deadline_text(
            "deliverable",
            None,
            None,
            None,
            NOW,
            status=status,
            status_changed_at=at,
            status_precision="day",
            status_zone="UTC",
        )

    assert said(NOW - dt.timedelta(days=10)) == recently
    assert said(dt.datetime(2025, 2, 19, 12, tzinfo=UTC)) == long_ago


def test_a_live_deliverable_still_counts_down():
    due = NOW + dt.timedelta(days=2)

    text = clock.deadline_text(
        "deliverable", None, None, due, NOW, status="in_force", status_changed_at=NOW
    )

    assert text == "due in 2 days"


# Dates as the source meant them ----------------------------------------------------


def test_a_day_precision_midnight_in_kyiv_is_dated_on_its_own_day():
    kyiv_midnight = at(2025, 5, 22, 21)
    assert clock.calendar_day(kyiv_midnight, "day") == dt.date(2025, 5, 23)
    assert clock.calendar_day(kyiv_midnight, "minute") == dt.date(2025, 5, 22)


@pytest.mark.parametrize("offset_hours", [-11, -4, 0, 2, 3, 11])
def test_day_precision_keeps_the_local_date_for_any_zone_within_twelve_hours(offset_hours):
    local_midnight = at(2025, 3, 19) - dt.timedelta(hours=offset_hours)
    assert clock.calendar_day(local_midnight, "day") == dt.date(2025, 3, 19)


def test_a_commitment_with_no_published_terms_has_no_dates_yet():
    assert clock.deadline_text("window", None, None, None, NOW, has_terms=False) == (
        "dates not yet published"
    )
    assert (
        clock.deadline_text(
            "window",
            None,
            None,
            None,
            NOW,
            status="expired",
            status_changed_at=NOW,
            has_terms=False,
        )
        == "ended 0 s ago"
    )


def test_the_countdown_is_said_in_the_readers_language():
    end = NOW + dt.timedelta(days=3, hours=4)
    with translation.override("uk"):
        assert clock.countdown_text(at(2025, 3, 18), end, NOW) == "завершення через 3 дні 4 год"


# Instants said no more precisely than their source gave them ------------------------


def test_a_day_is_said_as_that_day_in_its_own_zone_not_the_evening_before_in_utc():
    until_1_february_moscow = clock.local_to_utc(dt.date(2026, 2, 1), MOSCOW, Precision.DAY)

    for reader in ("UTC", KYIV, MOSCOW, "America/New_York", "Asia/Tokyo"):
        text = clock.instant_text(until_1_february_moscow, "day", reader, own_zone=MOSCOW)
        assert text == "1 February 2026"
    assert until_1_february_moscow == utc(2026, 1, 31, 21)


def test_a_day_given_in_kyiv_is_not_moved_by_the_half_day_rule_of_claims():
    # 00:00 on 19 March in Kyiv is 22:00 on the 18th in UTC; dated by its own clock.
    kyiv_midnight_of_19_march = utc(2025, 3, 18, 22)

    assert clock.instant_text(kyiv_midnight_of_19_march, "day", own_zone=KYIV) == "19 March 2025"
    assert clock.source_day(kyiv_midnight_of_19_march, KYIV) == dt.date(2025, 3, 19)


def test_a_day_without_a_zone_of_its_own_is_the_day_its_source_named():
    kyiv_midnight_of_23_may = utc(2025, 5, 22, 21)

    assert clock.instant_text(kyiv_midnight_of_23_may, "day", MOSCOW) == "23 May 2025"


def test_a_plain_date_is_that_date():
    assert clock.instant_text(dt.date(2025, 3, 18), "minute", KYIV) == "18 March 2025"


def test_an_hour_is_said_as_an_hour_and_a_minute_as_a_minute_on_the_readers_clock():
    instant = utc(2025, 3, 18, 21, 37)

    assert clock.instant_text(instant, "hour", KYIV) == "18 March 2025, 23:00 Kyiv time"
    assert clock.instant_text(instant, "minute", KYIV) == "18 March 2025, 23:37 Kyiv time"
    assert clock.instant_text(instant, "minute", "UTC") == "18 March 2025, 21:37 UTC"
    assert clock.instant_text(None) == "—"


def test_a_minute_ignores_the_zone_its_source_meant_and_names_the_readers_clock():
    instant = utc(2025, 3, 18, 21, 37)

    text = clock.instant_text(instant, "minute", "UTC", own_zone=MOSCOW)

    assert text == "18 March 2025, 21:37 UTC"


def test_the_readers_clock_follows_kyivs_change_to_summer_time_on_30_march_2025():
    before = utc(2025, 3, 30, 0, 59)  # 02:59 in Kyiv, UTC+2
    after = utc(2025, 3, 30, 1, 0)  # 04:00 in Kyiv, UTC+3: 03:00 never came

    assert clock.instant_text(before, "minute", KYIV) == "30 March 2025, 02:59 Kyiv time"
    assert clock.instant_text(after, "minute", KYIV) == "30 March 2025, 04:00 Kyiv time"


def test_a_zone_with_no_name_of_ours_is_called_by_its_city_and_its_clock_by_its_name():
    assert clock.zone_label("America/Los_Angeles") == "Los Angeles"
    assert clock.zone_label(KYIV) == "Kyiv"
    assert clock.zone_time("America/Los_Angeles") == "America/Los_Angeles time"


@pytest.mark.parametrize(
    ("language", "day", "minute_in_kyiv", "minute_in_utc"),
    [
        ("en", "1 February 2026", "18 March 2025, 23:37 Kyiv time", "18 March 2025, 21:37 UTC"),
        (
            "uk",
            "1 лютого 2026",
            "18 березня 2025, 23:37 за київським часом",
            "18 березня 2025, 21:37 за UTC",
        ),
        (
            "ru",
            "1 февраля 2026",
            "18 марта 2025, 23:37 по киевскому времени",
            "18 марта 2025, 21:37 по UTC",
        ),
    ],
)
def test_instants_read_naturally_in_every_language(language, day, minute_in_kyiv, minute_in_utc):
    minute = utc(2025, 3, 18, 21, 37)
    with translation.override(language):
        assert clock.instant_text(utc(2026, 1, 31, 21), "day", own_zone=MOSCOW) == day
        assert clock.instant_text(minute, "minute", KYIV) == minute_in_kyiv
        assert clock.instant_text(minute, "minute", "UTC") == minute_in_utc


@pytest.mark.parametrize(
    ("language", "kyiv", "moscow_precision"),
    [
        ("en", "Kyiv", "to the day, Moscow time"),
        ("uk", "Київ", "з точністю до дня, за московським часом"),
        ("ru", "Киев", "с точностью до дня, по московскому времени"),
    ],
)
def test_zones_and_precisions_are_words_in_the_readers_language(language, kyiv, moscow_precision):
    with translation.override(language):
        assert clock.zone_label(KYIV) == kyiv
        assert clock.precision_text("day", MOSCOW) == moscow_precision


def test_machine_times_are_valid_html_a_day_its_date_a_minute_utc_without_fractions():
    kyiv_midnight_of_19_march = utc(2025, 3, 18, 22)
    sub_second = dt.datetime(2025, 3, 18, 21, 37, 5, 123456, tzinfo=UTC)

    assert clock.machine_time(kyiv_midnight_of_19_march, "day", own_zone=KYIV) == "2025-03-19"
    assert clock.machine_time(utc(2025, 3, 18, 21, 37), "minute") == "2025-03-18T21:37Z"
    assert clock.machine_time(sub_second, "minute") == "2025-03-18T21:37:05Z"
    assert clock.machine_time(dt.date(2025, 3, 18)) == "2025-03-18"
    assert clock.machine_time(None) == ""


# Countdowns turn into dates when they are far ---------------------------------------


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        (NOW - clock.DATES_BEYOND, "ended 30 days ago"),
        (NOW - clock.DATES_BEYOND - dt.timedelta(minutes=1), "ended 2 March 2025"),
        (NOW + clock.DATES_BEYOND, "ends in 30 days"),
        (NOW + clock.DATES_BEYOND + dt.timedelta(minutes=1), "ends 1 May 2025"),
    ],
)
def test_a_countdown_further_than_the_threshold_either_way_becomes_a_date(end, expected):
    assert clock.countdown_text(utc(2025, 1, 1), end, NOW) == expected


def test_a_long_past_end_is_dated_on_the_readers_clock():
    ended = utc(2025, 4, 16, 21, 30)
    now = utc(2026, 12, 2, 6)

    assert clock.countdown_text(None, ended, now) == "ended 16 April 2025"
    assert clock.countdown_text(None, ended, now, tz_name=KYIV) == "ended 17 April 2025"


def test_a_long_past_end_given_to_the_day_is_the_day_its_wording_named():
    kremlin_end = utc(2025, 4, 16, 21)  # midnight starting 17 April in Moscow

    text = clock.countdown_text(None, kremlin_end, utc(2026, 12, 2), precision="day")

    assert text == "ended 17 April 2025"


def test_far_starts_and_deadlines_are_dates_too():
    now = utc(2025, 1, 1)
    june = utc(2025, 6, 1, 12)

    assert clock.countdown_text(june, None, now) == "starts 1 June 2025"
    assert clock.due_text(june, now) == "due 1 June 2025"
    assert clock.due_text(now, june) == "was due 1 January 2025"


def test_a_commitment_expired_by_the_clock_ended_on_its_deadlines_day():
    end = utc(2025, 4, 16, 21)

    text = clock.deadline_text(
        "window",
        utc(2025, 3, 17, 21),
        end,
        None,
        utc(2026, 12, 2),
        status="expired",
        status_changed_at=end,
        precision="day",
    )

    assert text == "ended 17 April 2025"


# What an announced commitment says ---------------------------------------------------


def test_an_announced_commitment_whose_window_passed_never_came_into_force():
    text = clock.deadline_text(
        "window",
        utc(2025, 3, 17, 21),
        utc(2025, 4, 16, 21),
        None,
        utc(2026, 11, 28),
        status="announced",
        precision="day",
    )

    assert text == "never in force; its period ended 17 April 2025"
    assert "ago" not in text


def test_an_announced_commitment_inside_its_window_is_not_in_force_yet():
    text = clock.deadline_text(
        "window", utc(2025, 3, 18), NOW + dt.timedelta(days=3), None, NOW, status="announced"
    )

    assert text == "not in force yet; its period ends in 3 days"


def test_an_announced_act_past_its_due_date_never_came_into_force():
    text = clock.deadline_text(
        "deliverable", None, None, NOW - dt.timedelta(days=2), NOW, status="announced"
    )

    assert text == "never in force; was due 2 days ago"


def test_an_announced_window_still_to_come_simply_counts_down():
    start = NOW + dt.timedelta(days=2)

    text = clock.deadline_text(
        "window", start, start + dt.timedelta(days=30), None, NOW, status="announced"
    )

    assert text == "starts in 2 days"


# Zone names readers type ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "name"),
    [("Europe/Kyiv", KYIV), ("europe/kyiv", KYIV), (" Europe/Moscow ", MOSCOW), ("utc", "UTC")],
)
def test_a_zone_name_is_read_whatever_its_case(typed, name):
    assert clock.canonical_zone_name(typed) == name


@pytest.mark.parametrize(
    "typed",
    ["Mars/Olympus_Mons", "Moscow", "../etc/passwd", "Europe/Kyiv\x00", "x" * 5000, "💥", ""],
)
def test_anything_else_is_not_a_zone(typed):
    with pytest.raises(InvalidTimeZone):
        clock.canonical_zone_name(typed)
