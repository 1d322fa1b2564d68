"""Claims: what each side reports about compliance, what deliveries handed over,
and each commitment's compliance summary kept beside it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tracker import clock
from tracker.clock import Precision
from tracker.models.commitments import Commitment
from tracker.models.records import Party, Source
from tracker.models.rules import VIOLATION_KINDS, EventKind, Verification
from tracker.models.validators import (
    EVENT_IN_THE_FUTURE,
    RECORDED_IN_THE_FUTURE,
    validate_reported_instant,
)
from tracker.models.versions import version_field
from tracker.regions import validate_region_code


class ComplianceEvent(models.Model):
    """Something reported against a commitment, with who claims it and how it stands."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    claimant = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="claims_made"
    )
    accused = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="claims_against"
    )
    occurred_at = models.DateTimeField()
    occurred_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="For claims about a period (“between 18 March and 16 April”).",
    )
    precision = models.CharField(max_length=10, choices=Precision.choices, default=Precision.DAY)
    occurred_on = models.DateField(
        editable=False,
        blank=True,
        help_text="The calendar day the event is dated on, kept so pages can count by day.",
    )
    occurred_until_on = models.DateField(null=True, blank=True, editable=False)
    recorded_at = models.DateTimeField(default=timezone.now)
    # The place as reported, in words ("Sudzha gas metering station"); it also keeps
    # whatever free text named a region that no code matched when regions became codes.
    location = models.CharField(max_length=330, blank=True)
    region = models.CharField(
        max_length=10,
        blank=True,
        validators=[validate_region_code],
        help_text="The region, as an ISO 3166-2 code (UA-59 Sumy, RU-KRS Kursk).",
    )
    count = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0, "A count cannot be below zero.")],
        help_text="For aggregate claims: how many incidents it counts.",
    )
    summary = models.TextField()
    sources = models.ManyToManyField(Source, related_name="events", blank=True)
    verification = models.CharField(
        max_length=20,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
        editable=False,
    )
    in_response_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responses",
        help_text="The claim this one answers (a denial, a counter-claim, a retraction).",
    )
    is_published = models.BooleanField(default=False, editable=False)
    possible_duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="possible_duplicates",
        editable=False,
        help_text="The earlier claim this one probably repeats (tracker.duplicates); staff only.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    internal_note = models.TextField(blank=True, help_text="Staff only; never shown publicly.")
    updated_at = models.DateTimeField(auto_now=True)
    version = version_field()

    # History (with sources): registered in tracker/translation.py.

    class Meta:
        # A claim, as the public pages call it: what one side said happened.
        verbose_name = "claim"
        ordering = ["-occurred_at", "-pk"]
        permissions = [("verify_complianceevent", "Can set the verification state of events")]
        indexes = [
            models.Index(fields=["commitment", "is_published", "occurred_at"]),
            models.Index(fields=["commitment", "kind", "verification", "claimant"]),
            models.Index(
                fields=[
                    "commitment",
                    "is_published",
                    "kind",
                    "verification",
                    "occurred_on",
                    "occurred_until_on",
                ],
                name="event_days_idx",
            ),
            models.Index(fields=["-occurred_at", "-id"], name="event_newest_idx"),
            models.Index(
                fields=["commitment", "-recorded_at", "-id"], name="event_commitment_feed_idx"
            ),
            models.Index(
                fields=["commitment", "-occurred_at", "-id"], name="event_commitment_claims_idx"
            ),
            models.Index(
                fields=["commitment", "kind", "-occurred_at", "-id"],
                name="event_commitment_kind_idx",
            ),
            # A region's claims, newest first (the regions pages).
            models.Index(fields=["region", "-occurred_at", "-id"], name="event_region_idx"),
            # The claims of one day, where a new claim's likely original is looked for.
            models.Index(fields=["commitment", "occurred_on"], name="event_same_day_idx"),
            # A party's page: its latest claims newest first, and its scorecard counted
            # from the index alone (side, month, verification) without reading a row.
            models.Index(
                fields=[
                    "claimant",
                    "-occurred_at",
                    "-id",
                    "is_published",
                    "commitment",
                    "occurred_on",
                    "verification",
                ],
                name="event_claimant_idx",
            ),
            models.Index(
                fields=[
                    "accused",
                    "-occurred_at",
                    "-id",
                    "is_published",
                    "commitment",
                    "occurred_on",
                    "verification",
                ],
                name="event_accused_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
            models.CheckConstraint(
                condition=Q(verification__in=Verification.values),
                name="event_verification_valid",
            ),
            models.CheckConstraint(
                condition=Q(count__isnull=True) | Q(count__gte=0),
                name="event_count_not_negative",
                violation_error_message="A count cannot be below zero.",
            ),
            models.CheckConstraint(
                condition=Q(occurred_until__isnull=True)
                | Q(occurred_until__gte=models.F("occurred_at")),
                name="event_period_ends_after_start",
                violation_error_message="The period must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(accused__isnull=True)
                | Q(claimant__isnull=True)
                | ~Q(accused=models.F("claimant")),
                name="event_claimant_is_not_accused",
                violation_error_message="A party cannot accuse itself.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary[:60]}"

    def save(self, *args, **kwargs):
        """Date the event on every save, so the stored days always follow its instants."""
        self.date_days()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"occurred_at", "occurred_until", "precision"} & set(
            update_fields
        ):
            kwargs["update_fields"] = {*update_fields, "occurred_on", "occurred_until_on"}
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        """Remember the commitment as stored, so moving an event refreshes both summaries."""
        event = super().from_db(db, field_names, values)
        event.stored_commitment_id = event.__dict__.get("commitment_id")
        return event

    def date_days(self) -> None:
        """Set the calendar days the event is dated on, by the rule the pages read them with."""
        if self.occurred_at is not None:
            self.occurred_on = clock.calendar_day(self.occurred_at, self.precision)
        self.occurred_until_on = (
            clock.calendar_day(self.occurred_until, self.precision) if self.occurred_until else None
        )

    def clean(self):
        errors = {}
        if self.occurred_until and self.occurred_at and self.occurred_until < self.occurred_at:
            errors["occurred_until"] = ["The period must end after it starts."]
        for name, in_the_future in (
            ("occurred_at", EVENT_IN_THE_FUTURE),
            ("occurred_until", EVENT_IN_THE_FUTURE),
            ("recorded_at", RECORDED_IN_THE_FUTURE),
        ):
            try:
                validate_reported_instant(getattr(self, name), in_the_future=in_the_future)
            except ValidationError as refusal:
                errors.setdefault(name, []).extend(refusal.messages)
        if self.claimant_id and self.claimant_id == self.accused_id:
            errors["accused"] = ["A party cannot accuse itself."]
        answering = self.answering_problem()
        if answering:
            errors["in_response_to"] = [answering]
        if errors:
            raise ValidationError(errors)

    # How far back a chain of answers is followed; no exchange of claims runs this long.
    LONGEST_EXCHANGE = 100

    def answering_problem(self) -> str | None:
        """Why this claim cannot answer the one it names, or None.

        A claim answering itself, or a claim that answers it (directly or by
        way of others), would leave each listed under the other, and none on
        the commitment's page. Only a saved claim can be answered, so a new
        one can only be refused for naming itself.
        """
        answered = self.in_response_to_id
        if answered is None or self.pk is None:
            return None
        if answered == self.pk:
            return "A claim cannot answer itself."
        seen = {answered}
        for _ in range(self.LONGEST_EXCHANGE):
            answered = (
                ComplianceEvent.objects.filter(pk=answered)
                .values_list("in_response_to_id", flat=True)
                .first()
            )
            if answered is None or answered in seen:
                return None
            if answered == self.pk:
                return (
                    f"Claim {self.in_response_to_id} answers this one, directly or by way of "
                    "others: a claim cannot answer its own answer."
                )
            seen.add(answered)
        return None

    @property
    def is_violation_claim(self) -> bool:
        return self.kind in VIOLATION_KINDS


class DeliveredQuantity(models.Model):
    """How many a delivery handed over to one side (“390 returned to Ukraine”)."""

    event = models.ForeignKey(ComplianceEvent, on_delete=models.CASCADE, related_name="quantities")
    received_by = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(
        validators=[MinValueValidator(0, "A quantity cannot be below zero.")]
    )
    unit = models.CharField(max_length=40, default="people", help_text="e.g. prisoners, bodies")

    # History: registered in tracker/translation.py, after the translation fields.

    class Meta:
        ordering = ["received_by__name"]
        verbose_name_plural = "delivered quantities"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "received_by", "unit"],
                name="one_quantity_per_side_and_unit",
                violation_error_message="Give each side's quantity once per unit.",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0),
                name="delivered_quantity_not_negative",
                violation_error_message="A quantity cannot be below zero.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} to {self.received_by}"


