"""Whether an alert claimed from the outbox should still go out, judged on current data."""

from __future__ import annotations

from tracker import public
from tracker.alerts import rules
from tracker.alerts.models import ANSWERS_TO_THE_FORM, Delivery, Topic
from tracker.alerts.outbox import deadline_field
from tracker.models import Verification
from tracker.status import DEADLINE_FIELDS, Shape, Status


class Facts:
    """The public record an alert is judged on, read once for a whole batch.

    A batch goes out in about a second; reading whether its commitment is
    still public, and its working reading, once for fifty alerts instead of
    once for each is what lets one worker send hundreds a second.
    """

    def __init__(self):
        self.commitments: dict = {}
        self.readings: dict = {}

    def public_commitment(self, pk: int):
        if pk not in self.commitments:
            self.commitments[pk] = public.commitments().filter(pk=pk).first()
        return self.commitments[pk]

    def working_reading(self, commitment):
        if commitment.pk not in self.readings:
            self.readings[commitment.pk] = public.working_reading(commitment)
        return self.readings[commitment.pk]


def reason_not_to_send(delivery: Delivery, facts: Facts | None = None) -> str | None:
    """Why an alert claimed from the outbox should no longer go out, judged on current data."""
    facts = facts or Facts()
    subscription = delivery.subscription
    if delivery.topic in ANSWERS_TO_THE_FORM:
        if subscription.unsubscribed_at:
            return "The subscription was stopped."
        if delivery.topic == Topic.CONFIRM and subscription.confirmed_at:
            return "The subscription was confirmed already."
        return None
    if not subscription.is_active:
        return "The subscription is no longer active."
    if not subscription.wants(delivery.topic) and not (
        delivery.topic == Topic.EXPIRED and subscription.on_status_changed
    ):
        return "The subscriber no longer asks for this kind of alert."
    if delivery.topic == Topic.EXPIRING and not is_chosen_lead_time(delivery):
        return "The subscriber no longer asks for this warning's lead time."
    commitment = facts.public_commitment(delivery.commitment_id)
    if commitment is None:
        return "The commitment is not public."
    if delivery.topic in (Topic.EXPIRING, Topic.DEADLINE_PASSED):
        if commitment.status not in (Status.IN_FORCE, Status.SUSPENDED):
            return f"The commitment is {commitment.get_status_display()} now."
        reading = facts.working_reading(commitment)
        if reading is None:
            return "The working reading is not public now."
        field = deadline_field(delivery.refers_to)
        is_deadline = field in DEADLINE_FIELDS[Shape(commitment.shape)]
        if not is_deadline or getattr(reading, field) != delivery.deadline:
            return "The deadline moved; this alert was for the old one."
    if delivery.topic == Topic.VIOLATION_VERIFIED:
        verified = public.events().filter(pk=delivery.event_id, verification=Verification.VERIFIED)
        if not verified.exists():
            return "The event is no longer a published, verified violation."
    return None


def is_chosen_lead_time(delivery: Delivery) -> bool:
    try:
        return delivery.lead_time in delivery.subscription.lead_time_list()
    except rules.InvalidLeadTimes:
        return True  # a stored value no longer valid is the outbox's, not the subscriber's doing
