"""Forms behind the staff admin.

Every form that writes asks for a reason, because the history of a record is
only useful if each row says why it changed. The forms check what they can
cheaply check; the final word on what is allowed belongs to
``tracker.services``, whose refusals are shown on the same form.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst

from tracker import clock
from tracker.models import Commitment, ComplianceEvent, Party, Reading, Verification
from tracker.models.validators import BEFORE_1900, EARLIEST_INSTANT, REASON_NEEDED
from tracker.staff import refusals, slugs, time_zones
from tracker.staff.precision import PrecisionFollowsTimes, precision_of
from tracker.status import STATUSES_FOR_SHAPE, Shape, Status, allowed_targets


def wall_clock_to_utc(typed: dt.datetime, zone_name: str) -> dt.datetime:
    """Read a time typed on a form as wall-clock time in ``zone_name``.

    Form fields attach the site's zone (UTC) to what was typed; only the wall
    clock is kept. The time is taken to the minute, as typed: the reading's
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


def reason_field() -> forms.CharField:
    return forms.CharField(
        label="Reason for this change",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        error_messages={"required": REASON_NEEDED},
        help_text="Kept in the history beside your name, e.g. “Kremlin readout of 18 March”.",
    )


def split_datetime_field(label: str, help_text: str = "") -> forms.SplitDateTimeField:
    return forms.SplitDateTimeField(
        label=label,
        required=False,
        widget=widgets.AdminSplitDateTime,
        help_text=help_text,
    )


