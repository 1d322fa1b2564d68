"""Webhooks are signed as Standard Webhooks says, and the README's receivers verify them.

A signature covers the id, the time and the body, so a captured request
cannot be replayed once its time is old, nor moved to another alert.
"""

import base64
import datetime as dt
import hashlib
import hmac
import re
from pathlib import Path

import pytest
import time_machine
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.alerts_support import LocalReceiver, SubscriptionFactory, window_ending
from tracker.alerts.models import Channel, Delivery
from tracker.alerts.sweep import sweep

UTC = dt.UTC
END = dt.datetime(2025, 4, 17, tzinfo=UTC)
SENT = END - dt.timedelta(days=7)
README = Path(__file__).resolve().parent.parent / "README.md"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def local_targets_allowed(settings):
    settings.ALERTS_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def signed_request():
    """One webhook alert as the receiver got it, and the subscription's secret."""
    with time_machine.travel(SENT - dt.timedelta(days=1), tick=False):
        window_ending(END, title="Energy pause")
    with LocalReceiver() as receiver:
        subscription = SubscriptionFactory(
            channel=Channel.WEBHOOK, target=receiver.url, lead_times="7d"
        )
        with time_machine.travel(SENT, tick=False):
            sweep()
    [request] = receiver.requests
    headers = {name.lower(): value for name, value in request["headers"].items()}
    return request["body"], headers, subscription.secret


def test_a_webhook_carries_the_three_standard_headers(signed_request):
    body, headers, secret = signed_request
    delivery = Delivery.objects.get()

    assert headers["webhook-id"] == str(delivery.delivery_id)
    assert headers["webhook-timestamp"] == str(int(SENT.timestamp()))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"


def test_the_reference_library_verifies_it_within_five_minutes(signed_request):
    body, headers, secret = signed_request

    with time_machine.travel(SENT + dt.timedelta(minutes=4), tick=False):
        alert = Webhook(secret).verify(body, headers)

    assert alert["delivery_id"] == headers["webhook-id"]
    assert alert["commitment"]["title"] == "Energy pause"


def test_a_captured_request_replayed_later_is_refused(signed_request):
    body, headers, secret = signed_request

    with (
        time_machine.travel(SENT + dt.timedelta(minutes=10), tick=False),
        pytest.raises(WebhookVerificationError, match="too old"),
    ):
        Webhook(secret).verify(body, headers)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda body, headers: (body.replace(b"Energy pause", b"Energy truce"), headers),
        lambda body, headers: (body, {**headers, "webhook-id": "another-alert"}),
        lambda body, headers: (
            body,
            {**headers, "webhook-timestamp": str(int(headers["webhook-timestamp"]) + 60)},
        ),
    ],
    ids=["body", "id", "timestamp"],
)
def test_changing_the_body_the_id_or_the_time_breaks_the_signature(signed_request, tamper):
    body, headers, secret = signed_request
    body, headers = tamper(body, headers)

    with (
        time_machine.travel(SENT, tick=False),
        pytest.raises(WebhookVerificationError, match="No matching signature"),
    ):
        Webhook(secret).verify(body, headers)


def test_the_old_body_signature_is_still_sent_for_one_release(signed_request):
    body, headers, secret = signed_request
    key = base64.b64decode(secret.removeprefix("whsec_"))

    expected = hmac.new(key, body, hashlib.sha256).hexdigest()
    assert headers["x-tracker-signature"] == f"sha256={expected}"


def readme_receivers() -> list[str]:
    """The Python receivers the README gives, as written there."""
    section = README.read_text().split("### Receiving webhooks", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def run_readme_receiver(code: str, secret: str) -> dict:
    namespace: dict = {}
    exec(code.replace('"whsec_..."', repr(secret)), namespace)  # noqa: S102
    return namespace


def test_the_readme_gives_a_receiver_with_the_library_and_one_without():
    assert len(readme_receivers()) == 2


def test_the_readmes_library_receiver_takes_the_alert_and_refuses_a_forgery(signed_request):
    body, headers, secret = signed_request
    receive = run_readme_receiver(readme_receivers()[0], secret)["receive"]

    with time_machine.travel(SENT + dt.timedelta(minutes=1), tick=False):
        assert receive(body, headers)["delivery_id"] == headers["webhook-id"]
        assert receive(body + b" ", headers) is None
    with time_machine.travel(SENT + dt.timedelta(hours=1), tick=False):
        assert receive(body, headers) is None


def test_the_readmes_standard_library_receiver_agrees(signed_request):
    body, headers, secret = signed_request
    verify = run_readme_receiver(readme_receivers()[1], secret)["verify"]

    with time_machine.travel(SENT + dt.timedelta(minutes=1), tick=False):
        assert verify(body, headers)
        assert not verify(body.replace(b"Energy pause", b"Energy truce"), headers)
        assert not verify(body, {**headers, "webhook-id": "another-alert"})
    with time_machine.travel(SENT + dt.timedelta(hours=1), tick=False):
        assert not verify(body, headers)


def test_secrets_made_before_keep_their_key_when_written_the_standard_way():
    from importlib import import_module

    from django.apps import apps

    from tracker.alerts import signing
    from tracker.alerts.models import Subscription

    migration = import_module("tracker.alerts.migrations.0007_standard_webhooks_secrets")
    subscription = SubscriptionFactory(channel=Channel.WEBHOOK, target="https://example.org/h")
    Subscription.objects.filter(pk=subscription.pk).update(secret="an-old-plain-secret-of-16+")
    before = signing.body_signature("an-old-plain-secret-of-16+", b"{}")

    migration.write_secrets_the_standard_way(apps, None)

    secret = Subscription.objects.get(pk=subscription.pk).secret
    assert secret == "whsec_" + base64.b64encode(b"an-old-plain-secret-of-16+").decode()
    assert signing.body_signature(secret, b"{}") == before
    migration.write_secrets_as_before(apps, None)
    assert Subscription.objects.get(pk=subscription.pk).secret == "an-old-plain-secret-of-16+"
