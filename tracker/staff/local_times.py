"""One convention for every time a staff form asks for: the wall clock of the record's own zone.

Staff type a time as the source gave it ("07:30 Moscow time"), on the clock of
the zone the record belongs to: a reading's own zone; a claim's place
(its region's zone), else its commitment's working reading's; a status
change's working reading's. The zone is a list right above the times, named
again beside each time with its offset, and can be changed there. Before
saving, the form says which UTC instant each time will be stored as: a
script (``local-times.js``) says it while typing, and without scripts the
"Show in UTC" button shows the form again with it, saving nothing.

Django's own "You are N hours ahead of server time" note is not shown: it
compares the browser's clock with the server's, which says nothing about
the zone a time is typed in (``local-times.js`` removes it, and makes the
"Now" shortcut give the time now in the form's zone).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html

from tracker import clock
from tracker.models.validators import BEFORE_1900, EARLIEST_INSTANT
from tracker.staff import time_zones

PREVIEW = "_show_in_utc"
ZONE_FIELD = "time_zone"


def wall_clock_to_utc(typed: dt.datetime, zone_name: str) -> dt.datetime:
    """Read a time typed on a form as wall-clock time in ``zone_name``.

    Form fields attach the site's zone (UTC) to what was typed; only the wall
    clock is kept. The time is taken to the minute, as typed: a record's
    precision describes the source and must not move a stored instant when
    someone edits another field.
    """
    wall_clock = timezone.make_naive(typed)
    try:
        return clock.local_to_utc(wall_clock, zone_name, clock.Precision.MINUTE)
    except OverflowError as exc:
        raise ValidationError(
            f"{wall_clock:%Y-%m-%d %H:%M} in {zone_name} is outside the calendar.", code="overflow"
        ) from exc


def utc_offset(zone_name: str, at: dt.datetime | None = None) -> str:
    """The zone's offset from UTC at ``at`` (now by default), e.g. "UTC+03:00"."""
    local = clock.utc_to_local(at or timezone.now(), zone_name)
    offset = local.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"


def in_utc(instant: dt.datetime) -> str:
    return f"{instant.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


class LocalSplitDateTime(widgets.AdminSplitDateTime):
    """The admin's date and time boxes, then the zone they are read in and the UTC instant.

    ``zone`` and ``stored`` are set by the form: the zone's name, and the UTC
    instant the typed time becomes (known once the form was posted).
    """

    zone = "UTC"
    stored = ""

    def render(self, name, value, attrs=None, renderer=None):
        boxes = super().render(name, value, attrs, renderer)
        return format_html(
            '{}<p class="local-time">on the clock of <a class="local-time-zone" href="#{}">{}</a>'
            ' (<span class="local-time-offset">{}</span>; change the zone above) '
            '<output class="local-time-utc" data-for="{}">{}</output> {}</p>',
            boxes,
            f"id_{self.zone_field}",
            self.zone,
            utc_offset(self.zone) if clock.is_known_zone(self.zone) else "",
            (attrs or {}).get("id", f"id_{name}"),
            self.stored or "",
            show_in_utc_button(),
        )

    zone_field = ZONE_FIELD


def local_time_field(label: str, help_text: str = "", required: bool = False):
    return forms.SplitDateTimeField(
        label=label, required=required, widget=LocalSplitDateTime, help_text=help_text
    )


class LocalTimes:
    """For a form: ``local_times`` are typed on the wall clock of the zone in ``time_zone``.

    ``record_zone()`` says which zone the record's times are shown in when
    the form opens. A form whose model has no zone of its own gets a
    ``time_zone`` field here; it only says how the times were typed.
    """

    local_times: tuple[str, ...] = ()
    zone_help = (
        "The zone the times below are typed in, on its wall clock. "
        "Search by city, e.g. Kyiv or Moscow."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if ZONE_FIELD not in self.fields:
            self.fields[ZONE_FIELD] = time_zones.TimeZoneField(
                first=self.time_zones_first(), label="Time zone", required=False
            )
        field = self.fields[ZONE_FIELD]
        field.help_text = self.zone_help
        zone = self.record_zone()
        self.initial.setdefault(ZONE_FIELD, zone)
        if not self.initial.get(ZONE_FIELD):
            self.initial[ZONE_FIELD] = zone
        shown = self.data.get(self.add_prefix(ZONE_FIELD)) if self.is_bound else None
        self.zone_name = shown if shown and clock.is_known_zone(shown) else zone
        instance = getattr(self, "instance", None)
        for name in self.local_times:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            if not isinstance(widget, LocalSplitDateTime):
                widget = self.fields[name].widget = LocalSplitDateTime()
            widget.zone, widget.zone_field = self.zone_name, ZONE_FIELD
            value = getattr(instance, name, None) if instance is not None else None
            if instance is not None and instance.pk and value is not None:
                local = clock.utc_to_local(value, self.zone_name)
                self.initial[name] = local.replace(tzinfo=None, microsecond=0)
                widget.stored = f"stored as {in_utc(value)}"

    def time_zones_first(self) -> list:
        return time_zones.party_groups([])

    def record_zone(self) -> str:
        return "UTC"

    def clean(self):
        cleaned_data = super().clean()
        # A form posted without a zone (an older page, a script) means the record's own.
        zone_name = cleaned_data.get(ZONE_FIELD) or self.record_zone()
        if not clock.is_known_zone(zone_name):
            return cleaned_data
        self.zone_name = zone_name
        instance = getattr(self, "instance", None)
        for name in self.local_times:
            typed = cleaned_data.get(name)
            if name not in self.fields or typed is None:
                continue
            stored = getattr(instance, name, None) if instance is not None else None
            if stored is not None and _same_wall_clock(typed, stored, zone_name):
                cleaned_data[name] = stored  # left as it was: kept to the second, never moved
                continue
            try:
                instant = wall_clock_to_utc(typed, zone_name)
            except ValidationError as refusal:
                self.add_error(name, refusal)
                continue
            cleaned_data[name] = instant
            widget = self.fields[name].widget
            widget.zone = zone_name
            widget.stored = f"will be stored as {in_utc(instant)}"
            if instant < EARLIEST_INSTANT:
                self.add_error(name, ValidationError(BEFORE_1900, code="before_1900"))
        if PREVIEW in self.data:
            raise ValidationError(
                "Not saved yet: each time now shows the UTC instant it will be stored as. "
                "Save when they are right.",
                code="preview",
            )
        return cleaned_data


def _same_wall_clock(typed: dt.datetime, stored: dt.datetime, zone_name: str) -> bool:
    """Whether ``typed`` is the stored instant as its form showed it (to the second)."""
    shown = clock.utc_to_local(stored, zone_name).replace(tzinfo=None, microsecond=0)
    return timezone.make_naive(typed).replace(microsecond=0) == shown


def show_in_utc_button() -> str:
    """The script-free way to see the UTC instants before saving (a submit that saves nothing)."""
    return format_html(
        '<button type="submit" name="{}" value="1" class="local-time-preview">{}</button>',
        PREVIEW,
        "Show in UTC",
    )
