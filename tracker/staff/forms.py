"""Forms behind the staff admin.

Every form that writes asks for a reason, because the history of a record is
only useful if each row says why it changed. The forms check what they can
cheaply check; the final word on what is allowed belongs to
``tracker.services``, whose refusals are shown on the same form.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst

from tracker import clock, regions
from tracker.models import Commitment, ComplianceEvent, Party, Reading, Verification
from tracker.models.validators import REASON_NEEDED
from tracker.staff import refusals, slugs, time_zones
from tracker.staff.local_times import (
    LocalTimes,
    local_time_field,
)
from tracker.staff.precision import PrecisionFollowsTimes, precision_of
from tracker.status import STATUSES_FOR_SHAPE, Shape, Status, allowed_targets


def reason_field() -> forms.CharField:
    return forms.CharField(
        label="Reason for this change",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        error_messages={"required": REASON_NEEDED},
        help_text="Kept in the history beside your name, e.g. “Kremlin readout of 18 March”.",
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
                current=getattr(self.instance, "time_zone", ""),
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


class ReadingForm(LocalTimes, PrecisionFollowsTimes, ReasonForm):
    """Readings are typed the way the source worded them.

    Start, end and due times are wall-clock times in the reading's own time
    zone ("18 March, Moscow time"), turned into UTC with the same rules the
    rest of the tracker uses (``tracker.staff.local_times``), so nobody has to
    convert by hand. The zones of the commitment's parties are listed first.
    """

    LOCAL_TIME_FIELDS = ("starts_at", "ends_at", "due_at")
    local_times = precision_times = LOCAL_TIME_FIELDS
    zone_help = (
        "The reading's own zone: the one its wording means (“Moscow time”). "
        "Start, end and due are typed on its wall clock. Search by city, e.g. Kyiv or Moscow."
    )

    make_working = forms.BooleanField(
        label="This is the working reading",
        required=False,
        help_text="Only if the commitment has no working reading yet. To switch later, "
        "use “Make working” on the reading that should drive status and alerts.",
    )

    field_help = {
        "ends_at": "Leave empty when a duration is given or the window is open-ended.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields.pop("make_working", None)

    def _commitment_id(self) -> int | None:
        commitment = self.instance.commitment_id or self.data.get("commitment")
        commitment = commitment or self.initial.get("commitment")
        if not str(commitment or "").isdigit() or len(str(commitment)) > 18:
            return None
        return int(commitment)

    def record_zone(self) -> str:
        """Its own zone; a new reading starts from the commitment's working reading's."""
        if self.instance.pk:
            return self.instance.time_zone
        working = Reading.objects.filter(commitment_id=self._commitment_id(), is_working=True)
        return working.values_list("time_zone", flat=True).first() or self.instance.time_zone

    def time_zones_first(self) -> list:
        commitment = self._commitment_id()
        if commitment is None:
            return time_zones.party_groups([])
        parties = Party.objects.filter(roles__commitment_id=commitment).distinct()
        return time_zones.party_groups(parties, "Zones of this commitment's parties")

    def clean(self):
        cleaned_data = super().clean()
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


class ComplianceEventForm(LocalTimes, PrecisionFollowsTimes, ReasonForm):
    """A claim's times are typed on the clock of its place, as the source gave them.

    The zone is the claim's region's (Kyiv for Ukraine's oblasts, Moscow for
    most of Russia's subjects), else its commitment's working reading's, else
    UTC; staff may pick another for this entry. Only the UTC instants are kept.
    """

    local_times = ("occurred_at", "occurred_until", "recorded_at")
    time_zone = time_zones.TimeZoneField(label="Time zone", required=False)
    precision_times = ("occurred_at", "occurred_until")
    field_help = {
        "occurred_until": "For claims about a period.",
        "recorded_at": "When the claim was published by its source or reached us.",
    }
    zone_help = (
        "The zone the claim's times are typed in: its place's (the region's), else the "
        "working reading's. Pick another when the source gives another clock."
    )

    def record_zone(self) -> str:
        return claim_zone(self.instance, self.initial.get("commitment"))


def claim_zone(claim: ComplianceEvent, commitment=None) -> str:
    """The zone a claim's times are shown and typed in (``ComplianceEventForm``)."""
    if claim.region and (zone := regions.time_zone(claim.region)):
        return zone
    commitment = claim.commitment_id or commitment
    if str(commitment or "").isdigit() and len(str(commitment)) <= 18:
        working = Reading.objects.filter(commitment_id=int(commitment), is_working=True)
        if zone := working.values_list("time_zone", flat=True).first():
            return zone
    return "UTC"


class StatusChangeForm(LocalTimes, forms.Form):
    """Ask where a commitment goes next, and why.

    Only the moves the lifecycle allows from the current status are offered.
    People who may correct the record also see the other statuses, under a
    separate heading, and must tick the correction box to use them. The time
    is typed on the clock of the working reading's zone, or another chosen.
    """

    to_status = forms.ChoiceField(label="New status")
    correction = forms.BooleanField(
        label="This corrects a wrong record",
        required=False,
        help_text="For fixing a status that was recorded wrongly, including a final one. "
        "The history marks it as a correction.",
    )
    effective_at = local_time_field(
        "Took effect at",
        "Leave empty for now. A time of 00:00 records the day alone, and pages show that "
        "day. A change cannot take effect in the future.",
    )
    reason = reason_field()
    local_times = ("effective_at",)

    def __init__(self, *args, commitment: Commitment, may_correct: bool, **kwargs):
        self.working = commitment.working_reading()
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
        if self.working is None:
            whose = "The commitment has no working reading whose zone to use."
        else:
            whose = (
                f"The zone of the working reading “{self.working.label}” unless you pick another."
            )
        self.fields["time_zone"].help_text = f"{whose} “Took effect at” is typed on its clock."
        # The zone first, then the time typed on its clock.
        self.order_fields(["to_status", "correction", "time_zone", "effective_at", "reason"])

    def record_zone(self) -> str:
        return self.working.time_zone if self.working else "UTC"

    @property
    def precision(self) -> str:
        """How exactly the change's time was given: a day when 00:00 was typed (``precision``)."""
        typed = self.cleaned_data.get("effective_at")
        if typed is None:
            return clock.Precision.MINUTE
        return precision_of([clock.utc_to_local(typed, self.zone_name)])

    def clean(self):
        cleaned_data = super().clean()
        effective_at = cleaned_data.get("effective_at")
        if effective_at is not None and effective_at > timezone.now():
            self.add_error(
                "effective_at",
                "A change cannot take effect in the future; record it when it happens.",
            )
        return cleaned_data


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


class ExtendWindowForm(LocalTimes, forms.Form):
    """Move the end of a window later, by a date or by a number of days."""

    new_end = local_time_field("New end")
    extra_days = forms.IntegerField(label="Or add this many days", required=False)
    reason = reason_field()
    local_times = ("new_end",)

    def __init__(self, *args, reading: Reading, **kwargs):
        self.reading = reading
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].help_text = (
            "The working reading's own zone unless you pick another; the new end is typed "
            "on its clock."
        )
        self.order_fields(["time_zone", "new_end", "extra_days", "reason"])

    def record_zone(self) -> str:
        return self.reading.time_zone

    def clean(self):
        cleaned_data = super().clean()
        given = [cleaned_data.get("new_end"), cleaned_data.get("extra_days")]
        if not self.errors and sum(value is not None for value in given) != 1:
            raise ValidationError("Give either a new end or a number of days to add.")
        return cleaned_data
