"""Sending one alert over its subscription's channel.

Each sender returns a short outcome for the admin ("HTTP 200") or raises
``DeliveryFailed`` with what went wrong; the caller decides whether to retry.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import smtplib
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import apprise
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import timezone

from tracker.alerts import deadlines, signing
from tracker.alerts.addresses import (
    PrivateTarget,
    UncheckedScheme,
    check_chat_scheme,
    checked_connections,
    connect_to_public_address,
)
from tracker.alerts.messages import Message
from tracker.alerts.models import Channel, Delivery

SIGNATURE_HEADER = "X-Tracker-Signature"
DELIVERY_HEADER = "X-Tracker-Delivery"
# Which try a copy came from; the ids a receiver drops copies by stay the same on every try.
ATTEMPT_HEADER = "X-Tracker-Attempt"
TOPIC_HEADER = "X-Tracker-Topic"


class DeliveryFailed(Exception):
    """A send that did not go through. ``endpoint_failed`` is False when the fault was this
    alert's alone (a mail server refusing one recipient), so the endpoint need not rest."""

    def __init__(self, message: str, *, endpoint_failed: bool = True):
        super().__init__(message)
        self.endpoint_failed = endpoint_failed


class MailConnection:
    """One connection to the mail server, kept for a batch of alerts.

    Opening a connection (greeting, EHLO, perhaps TLS and a login) costs more
    than sending one alert over it, so a worker sends its batch over one.
    Each send is still under its own deadline: the connection's socket is
    registered with every send that uses it, so a server that stalls in the
    middle of a batch is cut off at that send's deadline. After any failure
    but a refused address the connection is dropped without a word (a server
    that stalled may stall again on QUIT), and the next send opens a new one.
    """

    def __init__(self):
        self.backend = None

    def send(self, email: EmailMultiAlternatives) -> None:
        if self.backend is None:
            self.backend = get_connection(fail_silently=False)
        try:
            self.backend.open()
            smtp = getattr(self.backend, "connection", None)
            if smtp is not None and getattr(smtp, "sock", None) is not None:
                deadlines.watch(smtp.sock)  # a no-op outside a send's deadline
            self.backend.send_messages([email])
        except smtplib.SMTPRecipientsRefused:
            raise  # the server said no to this address alone, and is ready for the next
        except BaseException:
            self.drop()
            raise

    def drop(self) -> None:
        for name in ("connection", "_partial_connection"):
            smtp = getattr(self.backend, name, None)
            if smtp is not None:
                with contextlib.suppress(Exception):
                    smtp.close()
                setattr(self.backend, name, None)

    def close(self) -> None:
        """Say goodbye (QUIT) if the connection is open, within one send's deadline."""
        if self.backend is None:
            return
        try:
            with deadlines.send_deadline():
                self.backend.close()
        except Exception:  # the messages went out already; only the goodbye failed
            self.drop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def send(delivery: Delivery, message: Message, mail: MailConnection | None = None) -> str:
    """Send one alert, all of it within ``ALERTS_SEND_DEADLINE`` whatever the other end does.

    Mail goes over ``mail``, a connection kept for a batch, if one is given.
    """
    with deadlines.send_deadline() as deadline:
        try:
            if delivery.subscription.channel == Channel.EMAIL:
                if mail is None:
                    with MailConnection() as own:
                        return send_email(delivery, message, own)
                return send_email(delivery, message, mail)
            senders = {Channel.WEBHOOK: send_webhook, Channel.CHAT: send_chat}
            return senders[delivery.subscription.channel](delivery, message)
        except Exception as exc:
            # Whatever a connection shut down at the deadline made the client raise.
            if deadline.has_passed() or isinstance(exc, deadlines.DeadlinePassed):
                raise DeliveryFailed(deadline.message()) from exc
            if isinstance(exc, DeliveryFailed):
                raise
            if isinstance(exc, OSError | smtplib.SMTPException | http.client.HTTPException):
                raise DeliveryFailed(f"Could not send: {exc}") from exc
            raise


def attempt_headers(delivery: Delivery) -> dict[str, str]:
    mark = getattr(delivery, "send_mark", None)
    return {ATTEMPT_HEADER: str(mark)} if mark else {}


