"""What an alert says, in words for people and in JSON for machines.

The words are rendered from templates/email/, so an email, a chat message
and the webhook body all describe the same facts in the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import capfirst

from tracker import clock
from tracker.alerts import rules
from tracker.alerts.models import Delivery, Topic
from tracker.alerts.outbox import deadline_field
from tracker.models import StatusChange
from tracker.status import Status


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


@dataclass
class Message:
    subject: str
    text: str
    html: str
    payload: dict


def compose(delivery: Delivery, now: dt.datetime | None = None) -> Message:
    """The alert in English, its words and the records' texts alike, whoever runs the sweep.

    The alert's own words are written in English only, so the records' texts
    it quotes are given in English too, never in whatever language happens
    to be active in the process that sends it.
    """
    with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        return _compose(delivery, now)


def _compose(delivery: Delivery, now: dt.datetime | None) -> Message:
    now = now or timezone.now()
    subscription, commitment = delivery.subscription, delivery.commitment
    context = {
        "delivery": delivery,
        "commitment": commitment,
        "commitment_url": absolute_url(commitment.get_absolute_url()),
        "unsubscribe_url": absolute_url(subscription.get_unsubscribe_url()),
        "scope": subscription.describe_scope(),
        "change": delivery.status_change,
        "event": delivery.event,
        "deadline": delivery.deadline,
        "status": Status(commitment.status).label,
        # In the words the pages use, on the UTC clock: subscribers live in many zones.
        "deadline_text": clock.instant_text(delivery.deadline) if delivery.deadline else "",
    }
    if delivery.deadline:
        field = deadline_field(delivery.refers_to) or "ends_at"
        # "due" for a deliverable's or a milestone's due date, "end" for an end.
        context["deadline_kind"] = "due" if field == "due_at" else "end"
    if delivery.topic == Topic.EXPIRING:
        context["ends_in"] = clock.duration_text(delivery.deadline - now)
        context["lead_time"] = clock.duration_text(delivery.lead_time)
        if delivery.is_late:
            context["late_by"] = clock.duration_text(now - (delivery.deadline - delivery.lead_time))
    if delivery.event:
        context["event_when"] = clock.instant_text(
            delivery.event.occurred_at, delivery.event.precision
        )
    if delivery.status_change:
        context["effective_text"] = clock.instant_text(delivery.status_change.effective_at)
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


def iso(instant: dt.datetime | None) -> str | None:
    return instant.astimezone(dt.UTC).isoformat() if instant else None


def payload(delivery: Delivery, context: dict) -> dict:
    """The webhook body; ``delivery_id`` is the same on every retry, so receivers can dedupe."""
    commitment = delivery.commitment
    body = {
        "delivery_id": str(delivery.delivery_id),
        "topic": delivery.topic,
        "is_late": delivery.is_late,
        "created_at": iso(delivery.created_at),
        "commitment": {
            "slug": commitment.slug,
            "title": commitment.title,
            "status": commitment.status,
            "category": commitment.category,
            "url": context["commitment_url"],
        },
        "unsubscribe_url": context["unsubscribe_url"],
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
            "summary": event.summary,
            "occurred_at": iso(event.occurred_at),
            "claimant": str(event.claimant) if event.claimant else None,
            "accused": str(event.accused) if event.accused else None,
        }
    return body
