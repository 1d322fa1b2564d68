"""Who wants to hear about what, and every alert owed to them.

A ``Subscription`` says where to send (an email address, a webhook, a chat
service), about which commitments, and which topics. A ``Delivery`` is one
alert in the outbox. Its unique key (subscription, commitment, topic, what it
refers to, lead time) is what makes alerts exactly-once: however many sweeps
or workers derive the same alert, only the first insert lands.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
import zlib
from urllib.parse import urlsplit

import apprise
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from tracker import clock
from tracker.alerts import rules, signing
from tracker.alerts.addresses import (
    CHAT_SCHEMES_NAMING_A_SERVER,
    PrivateTarget,
    UncheckedScheme,
    check_chat_scheme,
    check_host,
    shortened,
)
from tracker.models import Agreement, Category, Commitment, ComplianceEvent, StatusChange


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_secret() -> str:
    return signing.new_secret()


def validate_lead_times(value: str) -> None:
    try:
        rules.parse_lead_times(value)
    except rules.InvalidLeadTimes as exc:
        raise ValidationError(str(exc), code="invalid_lead_times") from exc


class Channel(models.TextChoices):
    EMAIL = "email", "email"
    WEBHOOK = "webhook", "webhook"
    CHAT = "chat", "chat service (Apprise URL)"


class Scope(models.TextChoices):
    EVERYTHING = "everything", "every commitment"
    AGREEMENT = "agreement", "one agreement"
    COMMITMENT = "commitment", "one commitment"
    CATEGORY = "category", "one category"


class Topic(models.TextChoices):
    """What an alert is about. The values are the webhook's ``topic``; they never change."""

    # Before a deadline of any shape: a window's end, a deliverable's or a milestone's due date.
    EXPIRING = "expiring", "deadline approaching"
    # A window's end passed: the clock expired it.
    EXPIRED = "expired", "expired"
    # A deliverable's or a process's deadline passed; it is still in force, now overdue.
    DEADLINE_PASSED = "deadline_passed", "deadline passed"
    STATUS_CHANGED = "status_changed", "status changed"
    VIOLATION_VERIFIED = "violation_verified", "violation verified"
    # The answers to the subscribe form, sent through the outbox like any alert.
    CONFIRM = "confirm", "confirmation link"
    ALREADY_SUBSCRIBED = "already_subscribed", "already subscribed"


# The topics that answer the subscribe form rather than tell about a commitment.
ANSWERS_TO_THE_FORM = (Topic.CONFIRM, Topic.ALREADY_SUBSCRIBED)


class Endpoint(models.Model):
    """Where alerts go out to: the mail server, one webhook receiver, one chat service.

    Alerts to one endpoint are sent one at a time (a mail server is several
    endpoints, its lanes: see ``key_for``): a worker holds the
    endpoint while it sends (a lease, like a delivery's claim), so a receiver
    that answers slowly, or not at all, holds one worker at most. An endpoint
    that fails rests (``resting_until``), longer after each failure in a
    row, while the alerts for every other endpoint go on; its first success
    ends the rest. Every mail goes through the one mail server, so all email
    subscriptions share one endpoint.
    """

    key = models.CharField(max_length=300, unique=True)
    held_by = models.CharField(max_length=100, blank=True)
    held_until = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(
        default=0, help_text="Failed sends in a row; the rest after the next one doubles."
    )
    resting_until = models.DateTimeField(
        null=True, blank=True, help_text="Nothing is sent here before this, after failures."
    )
    last_error = models.TextField(blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    @staticmethod
    def key_for(channel: str, target: str) -> str:
        """The endpoint a target is sent through, named without any secret it carries.

        Email: one of the mail server's lanes (``ALERTS_MAIL_CONNECTIONS``):
        a mail server takes several connections at once, so as many workers
        may send mail at once, each through a lane of its own, each lane
        resting on its own after failures. A webhook: its origin (scheme,
        host and port). A chat service: the server its address names, or for
        a hosted service (whose address holds a token) the service itself.
        """
        if channel == Channel.EMAIL:
            lanes = max(1, int(getattr(settings, "ALERTS_MAIL_CONNECTIONS", 1)))
            if lanes == 1:
                return "email"
            return f"email {zlib.crc32(target.encode()) % lanes + 1}/{lanes}"
        parts = urlsplit(target)
        scheme = parts.scheme.lower()
        if channel == Channel.CHAT and scheme not in CHAT_SCHEMES_NAMING_A_SERVER:
            return f"chat {scheme}"
        try:
            port = parts.port
        except ValueError:
            port = None
        host = (parts.hostname or "").lower()
        return f"{channel} {scheme}://{host}" + (f":{port}" if port else "")

    @classmethod
    def for_target(cls, channel: str, target: str) -> Endpoint:
        endpoint, _created = cls.objects.get_or_create(key=cls.key_for(channel, target)[:300])
        return endpoint


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        """Confirmed and not unsubscribed: the only subscriptions that get alerts."""
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)

    def listening_to(self, topic: str):
        return self.active().filter(**{Subscription.TOPIC_FIELDS[topic]: True})

    def covering(self, commitments):
        """Subscriptions whose scope includes any of ``commitments`` (id, agreement, category)."""
        commitments = list(commitments)
        return self.filter(
            Q(scope=Scope.EVERYTHING)
            | Q(scope=Scope.COMMITMENT, commitment_id__in={c.pk for c in commitments})
            | Q(scope=Scope.AGREEMENT, agreement_id__in={c.agreement_id for c in commitments})
            | Q(scope=Scope.CATEGORY, category__in={c.category for c in commitments})
        )


