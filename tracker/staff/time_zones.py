"""Time zones staff pick from a list, with the parties' own zones first.

Every admin form with a time zone field (parties, readings) offers the IANA
zones (``zoneinfo.available_timezones()``) instead of a free-text box: first
the zones of the parties that matter on that form (a reading's commitment's
parties), then every other party's, then every zone there is. The list is
searchable with the admin's own Select2 (``time-zones.js``); without
JavaScript it is an ordinary list, grouped the same way.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from functools import lru_cache

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from tracker.models import Party

# Not zones a source can mean: the machine's own setting, and tzdata's placeholder.
NOT_OFFERED = {"localtime", "Factory"}
Choices = list[tuple[str, str]]


@lru_cache(maxsize=1)
def every_zone() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones() - NOT_OFFERED))


def zones_of(parties: Iterable[Party]) -> Choices:
    """Each zone the parties use once, labelled with the parties that use it."""
    names: dict[str, list[str]] = {}
    for party in parties:
        names.setdefault(party.time_zone, []).append(party.short_name or party.name)
    return [(zone, f"{zone} ({', '.join(parties)})") for zone, parties in sorted(names.items())]


def party_groups(first: Iterable[Party], heading: str = "Zones of the parties") -> list:
    """The groups above "Every zone": ``first`` under ``heading``, then every other party's."""
    first = list(first)
    groups = [(heading, zones_of(first))] if first else []
    others = Party.objects.exclude(pk__in=[p.pk for p in first]).only(
        "name", "short_name", "time_zone"
    )
    if other_zones := zones_of(others):
        groups.append(("Zones of other parties" if first else heading, other_zones))
    return groups


class TimeZoneSelect(forms.Select):
    """A list searchable with the admin's Select2, initialised by a static script."""

    def __init__(self, attrs=None, choices=()):
        attrs = {"class": "time-zone-choice", "data-theme": "admin-autocomplete", **(attrs or {})}
        super().__init__(attrs, choices)

    @property
    def media(self):
        extra = "" if settings.DEBUG else ".min"
        return forms.Media(
            js=[
                f"admin/js/vendor/jquery/jquery{extra}.js",
                f"admin/js/vendor/select2/select2.full{extra}.js",
                "admin/js/jquery.init.js",
                "tracker/admin/time-zones.js",
            ],
            css={
                "screen": [
                    f"admin/css/vendor/select2/select2{extra}.css",
                    "admin/css/autocomplete.css",
                ]
            },
        )


class TimeZoneField(forms.ChoiceField):
    """One IANA zone, chosen from the list; the message for another is the clock's own."""

    widget = TimeZoneSelect

    def __init__(self, *, first: list | None = None, current: str = "", **kwargs):
        super().__init__(**kwargs)
        everything = [(zone, zone) for zone in every_zone()]
        if current and current not in every_zone():
            everything.insert(0, (current, current))  # a stored name this machine lacks
        self.offered = {zone for zone, _ in everything}
        self.choices = [*(first or []), ("Every zone", everything)]

    def validate(self, value):
        if value in self.empty_values:
            super().validate(value)
        elif value not in self.offered:
            raise ValidationError(
                "“%(value)s” is not an IANA time zone name.",
                code="invalid_choice",
                params={"value": value},
            )


def time_zone_field(like: forms.Field, *, first: list, current: str) -> TimeZoneField:
    """A ``TimeZoneField`` in place of the model form's text field ``like``."""
    return TimeZoneField(
        first=first,
        current=current,
        required=like.required,
        label=like.label,
        initial=like.initial,
        help_text="Search by city or region, e.g. Moscow or Kyiv. The parties' zones come first.",
    )
