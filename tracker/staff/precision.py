"""How exactly staff meant an instant: a time of day says "to the minute".

A source that gives a time ("from 18:00 Moscow time on 19 April") is precise
to the minute; one that names a day is precise to the day, and its instant is
the start of that day. A precision left at "day" beside a typed 18:00 dates
the claim on the wrong day, so the precision follows what was typed unless
staff choose it:

- left to follow the times (the default when adding), it is "minute" when any
  time of day is given and "day" when every time is midnight;
- kept from before (editing), it becomes "minute" only when a time typed now
  is finer than it can say (18:00 against "day", 18:30 against "hour");
- chosen by staff, it stays as chosen.

The admin forms apply this in ``clean`` so it works without JavaScript; a
small script shows the same choice while typing. The staff API applies it to
a claim sent without a precision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django import forms

from tracker.clock import Precision

FOLLOW_TIMES = ""
FOLLOW_TIMES_LABEL = "as typed: minute if a time of day is given, else day"


def is_finer_than(instant: dt.datetime, precision: str) -> bool:
    """Whether the wall-clock time of ``instant`` says more than ``precision`` can."""
    if precision not in Precision.values:
        return False
    time = instant.time()
    if precision == Precision.DAY:
        return time != dt.time()
    if precision == Precision.HOUR:
        return time.replace(hour=0) != dt.time()
    return False


def precision_of(typed: Iterable[dt.datetime]) -> Precision:
    """Day when every time typed is midnight, minute when any time of day is given."""
    has_time_of_day = any(is_finer_than(t, Precision.DAY) for t in typed)
    return Precision.MINUTE if has_time_of_day else Precision.DAY


def settle(
    chosen: str, *, chosen_now: bool, typed: Iterable[dt.datetime], retyped: Iterable[dt.datetime]
) -> str:
    """The precision to keep, by the rule above.

    ``chosen`` is the precision on the form (``FOLLOW_TIMES`` to follow the
    times), ``chosen_now`` whether staff picked it in this change, ``typed``
    every instant given and ``retyped`` those changed in this change, each as
    the wall-clock time it was typed in.
    """
    if chosen == FOLLOW_TIMES:
        return precision_of(typed)
    if not chosen_now and any(is_finer_than(t, chosen) for t in retyped):
        return Precision.MINUTE
    return chosen


class PrecisionSelect(forms.Select):
    """The precision list, which follows the times while typing (``precision.js``)."""

    class Media:
        js = ["tracker/admin/precision.js"]


class PrecisionFollowsTimes:
    """For a record's admin form: its ``precision`` field follows ``precision_times``.

    The times are read as typed, before any conversion to UTC, so a subclass
    converting them does so after this ``clean``.
    """

    precision_times: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("precision")
        if field is None:
            return
        field.choices = [(FOLLOW_TIMES, FOLLOW_TIMES_LABEL), *Precision.choices]
        field.required = False
        if self.instance.pk is None:
            self.initial["precision"] = FOLLOW_TIMES
        inputs = [f"{self[name].auto_id}_1" for name in self.precision_times if name in self.fields]
        field.widget = PrecisionSelect(
            choices=field.choices, attrs={"data-precision-times": " ".join(inputs)}
        )

    def clean(self):
        cleaned_data = super().clean()
        if "precision" not in self.fields or "precision" in self.errors:
            return cleaned_data
        typed = {name: cleaned_data.get(name) for name in self.precision_times}
        typed = {name: value for name, value in typed.items() if value is not None}
        cleaned_data["precision"] = settle(
            cleaned_data.get("precision") or FOLLOW_TIMES,
            chosen_now="precision" in self.changed_data,
            typed=typed.values(),
            retyped=[value for name, value in typed.items() if name in self.changed_data],
        )
        return cleaned_data