class Subscription(models.Model):
    """Where to send alerts, about which commitments, on which topics."""

    TOPIC_FIELDS = {
        Topic.EXPIRING: "on_expiring",
        Topic.EXPIRED: "on_expired",
        Topic.DEADLINE_PASSED: "on_expired",
        Topic.STATUS_CHANGED: "on_status_changed",
        Topic.VIOLATION_VERIFIED: "on_violation_verified",
    }

    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    target = models.CharField(
        max_length=500,
        help_text="An email address, an https:// webhook URL, or an Apprise URL "
        "(tgram://…, slack://…, matrix://…).",
    )
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.EVERYTHING)
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    scope_key = models.CharField(max_length=60, editable=False)

    on_expiring = models.BooleanField("before a deadline", default=True)
    lead_times = models.CharField(
        max_length=100,
        default=rules.DEFAULT_LEAD_TIMES,
        validators=[validate_lead_times],
        help_text="How long before an end or a due date to warn: d days, h hours, m minutes; "
        "e.g. 7d, 72h, 24h.",
    )
    on_expired = models.BooleanField(
        "when a deadline passes",
        default=True,
        help_text="A window expiring, or a deliverable's or a milestone's due date passing.",
    )
    on_status_changed = models.BooleanField("status changed", default=True)
    on_violation_verified = models.BooleanField("violation verified", default=True)

    language = models.CharField(
        max_length=10,
        default="en",
        help_text="The language alerts are written in: the page's when the subscriber signed up.",
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        help_text="The clock alerts give times on (an IANA name): the page's when the "
        "subscriber signed up.",
    )

    secret = models.CharField(
        max_length=200,
        blank=True,
        help_text="Webhooks: the Standard Webhooks secret (whsec_…) the receiver checks "
        "signatures with. Left blank, one is made.",
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    endpoint = models.ForeignKey(
        Endpoint, null=True, blank=True, on_delete=models.PROTECT, editable=False, related_name="+"
    )
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()
    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]
        # Reviewers see subscriptions with their addresses shortened (tracker.alerts.admin);
        # this shows them whole. No role has it: grant it to a person who needs it.
        permissions = [("view_subscriber_address", "Can see subscribers' whole addresses")]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "target", "scope_key"],
                condition=Q(unsubscribed_at__isnull=True),
                name="one_live_subscription_per_target_and_scope",
                violation_error_message="This address already has a live subscription "
                "to these alerts.",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="subscription_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(scope__in=Scope.values), name="subscription_scope_valid"
            ),
        ]

    def __str__(self) -> str:
        # Shown in the admin's titles and history to staff who may not see whole addresses.
        address = shortened(self.channel, self.target)
        return f"{self.get_channel_display()} {address} — {self.describe_scope()}"

    def save(self, *args, **kwargs):
        self.scope_key = self.make_scope_key()
        key = Endpoint.key_for(self.channel, self.target)
        if self.endpoint_id is None or self.endpoint.key != key:
            self.endpoint = Endpoint.for_target(self.channel, self.target)
        if self.channel == Channel.WEBHOOK and not self.secret:
            self.secret = new_secret()
        super().save(*args, **kwargs)

    def make_scope_key(self) -> str:
        """One string per scope, so the database can refuse the same subscription twice."""
        if self.scope == Scope.AGREEMENT:
            return f"agreement:{self.agreement_id}"
        if self.scope == Scope.COMMITMENT:
            return f"commitment:{self.commitment_id}"
        if self.scope == Scope.CATEGORY:
            return f"category:{self.category}"
        return "everything"

    def describe_scope(self) -> str:
        """What the subscription is about, in the active language."""
        if self.scope == Scope.AGREEMENT and self.agreement:
            return _("the agreement “%(title)s”") % {"title": self.agreement.title}
        if self.scope == Scope.COMMITMENT and self.commitment:
            return _("the commitment “%(title)s”") % {"title": self.commitment.title}
        if self.scope == Scope.CATEGORY:
            return _("the category “%(category)s”") % {"category": self.get_category_display()}
        return _("every commitment")

    @property
    def alert_language(self) -> str:
        """The language to write to this subscriber in; English if theirs is no longer offered."""
        offered = {code for code, _name in settings.LANGUAGES}
        return self.language if self.language in offered else settings.LANGUAGE_CODE

    @property
    def alert_zone(self) -> str:
        """The zone to give times in; UTC if the stored one is no longer a zone we know."""
        return self.time_zone if clock.is_known_zone(self.time_zone or "") else "UTC"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None

    def wants(self, topic: str) -> bool:
        if topic in ANSWERS_TO_THE_FORM:
            return True
        return getattr(self, self.TOPIC_FIELDS[topic])

    def covers(self, commitment: Commitment) -> bool:
        if self.scope == Scope.AGREEMENT:
            return self.agreement_id == commitment.agreement_id
        if self.scope == Scope.COMMITMENT:
            return self.commitment_id == commitment.pk
        if self.scope == Scope.CATEGORY:
            return self.category == commitment.category
        return True

    def lead_time_list(self) -> list[dt.timedelta]:
        return rules.parse_lead_times(self.lead_times)

    def get_unsubscribe_url(self) -> str:
        return reverse("alerts:unsubscribe", args=[self.token])

    def clean(self):
        self.scope_key = self.make_scope_key()
        errors = {}
        if self.scope == Scope.AGREEMENT and not self.agreement_id:
            errors["agreement"] = ["Choose the agreement this subscription is about."]
        if self.scope == Scope.COMMITMENT and not self.commitment_id:
            errors["commitment"] = ["Choose the commitment this subscription is about."]
        if self.scope == Scope.CATEGORY and not self.category:
            errors["category"] = ["Choose the category this subscription is about."]
        if not any(getattr(self, name) for name in set(self.TOPIC_FIELDS.values())):
            errors["on_expiring"] = ["Choose at least one thing to hear about."]
        if self.language not in {code for code, _name in settings.LANGUAGES}:
            errors["language"] = ["Choose one of the languages the site is written in."]
        if not clock.is_known_zone(self.time_zone or ""):
            errors["time_zone"] = ["Choose a time zone by its IANA name, such as Europe/Kyiv."]
        try:
            self.clean_target()
        except ValidationError as exc:
            errors["target"] = exc.messages
        self.secret = (self.secret or "").strip()
        if self.channel == Channel.WEBHOOK and self.secret:
            try:
                self.secret = signing.standard_secret(self.secret)
            except signing.InvalidSecret as exc:
                errors["secret"] = [str(exc)]
        if errors:
            raise ValidationError(errors)

    def clean_target(self) -> None:
        self.target = (self.target or "").strip()
        if self.channel == Channel.EMAIL:
            EmailValidator(message="Enter a valid email address.")(self.target)
            self.target = self.target.lower()
            return
        if self.channel == Channel.WEBHOOK:
            URLValidator(schemes=["http", "https"], message="Enter a valid http(s) URL.")(
                self.target
            )
            host = urlsplit(self.target).hostname
        else:
            plugin = apprise.Apprise.instantiate(self.target)
            if plugin is None:
                raise ValidationError(
                    "Apprise does not understand this address; see "
                    "https://github.com/caronc/apprise/wiki for the formats it accepts."
                )
            try:
                scheme = check_chat_scheme(self.target)
            except UncheckedScheme as exc:
                raise ValidationError(str(exc), code="unchecked_scheme") from exc
            # A hosted service's address holds a token where a host would be; the
            # connection to the service itself is checked as it is made.
            host = getattr(plugin, "host", None) if scheme in CHAT_SCHEMES_NAMING_A_SERVER else None
        try:
            check_host(host)
        except PrivateTarget as exc:
            raise ValidationError(str(exc), code="private_target") from exc


