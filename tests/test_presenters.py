"""What the pages compute before drawing: strips, the timeline, zones, totals."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import translation

from tracker.site.presenters import (
    deliveries_with_totals,
    in_zones,
    pack,
    status_since,
    tallies_in_all,
    violation_tallies,
)
from tracker.site.strips import (
    STRIP_MAX_DAYS,
    Severity,
    daily_strip,
    severity_by_day,
    severity_of,
)
from tracker.site.timelines import (
    AXIS_MOST_MARKS,
    ReadingSpan,
    axis_marks,
    timeline,
)

UTC = dt.UTC
NOW = dt.datetime(2025, 4, 1, 12, tzinfo=UTC)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# Severity of reports -------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "verification", "expected"),
    [
        ("alleged_violation", "unverified", Severity.ALLEGED),
        ("alleged_violation", "disputed", Severity.ALLEGED),
        ("alleged_violation", "verified", Severity.VERIFIED),
        ("confirmed_violation", "corroborated", Severity.ALLEGED),
        ("alleged_violation", "refuted", Severity.NONE),
        ("alleged_violation", "retracted", Severity.NONE),
        ("statement", "verified", Severity.NONE),
        ("delivery", "unverified", Severity.NONE),
    ],
)
def test_only_standing_violation_claims_mark_a_day(kind, verification, expected):
    assert severity_of(kind, verification) is expected


def test_the_worst_report_of_a_day_wins_and_period_claims_mark_every_day():
    days = severity_by_day(
        [
            (dt.date(2025, 3, 19), None, "alleged_violation", "unverified"),
            (dt.date(2025, 3, 19), None, "alleged_violation", "verified"),
            (dt.date(2025, 3, 18), dt.date(2025, 3, 20), "alleged_violation", "unverified"),
        ]
    )
    assert days == {
        dt.date(2025, 3, 18): Severity.ALLEGED,
        dt.date(2025, 3, 19): Severity.VERIFIED,
        dt.date(2025, 3, 20): Severity.ALLEGED,
    }


# Daily strip ---------------------------------------------------------------------


def test_the_strip_has_one_cell_per_day_and_a_midnight_end_excludes_that_day():
    strip = daily_strip(at(2025, 3, 18), at(2025, 4, 17), {}, NOW)
    assert len(strip.cells) == 30
    assert strip.first_day == dt.date(2025, 3, 18)
    assert strip.last_day == dt.date(2025, 4, 16)


def test_the_strip_draws_severity_as_height_as_well_as_colour():
    marks = {dt.date(2025, 3, 19): Severity.ALLEGED, dt.date(2025, 3, 20): Severity.VERIFIED}
    strip = daily_strip(at(2025, 3, 18), at(2025, 3, 21), marks, NOW)
    none, alleged, verified = strip.cells
    assert none.height < alleged.height < verified.height
    assert (none.css, alleged.css, verified.css) == ("none", "alleged", "verified")
    assert alleged.title == "19 March 2025: alleged violation"
    assert "1 day with alleged violations, 1 with verified violations" in strip.summary


def test_a_window_worded_in_moscow_days_covers_exactly_those_days():
    kremlin_start, kremlin_end = at(2025, 3, 17, 21), at(2025, 4, 16, 21)
    strip = daily_strip(kremlin_start, kremlin_end, {}, NOW, precision="day")
    assert (strip.first_day, strip.last_day) == (dt.date(2025, 3, 18), dt.date(2025, 4, 16))
    assert len(strip.cells) == 30


def test_a_window_ending_mid_day_includes_that_day():
    strip = daily_strip(at(2025, 3, 18), at(2025, 3, 20, 15), {}, NOW)
    assert strip.last_day == dt.date(2025, 3, 20)


def test_days_after_today_are_still_to_come():
    strip = daily_strip(at(2025, 3, 30), at(2025, 4, 3), {}, NOW)
    assert [c.is_future for c in strip.cells] == [False, False, False, True]
    assert strip.cells[-1].title == "2 April 2025: still to come"


def test_an_open_ended_strip_runs_to_today():
    strip = daily_strip(at(2025, 3, 29), None, {}, NOW)
    assert strip.last_day == dt.date(2025, 4, 1)


def test_a_very_long_window_keeps_its_latest_days():
    strip = daily_strip(at(2024, 1, 1), at(2025, 4, 1), {}, NOW)
    assert len(strip.cells) == STRIP_MAX_DAYS
    assert strip.is_clipped
    assert strip.last_day == dt.date(2025, 3, 31)


def test_a_window_without_a_start_has_no_strip():
    assert daily_strip(None, at(2025, 4, 1), {}, NOW) is None


# Timeline ------------------------------------------------------------------------


def test_readings_are_bars_on_one_axis_with_now_between_them():
    kremlin = ReadingSpan("Kremlin", at(2025, 3, 17, 21), at(2025, 4, 16, 21), is_working=True)
    ukraine = ReadingSpan("Ukraine", at(2025, 3, 24, 22), at(2025, 4, 23, 21))
    drawing = timeline([kremlin, ukraine], [], NOW)
    working, other = drawing.spans
    assert working.x < other.x
    assert working.x + working.width < other.x + other.width
    assert working.y < other.y
    assert working.x < drawing.now.x < working.x + working.width
    assert drawing.now.label == "now"


def test_a_timeline_of_weeks_is_dated_by_day_on_the_readers_clock():
    kremlin = ReadingSpan("Kremlin", at(2025, 3, 17, 21), at(2025, 4, 16, 21), is_working=True)
    ukraine = ReadingSpan("Ukraine", at(2025, 3, 24, 22), at(2025, 4, 23, 21))

    drawing = timeline([kremlin, ukraine], [], NOW, "Europe/Kyiv")

    labels = [mark.label for mark in drawing.marks]
    assert labels == ["17 March", "24 March", "31 March", "7 April", "14 April", "21 April"]
    xs = [mark.x for mark in drawing.marks]
    assert xs == sorted(xs) and xs[0] >= 0 and xs[-1] <= drawing.width


def test_axis_marks_stand_at_midnight_on_the_readers_clock_across_the_dst_change():
    marks = axis_marks(at(2025, 3, 16), at(2025, 4, 26), "Europe/Kyiv")

    instants = dict((label, instant) for instant, label in marks)
    assert instants["17 March"] == at(2025, 3, 16, 22)  # UTC+2
    assert instants["31 March"] == at(2025, 3, 30, 21)  # UTC+3 from 30 March


def test_the_axis_is_said_in_words_for_readers_who_cannot_see_it():
    kremlin = ReadingSpan("Kremlin", at(2025, 3, 17, 21), at(2025, 4, 16, 21), is_working=True)
    ukraine = ReadingSpan("Ukraine", at(2025, 3, 24, 22), at(2025, 4, 23, 21))

    drawing = timeline([kremlin, ukraine], [], NOW, "Europe/Kyiv")

    assert drawing.axis_summary == (
        "The axis runs from 16 March 2025 to 25 April 2025 (Kyiv time), marked at "
        "17 March, 24 March, 31 March, 7 April, 14 April, 21 April."
    )


def test_a_timeline_of_months_is_dated_by_month_with_the_year_where_it_changes():
    reading = ReadingSpan("Long", at(2025, 10, 1), at(2026, 5, 1))

    drawing = timeline([reading], [], NOW)

    assert [mark.label for mark in drawing.marks] == [
        "October 2025",
        "November",
        "December",
        "January 2026",
        "February",
        "March",
        "April",
        "May",
    ]


@pytest.mark.parametrize(
    ("language", "days", "months"),
    [
        ("en", ["17 March", "24 March"], ["October 2025", "November", "December", "January 2026"]),
        (
            "uk",
            ["17 березня", "24 березня"],
            ["Жовтень 2025", "Листопад", "Грудень", "Січень 2026"],
        ),
        ("ru", ["17 марта", "24 марта"], ["Октябрь 2025", "Ноябрь", "Декабрь", "Январь 2026"]),
    ],
)
def test_the_axis_is_labelled_in_the_readers_language(language, days, months):
    weeks = ReadingSpan("Weeks", at(2025, 3, 17, 21), at(2025, 4, 23, 21))
    long = ReadingSpan("Long", at(2025, 10, 1), at(2026, 5, 1))

    with translation.override(language):
        by_day = [mark.label for mark in timeline([weeks], [], NOW, "Europe/Kyiv").marks]
        by_month = [mark.label for mark in timeline([long], [], NOW).marks]

    assert by_day[:2] == days
    assert by_month[:4] == months


def test_a_very_long_timeline_keeps_its_dates_few():
    drawing = timeline([ReadingSpan("Decades", at(2000, 1, 1), at(2030, 1, 1))], [], NOW)

    assert 1 < len(drawing.marks) <= AXIS_MOST_MARKS


@pytest.mark.parametrize(
    ("start", "end", "labels"),
    [
        (at(2000, 1, 1), at(2030, 1, 1), ["1999", "2004", "2009", "2014", "2019", "2024", "2029"]),
        (at(2020, 3, 1), at(2025, 3, 1), ["2020", "2021", "2022", "2023", "2024", "2025"]),
    ],
)  # fmt: skip
def test_a_timeline_of_years_is_marked_at_new_year_with_each_year(start, end, labels):
    """The axis runs a little past the readings at both ends, so 1999 and 2020 are on it."""
    drawing = timeline([ReadingSpan("Years", start, end)], [], at(2025, 3, 15))

    assert [mark.label for mark in drawing.marks] == labels


def test_event_ticks_sit_at_their_time_and_grow_with_severity():
    reading = ReadingSpan("Working", at(2025, 3, 18), at(2025, 4, 17), is_working=True)
    events = [
        (at(2025, 3, 19), Severity.ALLEGED, "claim"),
        (at(2025, 3, 28), Severity.VERIFIED, "verified claim"),
        (at(2025, 4, 5), Severity.NONE, "statement"),
    ]
    drawing = timeline([reading], events, NOW)
    alleged, verified, statement = drawing.ticks
    assert alleged.x < verified.x < statement.x
    assert statement.height < alleged.height < verified.height


def test_a_timeline_seen_long_after_says_now_is_later():
    reading = ReadingSpan("Working", at(2025, 3, 18), at(2025, 4, 17))
    drawing = timeline([reading], [], at(2026, 1, 1))
    assert drawing.now is None
    assert drawing.now_is_later


def test_an_open_ended_reading_runs_to_the_right_edge():
    drawing = timeline([ReadingSpan("Open", at(2025, 3, 18), None)], [], NOW)
    (span,) = drawing.spans
    assert span.open_end
    assert span.x + span.width == pytest.approx(drawing.width)


def test_nothing_dated_means_no_timeline():
    assert timeline([ReadingSpan("Undated", None, None)], [], NOW) is None


# Zones ---------------------------------------------------------------------------


def test_a_minute_is_shown_on_the_readers_clock_then_each_other_zone_once_across_dst():
    parties = ["Europe/Kyiv", "Europe/Moscow", "Europe/Kyiv"]

    before = in_zones(at(2025, 3, 24, 22), "minute", "UTC", "Europe/Kyiv", parties)
    after = in_zones(at(2025, 4, 23, 21), "minute", "Europe/Moscow", "Europe/Kyiv", parties)

    assert before == [
        "24 March 2025, 22:00 UTC",
        "25 March 2025, 00:00 Kyiv time",
        "25 March 2025, 01:00 Moscow time",
    ]
    assert after == ["24 April 2025, 00:00 Moscow time", "24 April 2025, 00:00 Kyiv time"]
    assert in_zones(None, "minute", "UTC", "Europe/Kyiv") == []


def test_a_day_is_shown_once_as_the_day_its_wording_named():
    until_1_february_moscow = at(2026, 1, 31, 21)

    shown = in_zones(until_1_february_moscow, "day", "Europe/Kyiv", "Europe/Moscow", ["UTC"])

    assert shown == ["1 February 2026"]


def test_an_hour_is_shown_as_an_hour():
    assert in_zones(at(2025, 3, 18, 21, 37), "hour", "Europe/Kyiv", "Europe/Kyiv") == [
        "18 March 2025, 23:00 Kyiv time"
    ]


# Status --------------------------------------------------------------------------


@dataclass
class Change:
    effective_at: dt.datetime
    recorded_at: dt.datetime
    pk: int
    precision: str = "minute"
    time_zone: str = "UTC"


def test_since_is_when_the_last_recorded_change_took_effect_not_when_it_was_recorded():
    in_force = Change(at(2025, 3, 18, 9), at(2025, 3, 20), pk=1)
    suspended = Change(at(2025, 3, 25, 14, 30), at(2025, 4, 2), pk=2)

    since = status_since([suspended, in_force], dt.date(2025, 3, 18), "Europe/Kyiv")

    assert since == "25 March 2025, 16:30 Kyiv time"


def test_a_commitment_never_changed_is_announced_since_its_agreement():
    assert status_since([], dt.date(2025, 3, 25)) == "25 March 2025"


def test_an_expiry_at_a_day_precision_end_is_said_as_that_day():
    end = at(2025, 4, 16, 21)  # midnight starting 17 April in Moscow
    expired = Change(end, at(2025, 4, 16, 21, 1), pk=3, precision="day", time_zone="Europe/Moscow")

    since = status_since([expired], dt.date(2025, 3, 18))

    assert since == "17 April 2025"


def test_a_change_given_as_a_day_is_that_day_on_its_own_clock_whatever_the_readers():
    kyiv_midnight_of_19_march = at(2025, 3, 18, 22)
    fulfilled = Change(
        kyiv_midnight_of_19_march, at(2025, 3, 20), pk=4, precision="day", time_zone="Europe/Kyiv"
    )

    for reader in ("UTC", "Europe/Moscow", "America/New_York"):
        assert status_since([fulfilled], dt.date(2025, 3, 18), reader) == "19 March 2025"


# Deliveries ----------------------------------------------------------------------


def test_deliveries_carry_running_totals_by_side_against_the_promise():
    tranches = [
        (at(2025, 5, 24), dt.date(2025, 5, 24), "Second", [("Ukraine", 307, "people")]),
        (at(2025, 5, 23), dt.date(2025, 5, 23), "First", [("Ukraine", 390, "people")]),
        (at(2025, 5, 25), dt.date(2025, 5, 25), "Third", [("Ukraine", 303, "people")]),
    ]
    deliveries, totals = deliveries_with_totals(tranches, promised=1000, promised_unit="people")
    assert [d.summary for d in deliveries] == ["First", "Second", "Third"]
    assert [h.running_total for h in deliveries[1].handovers] == [697]
    assert deliveries[1].handovers[0].share_of_promise == 70
    assert [(t.side, t.running_total, t.share_of_promise) for t in totals] == [
        ("Ukraine", 1000, 100)
    ]
    assert deliveries[2].handovers[0].share_of_promise == 100


def test_without_a_promise_there_is_no_share():
    deliveries, _ = deliveries_with_totals(
        [(NOW, NOW.date(), "Bodies", [("Russia", 78, "bodies")])], None
    )
    assert deliveries[0].handovers[0].share_of_promise is None


def test_a_share_of_the_promise_counts_only_handovers_in_the_promises_unit():
    exchange = [
        (
            NOW,
            NOW.date(),
            "Exchange",
            [("Ukraine", 175, "prisoners of war"), ("Ukraine", 22, "severely wounded prisoners")],
        )
    ]
    deliveries, totals = deliveries_with_totals(
        exchange, promised=175, promised_unit="prisoners of war"
    )
    assert [(h.unit, h.share_of_promise) for h in deliveries[0].handovers] == [
        ("prisoners of war", 100),
        ("severely wounded prisoners", None),
    ]
    assert [(t.unit, t.share_of_promise) for t in totals] == [
        ("prisoners of war", 100),
        ("severely wounded prisoners", None),
    ]


def test_a_promise_that_names_no_unit_is_no_measure_of_any_handover():
    deliveries, totals = deliveries_with_totals(
        [(NOW, NOW.date(), "Exchange", [("Russia", 175, "prisoners of war")])], promised=175
    )
    assert deliveries[0].handovers[0].share_of_promise is None
    assert totals[0].share_of_promise is None


# Tallies -------------------------------------------------------------------------


def test_tallies_name_who_claims_and_against_whom_and_put_verified_violations_first():
    tallies = violation_tallies(
        {
            (1, 2): {"alleged": 6, "verified": 0},
            (2, 1): {"alleged": 1, "verified": 2},
            (None, 2): {"alleged": 1, "verified": 0},
            (1, None): {"alleged": 2, "verified": 0},
            (3, 1): {"alleged": 0, "verified": 0},
        },
        {1: "Russia", 2: "Ukraine"},
    )

    assert [tally.text for tally in tallies] == [
        "Claimed by Ukraine against Russia: 1 alleged, 2 verified",
        "Claimed by Russia against Ukraine: 6 alleged, 0 verified",
        "Claimed by Russia, against no party named: 2 alleged, 0 verified",
        "Claimed by no party named, against Ukraine: 1 alleged, 0 verified",
    ]


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "Claimed by Russia against Ukraine: 6 alleged, 0 verified"),
        ("uk", "Заявник — Russia, звинувачена сторона — Ukraine: заявлених 6, перевірених 0"),
        ("ru", "Заявитель — Russia, обвиняемая сторона — Ukraine: заявленных 6, проверенных 0"),
    ],
)
def test_a_tally_says_who_claims_and_against_whom_in_every_language(language, sentence):
    """Not "Russia: 6 alleged", which reads as six violations by Russia."""
    with translation.override(language):
        (tally,) = violation_tallies(
            {(1, 2): {"alleged": 6, "verified": 0}}, {1: "Russia", 2: "Ukraine"}
        )

        assert tally.text == sentence


def test_one_line_counts_every_sides_claims_where_there_is_no_room_for_each():
    tallies = violation_tallies(
        {(1, 2): {"alleged": 6, "verified": 0}, (2, 1): {"alleged": 1, "verified": 2}},
        {1: "Russia", 2: "Ukraine"},
    )

    assert tallies_in_all(tallies) == "Violation claims by 2 parties: 7 alleged, 2 verified"


def test_a_strip_is_drawn_as_one_stroke_per_run_of_like_days():
    reports = [
        (dt.date(2025, 3, 19), dt.date(2025, 3, 20), "alleged_violation", "unverified"),
        (dt.date(2025, 3, 22), None, "confirmed_violation", "verified"),
    ]
    now = at(2025, 3, 22, 12)
    strip = daily_strip(at(2025, 3, 18), at(2025, 3, 25), severity_by_day(reports), now)

    assert strip.paths == [
        ("none", "M0 18h6M18 18h6"),
        ("alleged", "M6 14h12"),
        ("verified", "M24 10h6"),
        ("future", "M30 18h12"),
    ]
    assert [mark.title for mark in strip.marks] == [
        "19 March 2025 – 20 March 2025: alleged violation",
        "22 March 2025: verified violation",
    ]


def test_a_strips_drawing_does_not_grow_with_the_days_it_covers():
    short = daily_strip(at(2025, 1, 1), at(2025, 1, 11), {}, at(2025, 6, 1))
    long = daily_strip(at(2025, 1, 1), at(2025, 4, 30), {}, at(2025, 6, 1))

    assert len(long.paths) == len(short.paths) == 1
    assert len(long.paths[0][1]) - len(short.paths[0][1]) <= 2


def test_pages_hold_whole_groups_up_to_the_budget():
    groups = [("a", 2), ("b", 2), ("c", 1), ("d", 5), ("e", 1)]

    assert pack(groups, 4) == [["a", "b"], ["c"], ["d"], ["e"]]
    assert pack(groups, 10) == [["a", "b", "c", "d"], ["e"]]
    assert pack([], 10) == []
