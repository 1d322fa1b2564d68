"""The outbox's part of ``/health/``: alerts are not waiting longer than they should.

Workers that stopped, or too few for the load, show as alerts that were due
long ago and are still not sent. Alerts to an endpoint that is resting after
failures are left out: they wait on purpose, and one broken receiver must
not make the whole site look unwell.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Q
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from tracker import clock
from tracker.alerts.models import Delivery


def max_lag() -> dt.timedelta:
    return getattr(settings, "ALERTS_HEALTH_MAX_LAG", dt.timedelta(minutes=10))


def oldest_waiting(now: dt.datetime) -> dt.datetime | None:
    """When the alert that has waited longest to be sent, of those that could be, fell due.

    Lapsed claims and due alerts are asked apart, in the order workers claim
    them (``tracker.alerts.claims``), so a probe reads one row of each however
    many alerts wait.
    """
    resting = Q(subscription__endpoint__resting_until__gt=now)
    found = [
        waiting.exclude(resting).values_list("next_attempt_at", flat=True).first()
        for waiting in Delivery.objects.in_claim_order(now)
    ]
    return min((instant for instant in found if instant is not None), default=None)


@dataclasses.dataclass
class OutboxLag(HealthCheck):
    """Fails when the oldest alert that could be sent has waited past ALERTS_HEALTH_MAX_LAG."""

    def run(self):
        now = timezone.now()
        try:
            oldest = oldest_waiting(now)
        except DatabaseError as exc:
            raise ServiceUnavailable("Could not read the outbox.") from exc
        finally:
            # Checks run in the event loop's worker threads; each closes what it opened.
            connection.close()
        if oldest is None:
            return
        waited, limit = now - oldest, max_lag()
        if waited > limit:
            raise ServiceUnavailable(
                f"The oldest alert due has waited {clock.duration_text(waited)} "
                f"(more than {clock.duration_text(limit)}): are the alert workers running?"
            )
