"""Public email subscriptions: subscribe, confirm, unsubscribe.

Public subscriptions are double opt-in: nothing is sent to an address until
someone who can read its mail opens the signed confirmation link. The link
carries no secret of its own; its signature and age are what make it valid.

Whoever fills in the form learns nothing about the address: the page is the
same whether it is new, waiting for confirmation or already subscribed. What
happened is said only in the mail, to the address's owner.
Unsubscribing keeps the row (with the moment it stopped) and cancels what
was still waiting to be sent.
"""

from __future__ import annotations

import datetime as dt
import enum

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.alerts.models import Channel, Delivery, Subscription, Topic

CONFIRM_SALT = "tracker.alerts.confirm"


def confirmation_max_age() -> dt.timedelta:
    return getattr(settings, "ALERTS_CONFIRMATION_MAX_AGE", dt.timedelta(days=3))


# Asking again sooner than this sends nothing, so the public form cannot be
# used to fill someone's inbox with confirmation requests.
RESEND_AFTER = dt.timedelta(minutes=10)


class Outcome(enum.StrEnum):
    NEW = "new"
    RESENT = "resent"
    RECENTLY_SENT = "recently_sent"
    ALREADY_SUBSCRIBED = "already_subscribed"
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    UNSUBSCRIBED = "unsubscribed"
    ALREADY_UNSUBSCRIBED = "already_unsubscribed"


class LinkRefused(Exception):
    """A confirmation or unsubscribe link that cannot be used; the message says why."""


def confirmation_token(subscription: Subscription) -> str:
    return signing.dumps({"id": subscription.pk}, salt=CONFIRM_SALT)


def queue_answer(subscription: Subscription, topic: Topic) -> None:
    """Queue the mail answering the form (a confirmation link, or "already subscribed").

    The outbox sends it like any alert, under the same deadline and retries,
    so the form answers at once whatever the mail server does. When it was
    asked for is noted, to limit how often an address is written to.
    """
    now = timezone.now()
    Delivery.objects.create(
        subscription=subscription,
        topic=topic,
        refers_to=f"request:{now.isoformat()}",
        created_at=now,
        next_attempt_at=now,
    )
    subscription.confirmation_sent_at = now
    Subscription.objects.filter(pk=subscription.pk).update(confirmation_sent_at=now)


def live_duplicate(subscription: Subscription) -> Subscription | None:
    return Subscription.objects.filter(
        channel=subscription.channel,
        target=subscription.target,
        scope_key=subscription.make_scope_key(),
        unsubscribed_at__isnull=True,
    ).first()


@transaction.atomic
def subscribe(subscription: Subscription) -> tuple[Outcome, Subscription]:
    """Save an unconfirmed email subscription and queue the mail with its confirmation link.

    Asking twice creates nothing new: an unconfirmed subscription gets its
    link again, a confirmed one is left as it is and its owner is told so.
    Either way the address gets at most one mail every ``RESEND_AFTER``.
    Nothing is sent here: the mail waits in the outbox, in the same
    transaction, so the form never waits for a mail server.
    Raises ``ValidationError`` for bad input.
    """
    subscription.channel = Channel.EMAIL
    subscription.confirmed_at = None
    subscription.full_clean(exclude=["token", "scope_key"], validate_constraints=False)
    existing = live_duplicate(subscription)
    if existing is None:
        try:
            with transaction.atomic():
                subscription._change_reason = "Subscribed from the public form"
                subscription.save()
        except IntegrityError:  # the same request, twice at once
            existing = live_duplicate(subscription)
            if existing is None:
                raise
    if existing is not None:
        sent_at = existing.confirmation_sent_at
        if sent_at and timezone.now() - sent_at < RESEND_AFTER:
            return Outcome.RECENTLY_SENT, existing
        if existing.confirmed_at:
            queue_answer(existing, Topic.ALREADY_SUBSCRIBED)
            return Outcome.ALREADY_SUBSCRIBED, existing
        queue_answer(existing, Topic.CONFIRM)
        return Outcome.RESENT, existing
    queue_answer(subscription, Topic.CONFIRM)
    return Outcome.NEW, subscription


def subscription_for_confirmation(token: str) -> Subscription:
    """The subscription a confirmation link is for; ``LinkRefused`` if it is stale or forged."""
    try:
        data = signing.loads(
            token, salt=CONFIRM_SALT, max_age=confirmation_max_age().total_seconds()
        )
    except signing.SignatureExpired as exc:
        raise LinkRefused(
            _("This confirmation link has expired. Subscribe again to get a fresh one.")
        ) from exc
    except signing.BadSignature as exc:
        raise LinkRefused(
            _(
                "This confirmation link is not valid. Copy the whole link from the email, "
                "or subscribe again."
            )
        ) from exc
    subscription = Subscription.objects.filter(pk=data.get("id")).first()
    if subscription is None or subscription.unsubscribed_at:
        raise LinkRefused(_("This subscription was cancelled. Subscribe again if you want alerts."))
    return subscription


@transaction.atomic
def confirm(token: str) -> tuple[Outcome, Subscription]:
    subscription = subscription_for_confirmation(token)
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.confirmed_at:
        return Outcome.ALREADY_CONFIRMED, subscription
    subscription.confirmed_at = timezone.now()
    subscription._change_reason = "Confirmed by the subscriber"
    subscription.save()
    return Outcome.CONFIRMED, subscription


def subscription_for_unsubscribe(token: str) -> Subscription:
    """The subscription an unsubscribe or manage link is for; ``LinkRefused`` if there is none."""
    subscription = Subscription.objects.filter(token=token).first()
    if subscription is None:
        raise LinkRefused(_("This link is not valid. Copy the whole link from the message."))
    return subscription


PREFERENCES = (
    "language",
    "time_zone",
    "on_expiring",
    "lead_times",
    "on_expired",
    "on_status_changed",
    "on_violation_verified",
)


@transaction.atomic
def change_preferences(token: str, **preferences) -> Subscription:
    """Change what a subscriber hears about, in which language, on which clock.

    Alerts already waiting are judged again when sent: one about a topic or a
    lead time no longer chosen is cancelled then; the others are written in
    the new language and zone.
    """
    unknown = set(preferences) - set(PREFERENCES)
    if unknown:
        raise TypeError(f"not a preference: {sorted(unknown)}")
    subscription = subscription_for_unsubscribe(token)
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.unsubscribed_at:
        raise LinkRefused(_("This subscription was stopped. Subscribe again if you want alerts."))
    for name, value in preferences.items():
        setattr(subscription, name, value)
    subscription.full_clean(exclude=["token", "scope_key"], validate_constraints=False)
    subscription._change_reason = "Changed by the subscriber"
    subscription.save()
    return subscription


@transaction.atomic
def unsubscribe(token: str) -> tuple[Outcome, Subscription]:
    """Stop a subscription for good and cancel its alerts still waiting to be sent."""
    subscription = subscription_for_unsubscribe(token)
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.unsubscribed_at:
        return Outcome.ALREADY_UNSUBSCRIBED, subscription
    subscription.unsubscribed_at = timezone.now()
    subscription._change_reason = "Unsubscribed by the subscriber"
    subscription.save()
    Delivery.objects.filter(subscription=subscription, state=Delivery.State.PENDING).update(
        state=Delivery.State.CANCELLED, outcome="The subscriber unsubscribed."
    )
    return Outcome.UNSUBSCRIBED, subscription