class PassedDeadline(models.Model):
    """A deadline that passed with its commitment still in force, noticed once by the clock.

    A window's end passing is a status change (it expires), and its alerts
    are written with that change. A deliverable or a process stays as it is
    when its due date passes, so this row stands in for the change: the
    sweep writes it with the alerts in one transaction, and a deadline that
    has its row is never looked at again. A new due date is a new deadline.
    """

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=10, help_text="Which deadline: ends_at or due_at.")
    deadline = models.DateTimeField()
    noticed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "field", "deadline"], name="one_notice_per_passed_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment}: {self.field} {self.deadline:%Y-%m-%d %H:%M} passed"


class DeliveryQuerySet(models.QuerySet):
    def due(self, now: dt.datetime):
        """Pending, and its time to be tried has come."""
        return self.filter(
            Q(state=Delivery.State.PENDING, next_attempt_at__lte=now)
            & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        )

    def lapsed(self, now: dt.datetime):
        """Claimed by a worker whose lease has run out (it died, or was stopped too long)."""
        return self.filter(state=Delivery.State.SENDING, claimed_until__lt=now)

    def claimable(self, now: dt.datetime):
        """Due, or lapsed: what a worker may claim.

        Workers look for the two apart (``tracker.alerts.claims``), each in the
        order of the index on state and time, so the look stops at the first
        row; one condition over both makes the database sort every due alert.
        """
        return self.due(now) | self.lapsed(now)

    def in_claim_order(self, now: dt.datetime) -> tuple[models.QuerySet, models.QuerySet]:
        """What a worker may claim, as the two parts it claims in turn: lapsed claims, then
        due alerts, each oldest first, along the index on (state, next_attempt_at, id)."""
        return tuple(
            part.order_by("next_attempt_at", "pk") for part in (self.lapsed(now), self.due(now))
        )

    def to_free_endpoints(self, now: dt.datetime):
        """To an endpoint that no worker holds and that is not resting."""
        return self.filter(
            Q(subscription__endpoint__held_until__isnull=True)
            | Q(subscription__endpoint__held_until__lt=now),
            Q(subscription__endpoint__resting_until__isnull=True)
            | Q(subscription__endpoint__resting_until__lte=now),
        )


