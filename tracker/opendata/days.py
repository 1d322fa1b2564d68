"""Instants in the open data as their sources gave them: the day, the precision and the zone.

The files and the API keep every instant in UTC (``occurred_at``), as they
always did, and give beside it what a reader of the pages sees: the day it
was given as, how exactly it was given, and on which clock. A day-precision
instant is stored as the start of its day on its source's clock, so midnight
of 19 March in Kyiv is ``2025-03-18T21:00Z``; its day is 2025-03-19, by the
rule every page dates it with (``tracker.clock.local_day``), never the UTC
date a spreadsheet would read off the instant.
"""

from __future__ import annotations

import datetime as dt

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tracker import clock
from tracker.clock import Precision
from tracker.opendata.tables import Column


def given_day(
    instant: dt.datetime | None, precision: str | None, own_zone: str | None = None
) -> dt.date | None:
    """The day ``instant`` was given as: its source's day, on the clock of ``own_zone``.

    A day is the day its source named (``clock.source_day``); an hour or a
    minute falls on its date on ``own_zone``'s clock, UTC when the record keeps
    no zone. None for no instant.
    """
    if instant is None:
        return None
    zone = own_zone if own_zone and clock.is_known_zone(own_zone) else "UTC"
    return clock.local_day(instant, precision or Precision.MINUTE, zone, own_zone or None)


def day_column(name: str, instant: str, hxl: str, **where) -> Column:
    """The day the column named ``instant`` was given as, from ``value`` or what it ``reads``."""
    return Column(
        name,
        format_lazy(
            _(
                "The day “{instant}” was given as, on its own clock: for a day-precision "
                "instant, the day its source named, which the UTC time in “{instant}” may "
                "put on the evening before."
            ),
            instant=instant,
        ),
        type="date",
        hxl=hxl,
        **where,
    )


def precision_column(name: str, instant: str, hxl: str, *, required: bool = False, **where):
    return Column(
        name,
        format_lazy(_("How exactly “{instant}” was given: day, hour or minute."), instant=instant),
        hxl=hxl,
        required=required,
        enum=lambda: list(Precision.values),
        **where,
    )


def zone_column(name: str, instant: str, hxl: str, *, required: bool = False, **where):
    return Column(
        name,
        format_lazy(
            _("IANA time zone “{instant}” was given in, e.g. Europe/Kyiv."), instant=instant
        ),
        hxl=hxl,
        required=required,
        **where,
    )
