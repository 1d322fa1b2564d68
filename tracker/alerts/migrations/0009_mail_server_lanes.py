"""Spread the email subscriptions over the mail server's lanes (``ALERTS_MAIL_CONNECTIONS``).

Until now every email subscription went through one endpoint, "email", which
one worker at a time may hold. Subscriptions saved from now on get a lane by
a hash of their address; this gives the existing ones theirs, so that as
many workers as there are lanes can send mail at once.
"""

import zlib

from django.conf import settings
from django.db import migrations


def lanes() -> int:
    return max(1, int(getattr(settings, "ALERTS_MAIL_CONNECTIONS", 1)))


def lane_key(target: str, count: int) -> str:
    """Endpoint.key_for for email, as it was when this migration was written."""
    if count == 1:
        return "email"
    return f"email {zlib.crc32(target.encode()) % count + 1}/{count}"


def move_to_lanes(apps, schema_editor):
    Subscription = apps.get_model("alerts", "Subscription")
    Endpoint = apps.get_model("alerts", "Endpoint")
    count = lanes()
    by_key: dict[str, list[int]] = {}
    for pk, target in Subscription.objects.filter(channel="email").values_list("pk", "target"):
        by_key.setdefault(lane_key(target, count), []).append(pk)
    for key, pks in by_key.items():
        endpoint, _ = Endpoint.objects.get_or_create(key=key)
        Subscription.objects.filter(pk__in=pks).update(endpoint=endpoint)


def back_to_one(apps, schema_editor):
    Subscription = apps.get_model("alerts", "Subscription")
    Endpoint = apps.get_model("alerts", "Endpoint")
    endpoint, _ = Endpoint.objects.get_or_create(key="email")
    Subscription.objects.filter(channel="email").update(endpoint=endpoint)


class Migration(migrations.Migration):
    dependencies = [("alerts", "0008_reviewers_look_after_deliveries")]

    operations = [migrations.RunPython(move_to_lanes, back_to_one)]
