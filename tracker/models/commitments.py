"""Commitments, the parties bound by them, their readings of the terms, and the
log of their status changes."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker import clock
from tracker.clock import Precision
from tracker.models.records import Agreement, Party, Source
from tracker.models.rules import Category, CompliancePicture
from tracker.models.validators import validate_term_instant, validate_time_zone
from tracker.models.versions import version_field
from tracker.regions import validate_region_codes
from tracker.status import STATUSES_FOR_SHAPE, Shape, Status


class Commitment(models.Model):
    """One thing promised under an agreement.

    The regions it covers are a validated list of ISO 3166-2 codes
    (``tracker.regions``) rather than a table of their own: a commitment names
    a few regions at most, the list is read and written whole with the rest
    of the commitment, and so its history row records every change to it
    beside the other terms, with the same user and reason. Pages count claims
    by each claim's own region, never by looking inside these lists.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="commitments")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    shape = models.CharField(max_length=20, choices=Shape.choices)
    terms = models.TextField(blank=True, help_text="What was promised, in plain words.")
    conditions = models.TextField(
        blank=True, help_text="Conditions for entry into force, as announced."
    )
    promised_quantity = models.PositiveIntegerField(
        null=True, blank=True, help_text="For exchanges: how many each side is to hand over."
    )
    # What the promised quantity counts, as deliveries name their units ("prisoners of
    # war"): a delivery's share of the promise is given only for handovers in this unit.
    promised_unit = models.CharField(
        max_length=40,
        blank=True,
        help_text="What the promised quantity counts, as deliveries name it.",
    )
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.ANNOUNCED,
        editable=False,
    )
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    # How exactly the present status's change was given, and on which clock:
    # kept beside its time so a card says "ended 19 March 2025", the day it
    # was given as, not the evening before on another clock (``StatusChange``).
    status_changed_precision = models.CharField(
        max_length=10, choices=Precision.choices, default=Precision.MINUTE, editable=False
    )
    status_changed_zone = models.CharField(
        max_length=64, default="UTC", validators=[validate_time_zone], editable=False
    )
    is_published = models.BooleanField(default=False, editable=False)
    renews = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewals",
        help_text="The earlier commitment this one renews after it ended.",
    )
    parties = models.ManyToManyField(Party, through="CommitmentParty", related_name="commitments")
    # A validated list of codes: see the docstring.
    regions = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_region_codes],
        help_text="The regions the commitment covers, as ISO 3166-2 codes (UA-59, RU-KRS).",
    )
    internal_note = models.TextField(blank=True, help_text="Staff only; never shown publicly.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = version_field()

    # History: registered in tracker/translation.py, after the translation fields.

    class Meta:
        ordering = ["agreement__held_on", "title"]
        permissions = [
            ("change_commitment_status", "Can change a commitment's lifecycle status"),
            ("correct_commitment_status", "Can correct a final lifecycle status"),
            ("publish_records", "Can publish and unpublish records"),
        ]
        indexes = [models.Index(fields=["status", "shape"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="commitment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(shape__in=Shape.values), name="commitment_shape_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="commitment_category_valid"
            ),
            models.CheckConstraint(
                condition=~Q(renews=models.F("pk")), name="commitment_does_not_renew_itself"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("commitment", args=[self.slug])

    def clean(self):
        errors = {}
        if self.renews_id and self.pk and self.renews_id == self.pk:
            errors["renews"] = ["A commitment cannot renew itself."]
        # A new shape must suit the status the commitment already has: an
        # expired window cannot quietly become an expired deliverable.
        known = self.shape in Shape.values and self.status in Status.values
        if known and Status(self.status) not in STATUSES_FOR_SHAPE[Shape(self.shape)]:
            errors["shape"] = [
                f"A {self.shape} commitment cannot be {self.get_status_display()}; "
                "correct the status first."
            ]
        if errors:
            raise ValidationError(errors)

    @property
    def lifecycle(self) -> Status:
        return Status(self.status)

    @property
    def shape_in_words(self) -> str:
        """What kind of promise this is, in plain words for readers (``Shape.in_words``)."""
        return Shape(self.shape).in_words

    @property
    def compliance(self) -> CompliancePicture:
        """The picture of the published events, from the summary kept beside the commitment."""
        try:
            summary = self.compliance_summary
        except ObjectDoesNotExist:  # no summary yet
            return CompliancePicture()
        return CompliancePicture(
            cells=[tuple(c) for c in summary.cells], last_event_at=summary.last_event_at
        )

    def working_reading(self) -> Reading | None:
        """The working reading as staff see it, published or not.

        The public, the clock and the alerts read ``tracker.public.working_reading()``,
        which gives None while this reading is unpublished.
        """
        return self.readings.filter(is_working=True).first()


class CommitmentParty(models.Model):
    """The role a party plays in a commitment."""

    class Role(models.TextChoices):
        OBLIGOR = "obligor", _("bound by it")
        PROPOSER = "proposer", _("proposed it")
        MEDIATOR = "mediator", _("mediator")
        BENEFICIARY = "beneficiary", _("beneficiary")

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="roles")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="roles")
    role = models.CharField(max_length=20, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "party__name"]
        verbose_name = "party role"
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "party", "role"], name="one_role_per_party_per_commitment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} — {self.get_role_display()}"


class Reading(models.Model):
    """One party's or source's reading of a commitment's terms.

    Instants are stored in UTC; ``wording``, ``time_zone`` and ``precision``
    keep what the source actually said, so the page can show both.
    """

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="readings")
    label = models.CharField(max_length=120, help_text="e.g. “Kremlin's count”.")
    read_by = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="readings"
    )
    is_working = models.BooleanField(
        default=False, help_text="The reading that drives status and alerts."
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    duration_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1, "A duration must be at least one day.")],
        help_text="If the terms give a length, the end is computed from it.",
    )
    is_open_ended = models.BooleanField(default=False)
    due_at = models.DateTimeField(null=True, blank=True, help_text="For deliverables.")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    precision = models.CharField(max_length=10, choices=Precision.choices, default=Precision.DAY)
    wording = models.TextField(blank=True, help_text="The terms in the source's own words.")
    wording_language = models.CharField(
        max_length=10,
        blank=True,
        help_text="The language the wording is in, e.g. en, uk, ru. The wording is never "
        "translated: it is quoted as the source gave it.",
    )
    scope = models.TextField(blank=True, help_text="What this reading says is covered.")
    sources = models.ManyToManyField(Source, related_name="readings", blank=True)
    is_published = models.BooleanField(default=False, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = version_field()

    # History (with sources): registered in tracker/translation.py.

    class Meta:
        ordering = ["-is_working", "starts_at", "pk"]
        # The sweep reads the working readings whose end or due date is near.
        indexes = [
            models.Index(fields=["is_working", "ends_at"]),
            models.Index(fields=["is_working", "due_at"], name="tracker_rea_working_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment"],
                condition=Q(is_working=True),
                name="one_working_reading_per_commitment",
                violation_error_message=(
                    "This commitment already has a working reading; "
                    "make this one working instead of adding a second."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="reading_ends_after_start",
                violation_error_message="The end must come after the start.",
            ),
            models.CheckConstraint(
                condition=Q(duration_days__isnull=True) | Q(duration_days__gt=0),
                name="reading_duration_positive",
                violation_error_message="A duration must be at least one day.",
            ),
            models.CheckConstraint(
                condition=~Q(is_open_ended=True, ends_at__isnull=False),
                name="reading_open_ended_has_no_end",
                violation_error_message="An open-ended reading has no end.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment}: {self.label}"

    def clean(self):
        errors = {}
        for name in ("starts_at", "ends_at", "due_at"):
            try:
                validate_term_instant(getattr(self, name))
            except ValidationError as refusal:
                errors[name] = refusal.messages
        if errors:
            raise ValidationError(errors)
        # An unknown zone or a duration below one day is reported by the
        # field's own validator; computing an end from it would only repeat it.
        duration_is_valid = self.duration_days is None or self.duration_days >= 1
        if not clock.is_known_zone(self.time_zone) or not duration_is_valid:
            return
        try:
            self.ends_at = self.computed_end()
        except ValueError as exc:
            target = "duration_days" if self.duration_days is not None else "ends_at"
            raise ValidationError({target: [str(exc)]}) from exc

    def change_terms(self, **terms) -> None:
        """Set new terms by the one rule for ends and durations.

        An end is either a term of its own or counted from a duration. So an
        end given without a duration replaces the duration (an extension
        names a new end), and a duration, given or kept, decides the end,
        counted on the wall clock of the reading's zone when the reading is
        cleaned (``computed_end``).
        """
        if "ends_at" in terms and "duration_days" not in terms:
            terms["duration_days"] = None
        for name, value in terms.items():
            setattr(self, name, value)

    def computed_end(self) -> dt.datetime | None:
        """The UTC end implied by the terms: explicit end, duration in the zone, or none.

        With a duration, the end is the result of a computation, not a term of
        its own, so it is computed again. That makes cleaning a new reading
        safe to repeat: the end the first run filled in agrees with the
        duration. A new reading whose end disagrees with its duration is
        contradictory and refused; a stored reading's end is simply replaced.
        """
        end = self.ends_at
        if self.duration_days is not None and end is not None:
            end_was_computed = not self._state.adding or end == self._end_from_duration()
            end = None if end_was_computed else end
        return clock.window_end(
            self.starts_at,
            end=end,
            duration_days=self.duration_days,
            open_ended=self.is_open_ended,
            tz_name=self.time_zone,
        )

    def _end_from_duration(self) -> dt.datetime | None:
        """The end the duration gives, or None when the duration cannot give one."""
        try:
            return clock.window_end(
                self.starts_at, duration_days=self.duration_days, tz_name=self.time_zone
            )
        except ValueError:
            return None

    def state_at(self, at: dt.datetime) -> clock.WindowState:
        return clock.window_state(self.starts_at, self.ends_at, at)


class StatusChange(models.Model):
    """One lifecycle transition: when it took effect, why, and who made it.

    The history tables record every edit; this log records the transitions
    themselves, so pages, feeds and alerts can read them without diffing
    history rows. The actor is kept as a role for the public and as a user
    for staff.
    """

    class Actor(models.TextChoices):
        CLOCK = "clock", _("the clock")
        EDITOR = "editor", _("an editor")
        REVIEWER = "reviewer", _("a reviewer")
        STAFF = "staff", _("staff")
        IMPORT = "import", _("data import")

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    effective_at = models.DateTimeField()
    # How exactly the change's time was given, and the zone it was given in:
    # what caused it decides (a window's end as its reading gave it, "fulfilled
    # on 19 March" in Kyiv as that day), so every page says it as it was meant.
    precision = models.CharField(max_length=10, choices=Precision.choices, default=Precision.MINUTE)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    recorded_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    is_correction = models.BooleanField(default=False)
    actor = models.CharField(max_length=20, choices=Actor.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["effective_at", "pk"]
        get_latest_by = "effective_at"
        indexes = [models.Index(fields=["commitment", "effective_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="status_change_has_reason"),
            models.CheckConstraint(
                condition=~Q(from_status=models.F("to_status")), name="status_change_changes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment}: {self.from_status} → {self.to_status}"
