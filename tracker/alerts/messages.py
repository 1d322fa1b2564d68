"""What an alert says, in words for people and in JSON for machines.

The words are rendered from templates/email/, so an email, a chat message
and the webhook body all describe the same facts in the same way. Each is
written in the subscriber's language and gives times on the subscriber's
clock (the page's language and zone when they signed up, or what they chose
since on the page their links lead to); the records' own texts come in that
language too, or in English where staff have not translated them yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst

from tracker import clock, public
from tracker.alerts import rules
from tracker.alerts.models import ANSWERS_TO_THE_FORM, Delivery, Subscription, Topic
from tracker.alerts.outbox import deadline_field
from tracker.alerts.subscriptions import confirmation_max_age, confirmation_token
from tracker.models import StatusChange
from tracker.site.reader_zone import ReaderZone, with_zone
from tracker.status import Status


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


@dataclass
class Message:
    subject: str
    text: str
    html: str | None
    payload: dict


def subscriber_links(subscription: Subscription) -> dict:
    """The links every message to a subscriber carries, opening pages on their clock."""
    zone = ReaderZone(subscription.alert_zone)
    return {
        "manage_url": absolute_url(
            with_zone(reverse("alerts:manage", args=[subscription.token]), zone)
        ),
        "unsubscribe_url": absolute_url(subscription.get_unsubscribe_url()),
    }


def compose(delivery: Delivery, now: dt.datetime | None = None) -> Message:
    """The alert in the subscriber's language, its words and the records' texts alike.

    Whatever language happens to be active in the process that sends it, the
    subscriber's is used (English if theirs is no longer offered).
    """
    with translation.override(delivery.subscription.alert_language):
        if delivery.topic in ANSWERS_TO_THE_FORM:
            return answer_to_the_form(delivery)
        return _compose(delivery, now or timezone.now())


def answer_to_the_form(delivery: Delivery) -> Message:
    """The mail answering the subscribe form: the confirmation link, or "already subscribed".

    The link is signed as the mail is written, so it works for its whole
    time from when it is sent, however long the mail waited in the outbox.
    """
    subscription = delivery.subscription
    context = {
        "scope": subscription.describe_scope(),
        "zone": clock.zone_label(subscription.alert_zone),
        **subscriber_links(subscription),
    }
    if delivery.topic == Topic.CONFIRM:
        template = "confirm"
        confirm_path = reverse("alerts:confirm", args=[confirmation_token(subscription)])
        context["confirm_url"] = absolute_url(
            with_zone(confirm_path, ReaderZone(subscription.alert_zone))
        )
        context["valid_for"] = clock.duration_text(confirmation_max_age())
    else:
        template = "already_subscribed"
    return Message(
        subject=" ".join(render_to_string(f"email/{template}_subject.txt", context).split()),
        text=render_to_string(f"email/{template}.txt", context),
        html=None,
        payload={},
    )


def _compose(delivery: Delivery, now: dt.datetime) -> Message:
    subscription, commitment = delivery.subscription, delivery.commitment
    zone = subscription.alert_zone
    context = {
        "delivery": delivery,
        "language": subscription.alert_language,
        "zone": clock.zone_label(zone),
        "commitment": commitment,
        "commitment_url": absolute_url(with_zone(commitment.get_absolute_url(), ReaderZone(zone))),
        "scope": subscription.describe_scope(),
        "change": delivery.status_change,
        "event": delivery.event,
        "deadline": delivery.deadline,
        "status": Status(commitment.status).label,
        **subscriber_links(subscription),
    }
    if delivery.deadline:
        field = deadline_field(delivery.refers_to) or "ends_at"
        # "due" for a deliverable's or a milestone's due date, "end" for an end.
        context["deadline_kind"] = "due" if field == "due_at" else "end"
        context["deadline_text"] = deadline_text(delivery, zone)
    if delivery.topic == Topic.EXPIRING:
        context["ends_in"] = clock.duration_text(delivery.deadline - now)
        context["lead_time"] = clock.duration_text(delivery.lead_time)
        if delivery.is_late:
            context["late_by"] = clock.duration_text(now - (delivery.deadline - delivery.lead_time))
    if delivery.event:
        context["event_when"] = clock.instant_text(
            delivery.event.occurred_at, delivery.event.precision, zone
        )
    if delivery.status_change:
        change = delivery.status_change
        context["effective_text"] = clock.instant_text(
            change.effective_at, change.precision, zone, own_zone=change.time_zone
        )
        context["from_status"] = capfirst(Status(delivery.status_change.from_status).label)
        context["to_status"] = capfirst(Status(delivery.status_change.to_status).label)
        context["actor"] = StatusChange.Actor(delivery.status_change.actor).label
    subject = " ".join(render_to_string("email/alert_subject.txt", context).split())
    return Message(
        subject=subject,
        text=render_to_string("email/alert.txt", context),
        html=render_to_string("email/alert.html", context),
        payload=payload(delivery, context),
    )


def deadline_text(delivery: Delivery, tz_name: str = "UTC") -> str:
    """The deadline an alert is about, as precisely as what set it, on ``tz_name``'s clock.

    An expiry's deadline is its status change's time, given as that change
    was; a warning's is the working reading's end or due date, given as that
    reading gave it: "17 April 2025", not the evening before in UTC. An hour
    or a minute is on the subscriber's clock, with the zone named.
    """
    deadline, change = delivery.deadline, delivery.status_change
    if deadline is None:
        return ""
    if change is not None and change.effective_at == deadline:
        return clock.instant_text(deadline, change.precision, tz_name, own_zone=change.time_zone)
    reading = public.working_reading(delivery.commitment)
    if reading is not None and deadline in (reading.ends_at, reading.due_at):
        return clock.instant_text(deadline, reading.precision, tz_name, own_zone=reading.time_zone)
    return clock.instant_text(deadline, clock.Precision.MINUTE, tz_name)


def iso(instant: dt.datetime | None) -> str | None:
    return instant.astimezone(dt.UTC).isoformat() if instant else None


def payload(delivery: Delivery, context: dict) -> dict:
    """The webhook body; ``delivery_id`` is the same on every retry, so receivers can dedupe.

    Instants are UTC (ISO 8601) for machines; the texts (the commitment's
    title, a claim's summary) are in the subscriber's ``language``, and
    ``time_zone`` is the clock their messages give times on.
    """
    commitment = delivery.commitment
    body = {
        "delivery_id": str(delivery.delivery_id),
        "topic": delivery.topic,
        "is_late": delivery.is_late,
        "created_at": iso(delivery.created_at),
        "language": context["language"],
        "time_zone": delivery.subscription.alert_zone,
        "commitment": {
            "slug": commitment.slug,
            "title": str(commitment.title),
            "status": commitment.status,
            "category": commitment.category,
            "url": context["commitment_url"],
        },
        "unsubscribe_url": context["unsubscribe_url"],
        "manage_url": context["manage_url"],
    }
    if delivery.deadline:
        body["deadline"] = iso(delivery.deadline)
        body["deadline_kind"] = context["deadline_kind"]
    if delivery.topic == Topic.EXPIRING:
        body["lead_time"] = rules.format_lead_time(delivery.lead_time)
    if delivery.status_change:
        change = delivery.status_change
        body["status_change"] = {
            "from": change.from_status,
            "to": change.to_status,
            "effective_at": iso(change.effective_at),
            "reason": change.reason,
            "by": change.actor,
        }
    if delivery.event:
        event = delivery.event
        body["event"] = {
            "kind": event.kind,
            "verification": event.verification,
            "summary": str(event.summary),
            "occurred_at": iso(event.occurred_at),
            "claimant": str(event.claimant) if event.claimant else None,
            "accused": str(event.accused) if event.accused else None,
        }
    return body
