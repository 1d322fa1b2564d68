import datetime as dt

import pytest

from tracker.alerts import rules

UTC = dt.UTC
END = dt.datetime(2025, 4, 17, tzinfo=UTC)
DAY, HOUR, MINUTE = dt.timedelta(days=1), dt.timedelta(hours=1), dt.timedelta(minutes=1)
DEFAULT = [7 * DAY, 72 * HOUR, 24 * HOUR]


def test_default_lead_times_are_seven_days_three_days_and_one_day():
    assert rules.parse_lead_times(rules.DEFAULT_LEAD_TIMES) == DEFAULT


def test_lead_times_are_read_in_any_order_and_case_without_repeats():
    assert rules.parse_lead_times(" 30M, 2h,2H , 1d") == [DAY, 2 * HOUR, 30 * MINUTE]


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "at least one"),
        (" , ", "at least one"),
        ("soon", "“soon” is not a lead time"),
        ("7 days", "“7 days” is not a lead time"),
        ("-1d", "is not a lead time"),
        ("1m", "too short"),
        ("31d", "too long"),
    ],
)
def test_bad_lead_times_are_refused_with_a_message_that_says_what_to_write(text, message):
    with pytest.raises(rules.InvalidLeadTimes, match=message):
        rules.parse_lead_times(text)


@pytest.mark.parametrize(
    "lead, text", [(7 * DAY, "7d"), (72 * HOUR, "3d"), (36 * HOUR, "36h"), (90 * MINUTE, "90m")]
)
def test_a_lead_time_is_written_in_its_largest_whole_unit(lead, text):
    assert rules.format_lead_time(lead) == text
    assert rules.parse_lead_times(text) == [lead]


def test_nothing_is_due_before_the_longest_lead_time():
    assert rules.due_warnings(END, DEFAULT, END - 7 * DAY - MINUTE) == []


def test_the_seven_day_warning_is_due_at_its_moment_and_on_time():
    [warning] = rules.due_warnings(END, DEFAULT, END - 7 * DAY)
    assert warning == rules.Warning(lead_time=7 * DAY, due_at=END - 7 * DAY, is_late=False)


def test_a_warning_found_within_the_grace_period_is_not_late():
    [warning] = rules.due_warnings(END, [DAY], END - DAY + 15 * MINUTE)
    assert not warning.is_late


def test_a_warning_found_after_the_grace_period_is_late():
    [warning] = rules.due_warnings(END, [DAY], END - DAY + 16 * MINUTE)
    assert warning.is_late


def test_when_several_warnings_are_due_at_once_the_tightest_overtakes_the_others():
    warnings = rules.due_warnings(END, DEFAULT, END - 2 * HOUR)
    assert [(w.lead_time, w.overtaken_by, w.is_late) for w in warnings] == [
        (7 * DAY, 24 * HOUR, True),
        (72 * HOUR, 24 * HOUR, True),
        (24 * HOUR, None, True),
    ]


def test_a_warning_is_not_late_for_a_subscriber_who_arrived_after_its_moment():
    arrived = END - 30 * HOUR
    [seven_days, three_days] = rules.due_warnings(END, DEFAULT, arrived, since=arrived)
    assert three_days.overtaken_by is None
    assert not three_days.is_late
    assert seven_days.overtaken_by == 72 * HOUR


def test_no_warning_is_due_once_the_deadline_has_passed():
    assert rules.due_warnings(END, DEFAULT, END) == []


def test_retries_wait_twice_as_long_each_time_up_to_a_ceiling():
    delays = [rules.retry_delay(n, first=MINUTE, longest=HOUR) for n in range(1, 9)]
    assert delays == [
        MINUTE,
        2 * MINUTE,
        4 * MINUTE,
        8 * MINUTE,
        16 * MINUTE,
        32 * MINUTE,
        HOUR,
        HOUR,
    ]