def message_id(delivery: Delivery) -> str:
    """The mail's Message-ID: the delivery id, the same on every try of the alert."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<alert-{delivery.delivery_id}@{domain}>"


def send_email(delivery: Delivery, message: Message, mail: MailConnection) -> str:
    headers = {
        DELIVERY_HEADER: str(delivery.delivery_id),
        # The same id on a retry lets mail clients drop a duplicate.
        "Message-ID": message_id(delivery),
        **attempt_headers(delivery),
    }
    unsubscribe_url = message.payload.get("unsubscribe_url")
    if unsubscribe_url:  # alerts, not the answers to the subscribe form
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        to=[delivery.subscription.target],
        headers=headers,
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    try:
        mail.send(email)
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryFailed(
            f"The mail server refused this address: {exc}", endpoint_failed=False
        ) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryFailed(f"The mail server refused the message: {exc}") from exc
    return "Accepted by the mail server."


class RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead into a private network after the address was checked."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class PublicHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = connect_to_public_address


class PublicHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = connect_to_public_address

    def connect(self):
        super().connect()
        # The TLS socket is a new object on the watched connection: its timeout too is cut.
        self.sock.settimeout(deadlines.bound(self.sock.gettimeout()))


class PublicHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(PublicHTTPConnection, req)


class PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(PublicHTTPSConnection, req, context=self._context)


# No proxies from the environment: a proxy would connect on our behalf to
# addresses this process never gets to check.
OPENER = urllib.request.build_opener(
    urllib.request.ProxyHandler({}), PublicHTTPHandler, PublicHTTPSHandler, RefuseRedirects
)


def send_webhook(delivery: Delivery, message: Message) -> str:
    subscription = delivery.subscription
    body = json.dumps(message.payload, sort_keys=True).encode()
    request = urllib.request.Request(
        subscription.target,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "ceasefire-tracker-alerts",
            **signing.headers(subscription.secret, str(delivery.delivery_id), timezone.now(), body),
            DELIVERY_HEADER: str(delivery.delivery_id),
            **attempt_headers(delivery),
            TOPIC_HEADER: delivery.topic,
            # Signs the body alone; kept for one release beside the standard headers.
            SIGNATURE_HEADER: signing.body_signature(subscription.secret, body),
        },
    )
    timeout = getattr(settings, "ALERTS_WEBHOOK_TIMEOUT", 10)
    try:
        with OPENER.open(request, timeout=timeout) as response:
            return f"HTTP {response.status}"
    except PrivateTarget as exc:
        raise DeliveryFailed(str(exc)) from exc
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            raise DeliveryFailed(f"HTTP {exc.code}: redirects are not followed.") from exc
        raise DeliveryFailed(f"HTTP {exc.code} from the webhook.") from exc
    except urllib.error.URLError as exc:
        raise DeliveryFailed(f"Could not reach the webhook: {exc.reason}") from exc
    except http.client.HTTPException as exc:
        raise DeliveryFailed(f"The webhook's answer was not HTTP: {exc!r}") from exc
    except OSError as exc:  # including a timeout while reading the answer
        raise DeliveryFailed(f"Could not reach the webhook: {exc}") from exc


def send_chat(delivery: Delivery, message: Message) -> str:
    """Send through Apprise, its connections held to the address rule (``checked_connections``).

    A refused address shows in the worker's log, and the service is reported
    as not accepting the message; either way nothing reaches an unchecked address.
    """
    target = delivery.subscription.target
    try:
        check_chat_scheme(target)
    except UncheckedScheme as exc:
        raise DeliveryFailed(str(exc)) from exc
    plugin = apprise.Apprise.instantiate(target)
    if plugin is None:
        raise DeliveryFailed("Apprise does not understand this address.")
    notifier = apprise.Apprise()
    notifier.add(plugin)
    with checked_connections() as refusals:
        accepted = notifier.notify(title=message.subject, body=message.text)
    if refusals:
        raise DeliveryFailed(refusals[0])
    if not accepted:
        raise DeliveryFailed("The chat service did not accept the message (see the worker's log).")
    return "Accepted by the chat service."
