"""What every record's text and time zone must be, checked by the models and the services.

The words of each refusal live here once, so every door (the admin's forms,
the import, the staff API) refuses the same bad value with the same words.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

from tracker import clock

LINE_BREAKS_AND_TABS = frozenset("\n\r\t")

# The words every door refuses with ------------------------------------------------------

REQUIRED = "This field is required."  # Django's words, which its forms say too
REASON_NEEDED = "Say why: every change needs a reason."
CONTROL_CHARACTERS = (
    "Remove the control characters (such as NUL bytes or escape codes) from this text."
)


def no_such(kind: str, name) -> str:
    """A named record that does not exist: "There is no party “kremlin”."."""
    return f"There is no {kind} “{name}”."


def refuse_control_characters_in(text: str, *, multiline: bool) -> None:
    if isinstance(text, str) and has_control_characters(text, multiline=multiline):
        raise ValidationError(CONTROL_CHARACTERS, code="control_characters")


# Unicode's category Cc is these 65 code points, in every version (its stability policy):
# one search of a pattern, not a look-up per character (imports check every text).
ANY_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f]")
ANY_CONTROL_CHARACTER_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_characters(text: str, *, multiline: bool) -> bool:
    """Whether ``text`` holds a NUL byte or another control character (Unicode category Cc).

    Long texts may break lines and indent with tabs; one-line texts may not.
    """
    pattern = ANY_CONTROL_CHARACTER_BUT_LINES if multiline else ANY_CONTROL_CHARACTER
    return pattern.search(text) is not None


def validate_time_zone(value: str) -> None:
    try:
        clock.zone(value)
    except clock.InvalidTimeZone as exc:
        raise ValidationError(str(exc), code="invalid_time_zone") from exc


# The earliest instant a record here can mean: "0050-03-20" is 2025 mistyped.
EARLIEST_INSTANT = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
BEFORE_1900 = "A date before 1900 cannot be meant here; check the year."
EVENT_IN_THE_FUTURE = "An event cannot be dated in the future; record it once it has happened."
RECORDED_IN_THE_FUTURE = (
    "A claim cannot be recorded in the future; give the time it was reported, or leave it as now."
)


def validate_reported_instant(
    value: dt.datetime | None, *, in_the_future: str = EVENT_IN_THE_FUTURE
) -> None:
    """Refuse an instant no monitor can mean for something that happened or was reported.

    The one rule for when an event happened (``occurred_at``,
    ``occurred_until``) and when it was recorded (``recorded_at``): from 1900
    to now, give or take the clocks' disagreement (``clock.CLOCK_SKEW``).
    The model's validation calls it, so the admin, the import and the write
    API refuse the same values with the same words.
    """
    if value is None:
        return
    if value < EARLIEST_INSTANT:
        raise ValidationError(BEFORE_1900, code="before_1900")
    if value > timezone.now() + clock.CLOCK_SKEW:
        raise ValidationError(in_the_future, code="in_the_future")


def validate_term_instant(value: dt.datetime | None) -> None:
    """Refuse a term's start, end or due date before 1900; terms may well lie ahead."""
    if value is not None and value < EARLIEST_INSTANT:
        raise ValidationError(BEFORE_1900, code="before_1900")
