"""Public pages for subscribing, confirming and unsubscribing.

Confirming and unsubscribing both ask for a button press (a POST): mail
scanners open every link in a message, and a GET must not change anything.
The unsubscribe POST is exempt from CSRF because mail providers send it
themselves for one-click unsubscribe (RFC 8058); the unguessable token in
the address is what authorises it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from tracker import clock, public
from tracker.alerts import subscriptions
from tracker.alerts.forms import ManageForm, SubscribeForm
from tracker.alerts.subscriptions import LinkRefused, Outcome
from tracker.http import client_ip
from tracker.site.reader_zone import ReaderZone, with_zone, zone_of

# Where a refusal from the model shows on the form.
FORM_FIELDS = {
    "target": "email",
    "lead_times": "lead_times",
    "language": None,
    "time_zone": None,
    "category": "category",
    "commitment": "scope",
    "on_expiring": "topics",
}


@csrf_exempt
@require_http_methods(["GET", "POST"])
def subscribe(request):
    """Ask for alerts by email; nothing is sent until the address confirms.

    Exempt from CSRF because the form is part of every public page, and a
    token there would set a cookie on every reader and keep those pages out
    of shared caches. A forged request can only make us send one message to
    an address (at most one every ten minutes per address, and a few an hour
    from any one client address); no subscription starts without the
    recipient's own click. The answer never says whether the address was
    already subscribed, and never waits for a mail server: the mail goes
    through the outbox.
    """
    commitment = None
    slug = request.POST.get("commitment") or request.GET.get("commitment")
    if slug and slug_re.fullmatch(slug):
        commitment = public.commitments().filter(slug=slug).first()
    if request.method == "GET":
        form = SubscribeForm.about(commitment)
        return render(request, "alerts/subscribe.html", {"form": form, "commitment": commitment})

    form = SubscribeForm(request.POST)
    if is_ratelimited(
        request,
        group="alerts.subscribe",
        key=lambda group, request: client_ip(request),
        rate=settings.ALERTS_SUBSCRIBE_RATE,
        increment=True,
    ):
        return render(
            request, "alerts/subscribe_limited.html", {"commitment": commitment}, status=429
        )
    if form.is_valid():
        try:
            subscriptions.subscribe(
                form.subscription(language=get_language(), time_zone=zone_of(request).name)
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(FORM_FIELDS.get(field), errors)
        else:
            return render(request, "alerts/subscribe_done.html")
    return render(
        request, "alerts/subscribe.html", {"form": form, "commitment": commitment}, status=400
    )


def page_language(request, subscription) -> str:
    """The language of a page a subscriber's link opens: the one they chose in this browser,
    or else the subscription's, since the link may be opened anywhere."""
    offered = {code for code, _name in settings.LANGUAGES}
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) in offered:
        return get_language()
    return subscription.alert_language


def render_for(request, subscription, template: str, context: dict, status: int = 200):
    """Render a page about ``subscription`` in its language, with times on its clock."""
    language = page_language(request, subscription)
    with translation.override(language):
        context = {"subscription": subscription, "scope": subscription.describe_scope(), **context}
        if subscription.unsubscribed_at:
            context["stopped_at"] = clock.instant_text(
                subscription.unsubscribed_at, "minute", subscription.alert_zone
            )
        response = render(request, template, context, status=status)
    response.headers["Content-Language"] = language
    patch_vary_headers(response, ["Cookie"])
    return response


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    try:
        if request.method == "POST":
            outcome, subscription = subscriptions.confirm(token)
        else:
            subscription = subscriptions.subscription_for_confirmation(token)
            outcome = Outcome.ALREADY_CONFIRMED if subscription.confirmed_at else None
    except LinkRefused as exc:
        return render(request, "alerts/link_refused.html", {"message": str(exc)}, status=400)
    return render_for(
        request,
        subscription,
        "alerts/confirm.html",
        {"outcome": outcome, "token": token, "manage_url": manage_url(subscription)},
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        if request.method == "POST":
            outcome, subscription = subscriptions.unsubscribe(token)
        else:
            subscription = subscriptions.subscription_for_unsubscribe(token)
            outcome = Outcome.ALREADY_UNSUBSCRIBED if subscription.unsubscribed_at else None
    except LinkRefused as exc:
        return render(request, "alerts/link_refused.html", {"message": str(exc)}, status=404)
    context = {"outcome": outcome, "token": token, "manage_url": manage_url(subscription)}
    return render_for(request, subscription, "alerts/unsubscribe.html", context)


def manage_url(subscription) -> str:
    zone = ReaderZone(subscription.alert_zone)
    return with_zone(reverse("alerts:manage", args=[subscription.token]), zone)


@require_http_methods(["GET", "POST"])
def manage(request, token):
    """A subscriber's own page: language, time zone, topics and lead times, and a way out.

    The unguessable token in the address (the one every alert carries) is
    what authorises it, as for unsubscribing.
    """
    try:
        subscription = subscriptions.subscription_for_unsubscribe(token)
    except LinkRefused as exc:
        return render(request, "alerts/link_refused.html", {"message": str(exc)}, status=404)
    if subscription.unsubscribed_at:
        return render_for(request, subscription, "alerts/manage.html", {"stopped": True})
    saved = False
    with translation.override(page_language(request, subscription)):
        form = ManageForm(request.POST or None, subscription=subscription)
        if request.method == "POST" and form.is_valid():
            subscription = subscriptions.change_preferences(token, **form.preferences())
            form = ManageForm(subscription=subscription)
            saved = True
    status = 400 if request.method == "POST" and not saved else 200
    response = render_for(
        request,
        subscription,
        "alerts/manage.html",
        {"form": form, "saved": saved, "token": token},
        status=status,
    )
    return response