class Delivery(models.Model):
    """One alert owed to one subscription, from the moment it is due until it is sent.

    ``delivery_id`` never changes, however many times sending is tried, so a
    receiver can recognise a retry of something it already has: it is the
    webhook's ``webhook-id`` and the mail's ``Message-ID``. ``send_mark`` and
    ``tries_in_doubt`` are how the outbox knows when a retry may be such a copy
    (``tracker.alerts.delivery``).
    """

    class State(models.TextChoices):
        PENDING = "pending", "pending"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"
        CANCELLED = "cancelled", "cancelled"

    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    commitment = models.ForeignKey(
        Commitment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="What the alert is about; none for the mails answering the subscribe form.",
    )
    topic = models.CharField(max_length=30, choices=Topic.choices)
    refers_to = models.CharField(
        max_length=80, help_text="The deadline, status change or event this alert is about."
    )
    lead_time = models.DurationField(default=dt.timedelta(0))
    deadline = models.DateTimeField(null=True, blank=True)
    status_change = models.ForeignKey(
        StatusChange, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event = models.ForeignKey(
        ComplianceEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    is_late = models.BooleanField(
        default=False, help_text="Found after its moment had passed; sent anyway."
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    retrying_since = models.DateTimeField(
        null=True, blank=True, help_text="The first failed try; retries go on for a day from it."
    )
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    send_mark = models.UUIDField(
        null=True,
        blank=True,
        help_text="The try under way: written before the alert leaves, cleared with its "
        "outcome. Found on a claim that ran out, it means the receiver may have the alert.",
    )
    tries_in_doubt = models.PositiveIntegerField(
        default=0,
        help_text="Tries whose worker stopped after the alert left and before its outcome "
        "was written; each was followed by a try with the same id, for the receiver to drop.",
    )
    outcome = models.TextField(blank=True)
    last_error = models.TextField(blank=True)
    failure_reported_at = models.DateTimeField(
        null=True, blank=True, help_text="When staff were told that this alert failed."
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        # Claims read the outbox in this order, one state at a time (``claims``).
        indexes = [
            models.Index(fields=["state", "next_attempt_at", "id"], name="delivery_claim_order")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "commitment", "topic", "refers_to", "lead_time"],
                name="one_delivery_per_alert",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "sending", "sent", "failed", "cancelled"]),
                name="delivery_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(commitment__isnull=False)
                | Q(topic__in=["confirm", "already_subscribed"]),
                name="delivery_alert_has_commitment",
            ),
        ]

    def __str__(self) -> str:
        about = f": {self.commitment}" if self.commitment_id else ""
        subscription = self.subscription
        return f"{self.get_topic_display()}{about} → " + shortened(
            subscription.channel, subscription.target
        )