class ReasonForm(forms.ModelForm):
    """A model form that also asks why the record is being changed.

    ``service_refusal`` is set by the admin when the services refused a save
    that passed this form's own checks (a race, a lost permission). The form is
    then shown again, invalid, with the services' message, and with everything
    the user typed still in it.

    ``based_on`` carries the version of the record the page was opened on
    (``services.edit_token``), so that a save based on an older one is refused
    instead of undoing someone else's change. Refused for that reason
    (``edit_conflict``), the form comes back based on the version now stored:
    its user has seen the other change, and saving again applies theirs over it.
    """

    reason = reason_field()
    based_on = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)
    service_refusal: ValidationError | None = None
    edit_conflict = None
    field_help: dict[str, str] = {}
    # {slug field: [the fields it is made from]}, set by the admin from its prepopulated_fields.
    slug_sources: dict[str, list[str]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("based_on", getattr(self.instance, "edit_token", ""))
        for name, ids in getattr(self.instance, "pending_lists", {}).items():
            if name in self.fields:
                self.initial[name] = ids
        if self.is_bound and self.edit_conflict is not None:
            self.data = self.data.copy()
            self.data[self.add_prefix("based_on")] = self.edit_conflict.token
        for name, text in self.field_help.items():
            if name in self.fields:
                self.fields[name].help_text = text
        if "time_zone" in self.fields:
            self.fields["time_zone"] = time_zones.time_zone_field(
                self.fields["time_zone"],
                first=self.time_zones_first(),
                current=self.instance.time_zone,
            )
        slugs.use_slug_sources(self, self.slug_sources)
        refusals.speak_as_every_door(self)

    def time_zones_first(self) -> list:
        """The groups of zones listed before every zone: here, the parties' zones."""
        return time_zones.party_groups([])

    def clean(self):
        cleaned_data = super().clean()
        slugs.fill_empty_slugs(self, self.slug_sources)
        if self.service_refusal is not None:
            raise ValidationError(self.service_refusal.messages)
        return cleaned_data


class ReadingForm(PrecisionFollowsTimes, ReasonForm):
    """Readings are typed the way the source worded them.

    Start, end and due times are wall-clock times in the reading's own time
    zone ("18 March, Moscow time"), turned into UTC here with the same rules
    the rest of the tracker uses, so nobody has to convert by hand. The zones
    of the commitment's parties are listed first.
    """

    LOCAL_TIME_FIELDS = ("starts_at", "ends_at", "due_at")
    precision_times = LOCAL_TIME_FIELDS

    make_working = forms.BooleanField(
        label="This is the working reading",
        required=False,
        help_text="Only if the commitment has no working reading yet. To switch later, "
        "use “Make working” on the reading that should drive status and alerts.",
    )

    field_help = {
        "starts_at": "Wall-clock time in the reading's time zone.",
        "ends_at": "Wall-clock time in the reading's time zone. Leave empty when a "
        "duration is given or the window is open-ended.",
        "due_at": "Wall-clock time in the reading's time zone.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields.pop("make_working", None)
            for name in self.LOCAL_TIME_FIELDS:
                value = getattr(self.instance, name)
                if value is not None:
                    local = clock.utc_to_local(value, self.instance.time_zone)
                    self.initial[name] = local.replace(tzinfo=None)

    def time_zones_first(self) -> list:
        commitment = self.instance.commitment_id or self.data.get("commitment")
        commitment = commitment or self.initial.get("commitment")
        if not str(commitment or "").isdigit() or len(str(commitment)) > 18:
            return time_zones.party_groups([])
        parties = Party.objects.filter(roles__commitment_id=int(commitment)).distinct()
        return time_zones.party_groups(parties, "Zones of this commitment's parties")

    def clean(self):
        cleaned_data = super().clean()
        zone_name = cleaned_data.get("time_zone")
        if zone_name and clock.is_known_zone(zone_name):
            for name in self.LOCAL_TIME_FIELDS:
                value = cleaned_data.get(name)
                if value is not None:
                    cleaned_data[name] = wall_clock_to_utc(value, zone_name)
        commitment = cleaned_data.get("commitment")
        if cleaned_data.get("make_working") and commitment is not None:
            current = commitment.working_reading()
            if current is not None:
                self.add_error(
                    "make_working",
                    f"“{commitment}” already has a working reading: “{current.label}”. "
                    "Save this reading first, then use “Make working” on it to switch.",
                )
        return cleaned_data


class ComplianceEventForm(PrecisionFollowsTimes, ReasonForm):
    precision_times = ("occurred_at", "occurred_until")
    field_help = {
        "occurred_at": "In UTC.",
        "occurred_until": "In UTC. For claims about a period.",
    }


class StatusChangeForm(forms.Form):
    """Ask where a commitment goes next, and why.

    Only the moves the lifecycle allows from the current status are offered.
    People who may correct the record also see the other statuses, under a
    separate heading, and must tick the correction box to use them.
    """

    to_status = forms.ChoiceField(label="New status")
    correction = forms.BooleanField(
        label="This corrects a wrong record",
        required=False,
        help_text="For fixing a status that was recorded wrongly, including a final one. "
        "The history marks it as a correction.",
    )
    effective_at = split_datetime_field("Took effect at")
    reason = reason_field()

    def __init__(self, *args, commitment: Commitment, may_correct: bool, **kwargs):
        super().__init__(*args, **kwargs)
        current, shape = Status(commitment.status), Shape(commitment.shape)
        moves = allowed_targets(current, shape)
        choices = [("Lifecycle", [(s.value, capfirst(s.label)) for s in moves])]
        if may_correct:
            corrections = [
                s for s in Status if s in STATUSES_FOR_SHAPE[shape] and s not in (current, *moves)
            ]
            choices.append(("Correction only", [(s.value, capfirst(s.label)) for s in corrections]))
        else:
            del self.fields["correction"]
        self.fields["to_status"].choices = [("", "---------"), *choices]
        working = commitment.working_reading()
        self.zone_name = working.time_zone if working else "UTC"
        field = self.fields["effective_at"]
        field.label = f"Took effect at ({self.zone_name})"
        if working is None:
            whose = "the commitment has no working reading whose zone to use"
        else:
            whose = f"the zone of the working reading “{working.label}”"
        field.help_text = (
            f"Wall-clock time in {self.zone_name} ({whose}; {utc_offset(self.zone_name)} now), "
            "turned into UTC for you. Leave empty for now. A time of 00:00 records the day "
            "alone, and pages show that day. A change cannot take effect in the future."
        )

    @property
    def precision(self) -> str:
        """How exactly the change's time was given: a day when 00:00 was typed (``precision``)."""
        typed = self.cleaned_data.get("effective_at")
        if typed is None:
            return clock.Precision.MINUTE
        return precision_of([clock.utc_to_local(typed, self.zone_name)])

    def clean_effective_at(self) -> dt.datetime | None:
        typed = self.cleaned_data["effective_at"]
        if typed is None:
            return None
        effective_at = wall_clock_to_utc(typed, self.zone_name)
        # Shown under the field if the form comes back for another reason.
        in_utc = f"{typed:%Y-%m-%d %H:%M} {self.zone_name} is {effective_at:%Y-%m-%d %H:%M} UTC."
        self["effective_at"].help_text = in_utc
        if effective_at > timezone.now():
            raise ValidationError(
                "A change cannot take effect in the future; record it when it happens."
            )
        if effective_at < EARLIEST_INSTANT:
            raise ValidationError(BEFORE_1900, code="before_1900")
        return effective_at


class VerifyEventForm(forms.Form):
    """How far a claim has been checked: the reviewer picks it; nothing is chosen for them."""

    verification = forms.ChoiceField(label="Verification", choices=Verification.choices)
    reason = reason_field()

    def __init__(self, *args, event: ComplianceEvent, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verification"].choices = [
            ("", "— choose how the claim stands —"),
            *(
                (value, label)
                for value, label in Verification.choices
                if value != event.verification
            ),
        ]


class PublishForm(forms.Form):
    publish = forms.TypedChoiceField(
        choices=[("1", "publish"), ("0", "unpublish")],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )
    reason = reason_field()


class ReasonOnlyForm(forms.Form):
    reason = reason_field()


class ExtendWindowForm(forms.Form):
    """Move the end of a window later, by a date or by a number of days."""

    new_end = forms.SplitDateTimeField(
        label="New end",
        required=False,
        widget=widgets.AdminSplitDateTime,
    )
    extra_days = forms.IntegerField(label="Or add this many days", required=False)
    reason = reason_field()

    def __init__(self, *args, reading: Reading, **kwargs):
        super().__init__(*args, **kwargs)
        self.reading = reading
        self.fields[
            "new_end"
        ].help_text = f"Wall-clock time in the working reading's time zone ({reading.time_zone})."

    def clean_new_end(self) -> dt.datetime | None:
        new_end = self.cleaned_data["new_end"]
        if new_end is None:
            return None
        return wall_clock_to_utc(new_end, self.reading.time_zone)

    def clean(self):
        cleaned_data = super().clean()
        given = [cleaned_data.get("new_end"), cleaned_data.get("extra_days")]
        if not self.errors and sum(value is not None for value in given) != 1:
            raise ValidationError("Give either a new end or a number of days to add.")
        return cleaned_data
