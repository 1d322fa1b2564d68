"""The commitment domain: who promised what, their readings of the terms, and
what each side reports about compliance.

Models hold data, field-level validation and database constraints. Anything
that changes a commitment's status, or records, verifies or publishes an event,
goes through ``tracker.services``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker import clock
from tracker.clock import Precision
from tracker.regions import validate_region_code, validate_region_codes
from tracker.status import STATUSES_FOR_SHAPE, Shape, Status

LINE_BREAKS_AND_TABS = frozenset("\n\r\t")


def has_control_characters(text: str, *, multiline: bool) -> bool:
    """Whether ``text`` holds a NUL byte or another control character (Unicode category Cc).

    Long texts may break lines and indent with tabs; one-line texts may not.
    """
    allowed = LINE_BREAKS_AND_TABS if multiline else frozenset()
    return any(unicodedata.category(c) == "Cc" and c not in allowed for c in text)


def validate_time_zone(value: str) -> None:
    try:
        clock.zone(value)
    except clock.InvalidTimeZone as exc:
        raise ValidationError(str(exc), code="invalid_time_zone") from exc


class Party(models.Model):
    """A state or organisation that makes, brokers or benefits from commitments."""

    class Kind(models.TextChoices):
        STATE = "state", _("state")
        ORGANISATION = "organisation", _("organisation")

    name = models.CharField(max_length=120, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STATE)
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="IANA zone the party's announcements usually mean, e.g. Europe/Kyiv.",
    )

    # History: registered in tracker/translation.py, after the translation fields.

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("party", args=[self.slug])


class Source(models.Model):
    """A public document that a record relies on."""

    url = models.URLField(
        max_length=500, unique=True, error_messages={"blank": "Every source needs a URL."}
    )
    title = models.CharField(max_length=300, blank=True)
    publisher = models.CharField(max_length=120, blank=True)
    language = models.CharField(max_length=10, blank=True, help_text="e.g. en, uk, ru")
    published_on = models.DateField(null=True, blank=True)
    accessed_on = models.DateField(default=dt.date.today)

    # History: registered in tracker/translation.py, after the translation fields.

    class Meta:
        ordering = ["-published_on", "publisher"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url=""),
                name="source_url_required",
                violation_error_message="Every source needs a URL.",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url


class Agreement(models.Model):
    """The occasion where commitments were made: a call, a round of talks, a memorandum."""

    class Kind(models.TextChoices):
        CALL = "call", _("phone call")
        TALKS = "talks", _("round of talks")
        MEMORANDUM = "memorandum", _("memorandum")
        STATEMENT = "statement", _("statement")
        OTHER = "other", _("other")

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TALKS)
    held_on = models.DateField()
    venue = models.CharField(max_length=120, blank=True)
    parties = models.ManyToManyField(Party, related_name="agreements", blank=True)
    summary = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, related_name="agreements", blank=True)
    is_published = models.BooleanField(default=False, editable=False)
    internal_note = models.TextField(blank=True, help_text="Staff only; never shown publicly.")
    updated_at = models.DateTimeField(auto_now=True)

    # History (with parties and sources): registered in tracker/translation.py.

    class Meta:
        ordering = ["-held_on", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("agreement", args=[self.slug])


class Category(models.TextChoices):
    ENERGY = "energy", _("energy-infrastructure strikes")
    MARITIME = "maritime", _("maritime / Black Sea")
    PRISONERS = "prisoners", _("prisoner exchange")
    HUMANITARIAN = "humanitarian", _("humanitarian")
    MONITORING = "monitoring", _("monitoring")
    OTHER = "other", _("other")


class Verification(models.TextChoices):
    UNVERIFIED = "unverified", _("unverified")
    CORROBORATED = "corroborated", _("corroborated")
    VERIFIED = "verified", _("verified")
    DISPUTED = "disputed", _("disputed")
    REFUTED = "refuted", _("refuted")
    RETRACTED = "retracted", _("retracted")


class EventKind(models.TextChoices):
    ALLEGED_VIOLATION = "alleged_violation", _("alleged violation")
    CONFIRMED_VIOLATION = "confirmed_violation", _("confirmed violation")
    COMPLIANCE_CONFIRMED = "compliance_confirmed", _("compliance confirmed")
    DELIVERY = "delivery", _("delivery")
    STATEMENT = "statement", _("statement")
    RETRACTION = "retraction", _("retraction")
    OTHER = "other", _("other")


VIOLATION_KINDS = (EventKind.ALLEGED_VIOLATION, EventKind.CONFIRMED_VIOLATION)
ALLEGED, VERIFIED = "alleged", "verified"


def violation_standing(kind: str, verification: str) -> str | None:
    """How a claim counts against a commitment: as alleged, as verified, or not at all (None).

    "Verified" is our reviewers' judgement, never the claimant's word: a
    claim counts as verified only when its verification state is verified.
    A claimant calling its report a confirmed violation does not make it
    one, so an unchecked, corroborated or disputed confirmed violation counts
    as alleged, like any other claim still open. Refuted and retracted claims
    do not count, and neither does anything that is not a violation claim.
    """
    if kind not in VIOLATION_KINDS:
        return None
    if verification == Verification.VERIFIED:
        return VERIFIED
    if verification in (Verification.REFUTED, Verification.RETRACTED):
        return None
    return ALLEGED


@dataclass
class CompliancePicture:
    """Counts of published events by kind, verification and claimant."""

    cells: list[tuple[str, str, int | None, int]] = field(default_factory=list)
    last_event_at: dt.datetime | None = None

    @property
    def total(self) -> int:
        return sum(n for *_, n in self.cells)

    def count(self, *, kind=None, verification=None, claimant_id=None, kinds=None) -> int:
        return sum(
            n
            for k, v, c, n in self.cells
            if (kind is None or k == kind)
            and (kinds is None or k in kinds)
            and (verification is None or v == verification)
            and (claimant_id is None or c == claimant_id)
        )

    def violations_by_claimant(self) -> dict[int | None, dict[str, int]]:
        """{claimant id: {"alleged": n, "verified": n}} for violation claims.

        Each claim counts by ``violation_standing``.
        """
        result: dict[int | None, dict[str, int]] = {}
        for kind, verification, claimant, n in self.cells:
            if kind not in VIOLATION_KINDS:
                continue
            bucket = result.setdefault(claimant, {ALLEGED: 0, VERIFIED: 0})
            standing = violation_standing(kind, verification)
            if standing is not None:
                bucket[standing] += n
        return result


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
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.ANNOUNCED,
        editable=False,
    )
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)
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
    def compliance(self) -> CompliancePicture:
        """The picture of the published events, from the summary kept beside the commitment."""
        try:
            summary = self.compliance_summary
        except ComplianceSummary.DoesNotExist:
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

    # History (with sources): registered in tracker/translation.py.

    class Meta:
        ordering = ["-is_working", "starts_at", "pk"]
        indexes = [models.Index(fields=["is_working", "ends_at"])]
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

    # History (with sources): registered in tracker/translation.py.

    class Meta:
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
        latest = timezone.now() + clock.CLOCK_SKEW
        for name in ("occurred_at", "occurred_until"):
            instant = getattr(self, name)
            if instant is not None and instant > latest:
                errors.setdefault(name, []).append(
                    "An event cannot be dated in the future; record it once it has happened."
                )
        if self.claimant_id and self.claimant_id == self.accused_id:
            errors["accused"] = ["A party cannot accuse itself."]
        if errors:
            raise ValidationError(errors)

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
    # [kind, verification, claimant id, count] for each combination.
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
