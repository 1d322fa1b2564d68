"""Telling staff that alerts could not be delivered.

An alert fails only after a day of retries (``delivery.retry_for``); staff
who can retry it hear of it once, by mail, in one message per sweep for all
the alerts that failed since, and the admin's front page says how many
failed alerts are waiting for a retry.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tracker.alerts import deadlines
from tracker.alerts.models import Delivery, Endpoint

logger = logging.getLogger(__name__)

RETRY_PERMISSION = ("alerts", "change_delivery")
LISTED = 50


def failed_deliveries():
    return Delivery.objects.filter(state=Delivery.State.FAILED)


def failed_url() -> str:
    return settings.SITE_URL + reverse("admin:alerts_delivery_changelist") + "?state__exact=failed"


def staff_to_tell() -> list[str]:
    """The addresses of staff who may retry failed alerts, and of the site's ADMINS."""
    app_label, codename = RETRY_PERMISSION
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    may_retry = Q(is_superuser=True)
    if permission is not None:
        may_retry |= Q(user_permissions=permission) | Q(groups__permissions=permission)
    users = (
        get_user_model()
        .objects.filter(may_retry, is_active=True, is_staff=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    return sorted({*users, *(address for _name, address in settings.ADMINS)})


def mail_server_is_resting(now: dt.datetime) -> bool:
    """Whether the mail server failed lately: any of its lanes resting."""
    lanes = Q(key="email") | Q(key__startswith="email ")
    return Endpoint.objects.filter(lanes, resting_until__gt=now).exists()


def tell_staff_of_failures(now: dt.datetime) -> int:
    """Mail staff about the alerts that failed since they were last told; how many were told of.

    The mail goes out under the same deadline as any alert. If it cannot be
    sent (the mail server may be what failed), nothing is marked and the next
    sweep tries again; the admin's notice shows the failures meanwhile.
    """
    unreported = failed_deliveries().filter(failure_reported_at__isnull=True)
    count = unreported.count()
    if not count:
        return 0
    recipients = staff_to_tell()
    if recipients:
        if mail_server_is_resting(now):
            return 0
        listed = unreported.select_related("commitment", "subscription__endpoint").order_by("pk")
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "count": count,
                "failed": listed[:LISTED],
                "more": max(0, count - LISTED),
                "url": failed_url(),
            }
            subject = " ".join(
                render_to_string("email/staff_failures_subject.txt", context).split()
            )
            body = render_to_string("email/staff_failures.txt", context)
        try:
            with deadlines.send_deadline():
                send_mail(subject, body, None, recipients)
        except OSError as exc:  # including the deadline passing
            logger.warning("Could not tell staff that %s alerts failed: %s", count, exc)
            return 0
    else:
        logger.warning("%s alerts failed and no staff with an address may retry them.", count)
    unreported.update(failure_reported_at=now)
    return count