class ComplianceSummary(models.Model):
    """A commitment's published events, counted: what its card, strip and timeline show.

    Derived data, never typed in: ``tracker.summaries`` rebuilds it in the
    same transaction as every change to one of the commitment's events, so a
    page reads one row instead of grouping every claim on each request. It
    has no history of its own; the events it counts have theirs.
    """

    commitment = models.OneToOneField(
        Commitment, on_delete=models.CASCADE, primary_key=True, related_name="compliance_summary"
    )
    # [kind, verification, claimant id, count, accused id] for each combination: who
    # claims, and against whom, so no summary need name one side without the other.
    cells = models.JSONField(default=list, blank=True)
    # [day, standing ("verified", "alleged" or "" for anything else), count,
    # first instant, a summary in each language it has ({"en": …, "uk": …})]: the
    # reports of each day that count alike, oldest first, for the timeline's ticks.
    days = models.JSONField(default=list, blank=True)
    # {day: "alleged" or "verified"}: the worst standing violation claim of each
    # day (a claim about a period marks every day of it), for the daily strip.
    worst_days = models.JSONField(default=dict, blank=True)
    # [party id, unit, total] handed over by the published deliveries.
    handovers = models.JSONField(default=list, blank=True)
    # Claims listed on the commitment's page: published, and not an answer to
    # a published claim of the same commitment (answers are shown beside it).
    claims = models.PositiveIntegerField(default=0)
    last_event_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "compliance summaries"

    def __str__(self) -> str:
        return f"Compliance of {self.commitment_id}"
