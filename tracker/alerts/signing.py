"""Webhook signatures, as the Standard Webhooks specification has them.

Every webhook request carries three headers: ``webhook-id`` (the alert's
delivery id, the same on every retry), ``webhook-timestamp`` (when this try
was sent, in seconds since 1970) and ``webhook-signature``: ``v1,`` and the
base64 HMAC-SHA256, under the subscription's secret, of
``{id}.{timestamp}.{body}``. Because the time is signed, a receiver that
refuses timestamps more than a few minutes old refuses a captured request
replayed later; because the id is signed, it can drop a retry it already has.
The signing itself is the specification's reference library.

The secret is ``whsec_`` and the base64 of 24 to 64 random bytes, as the
specification writes it. A secret typed as plain text (the form it had before)
keeps its bytes: ``whsec_`` and their base64 are the same key.

Until the next release the body-only ``X-Tracker-Signature: sha256=<hex>``
is sent beside them, for receivers written against it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import secrets

from standardwebhooks.webhooks import Webhook

PREFIX = "whsec_"
SHORTEST_KEY, LONGEST_KEY = 24, 64


class InvalidSecret(ValueError):
    pass


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def key(secret: str) -> bytes:
    """The bytes a secret stands for: a ``whsec_`` secret's base64, or plain text as written."""
    if secret.startswith(PREFIX):
        return base64.b64decode(secret[len(PREFIX) :])
    return secret.encode()


def standard_secret(text: str) -> str:
    """``text`` as a Standard Webhooks secret, or ``InvalidSecret`` saying what a secret is."""
    text = text.strip()
    refusal = InvalidSecret(
        f"A webhook secret is {PREFIX} and the base64 of {SHORTEST_KEY} to {LONGEST_KEY} "
        f"bytes (as Standard Webhooks writes it), or {SHORTEST_KEY} to {LONGEST_KEY} printable "
        "ASCII characters; leave it blank to have one made."
    )
    if text.startswith(PREFIX):
        try:
            raw = base64.b64decode(text[len(PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            raise refusal from None
    elif text.isascii() and text.isprintable():
        raw = text.encode()
    else:
        raise refusal
    if not SHORTEST_KEY <= len(raw) <= LONGEST_KEY:
        raise refusal
    return PREFIX + base64.b64encode(raw).decode()


def headers(secret: str, message_id: str, sent_at: dt.datetime, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers for one try of one message."""
    webhook = Webhook(PREFIX + base64.b64encode(key(secret)).decode())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": webhook.sign(message_id, sent_at, body),
    }


def body_signature(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC of the raw body>``: the old header's value, kept for one release."""
    return "sha256=" + hmac.new(key(secret), body, hashlib.sha256).hexdigest()
