"""What other sites may show of a commitment: an embeddable card and a status badge.

Every other page refuses to be framed (Content-Security-Policy
``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``); only the
responses here say which sites may frame them (``EMBED_FRAME_ANCESTORS``,
any by default), so a tracker's card can sit in a newsroom's live blog.

Both read the commitment through ``tracker.public`` like every public page:
an unpublished or unknown commitment is a 404, and only published claims
are counted. They set no cookies and answer conditional GETs, so shared
caches keep them.
"""

from __future__ import annotations

from functools import wraps

from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from tracker import clock, public, translated
from tracker.http import cached_fragment, public_cache
from tracker.models import Commitment
from tracker.site import drawing, presenters
from tracker.site.cards import CARD_LEAVES_OUT, card_version, decorate, obligors, summary_of
from tracker.status import Shape


def embeddable(view):
    """Let the sites ``EMBED_FRAME_ANCESTORS`` names frame this view's responses, and no other."""

    @wraps(view)
    def framed(request, *args, **kwargs):
        allowed = {"frame-ancestors": list(settings.EMBED_FRAME_ANCESTORS)}
        return csp_replace(allowed)(view)(request, *args, **kwargs)

    return xframe_options_exempt(framed)


def public_commitment(slug: str) -> Commitment:
    """A public commitment with what a card shows, decorated as the board decorates it; or 404."""
    commitment = get_object_or_404(
        public.commitments()
        .annotate(**public.working_window())
        .select_related("agreement", "compliance_summary")
        .defer(*CARD_LEAVES_OUT)
        .prefetch_related(obligors()),
        slug=slug,
    )
    summary = summary_of(commitment)
    # Every party the claims name, on either side.
    sides = {pk for cell in (summary.cells if summary else []) for pk in (cell[2], *cell[4:5])}
    names = {
        party.pk: translated.text(party, "name")
        for party in public.parties().filter(pk__in=sides - {None})
    }
    # An embed is read on other sites, by readers whose zone this site does not know.
    decorate([commitment], names, timezone.now(), "UTC", strips=False)
    commitment.claims = summary.claims if summary else 0
    commitment.dates = window_dates(commitment)
    return commitment


# The embedded card's frame, as the snippet suggests it (width="400" height="340"): the
# room its text has beside the padding, and how much of the height the title, the
# status line and the sides' lines may take, the rest being the site's name, the
# dates, the tallies' heading and the link back (see ``static/tracker/embed.css``).
EMBED_TEXT_WIDTH = 352
EMBED_ROOM = 175
# (title, text) sizes in pixels, and the tallies' indent: as set, and as set smaller.
EMBED_SIZES = {"": (16.8, 13.1), "embed-long": (15.2, 12.5)}
TALLY_INDENT = 14


def fitted(commitment: Commitment) -> Commitment:
    """Fit an embedded card to its frame: smaller type if need be, every side's line or none.

    Every side's claims are given, each naming who claims and against whom;
    when they do not all fit even in the smaller type, none of them is, and
    one line counts them all (``presenters.tallies_in_all``) instead.
    """
    sides = [tally.text for tally in commitment.tallies]
    said_once(commitment)
    state = " ".join([str(commitment.get_status_display()), *(m.label for m in commitment.marks)])
    state = f"{state} {commitment.state_when}"
    for size, shown in (("", sides), ("embed-long", sides), ("embed-long", [])):
        title_size, text_size = EMBED_SIZES[size]
        height = _lines(commitment.title, title_size, bold=True) * title_size * 1.25
        height += _lines(state, text_size + 1, bold=True) * (text_size + 1) * 1.6
        height += sum(_lines(side, text_size, indent=TALLY_INDENT) for side in shown) * (
            text_size * 1.4
        )
        if height <= EMBED_ROOM:
            break
    commitment.size_class = size
    commitment.sides_in_all = (
        presenters.tallies_in_all(commitment.tallies) if sides and not shown else ""
    )
    return commitment


def said_once(commitment: Commitment) -> None:
    """Beside the status, when it came or how long is left; below it, the dates, unless said.

    A final status is its own verb ("Fulfilled"), so its day follows it bare:
    "Fulfilled 19 March 2025", never "Fulfilled fulfilled…" nor "ended". The
    dates' line is left out where the line above already says it: "no due
    date" and "No due date published.", or a due day the status line names.
    """
    if commitment.lifecycle.is_final:
        commitment.state_when = clock.instant_text(
            commitment.status_changed_at,
            commitment.status_changed_precision,
            "UTC",
            own_zone=commitment.status_changed_zone,
        )
    else:
        commitment.state_when = commitment.deadline
    commitment.dates_beside = commitment.dates
    if commitment.shape != Shape.DELIVERABLE:
        return
    if commitment.working_due_at:
        due = _utc(commitment, commitment.working_due_at)
        if due in commitment.state_when:
            commitment.dates_beside = ""
    elif not commitment.lifecycle.is_final:  # the countdown says so: "no due date"
        commitment.dates_beside = ""


def _lines(text: str, size: float, bold: bool = False, indent: float = 0) -> int:
    return len(drawing.wrap(str(text), EMBED_TEXT_WIDTH - indent, size, bold)) or 1


def window_dates(commitment: Commitment) -> str:
    """The public working window in words: "From 2025-03-24 22:00 UTC to …", "Due …"."""

    def utc(instant):
        return _utc(commitment, instant)

    start, end = utc(commitment.working_starts_at), utc(commitment.working_ends_at)
    if commitment.shape == Shape.DELIVERABLE:
        if commitment.working_due_at:
            return _("Due %(due)s") % {"due": utc(commitment.working_due_at)}
        return _("No due date published.")
    if commitment.working_ends_at:
        if commitment.working_starts_at:
            return _("From %(start)s to %(end)s") % {"start": start, "end": end}
        return _("Until %(end)s") % {"end": end}
    if commitment.working_starts_at:
        return _("From %(start)s, with no end") % {"start": start}
    return _("No dates published yet.")


def _utc(commitment: Commitment, instant) -> str:
    precision, zone = commitment.working_precision or "minute", commitment.working_time_zone
    return clock.instant_text(instant, precision, "UTC", own_zone=zone)


@embeddable
@public_cache(parameters=[])
@require_safe
def commitment_embed(request, slug):
    """A small page for an iframe: status, countdown or end, claims by claimant, a link back."""
    commitment = fitted(public_commitment(slug))
    page = cached_fragment(
        request,
        "embed",
        lambda: render_to_string("tracker/embed.html", {"commitment": commitment}, request),
        version=("embed", card_version(commitment), commitment.claims),
    )
    return HttpResponse(page)


@embeddable
@public_cache(parameters=[])
@require_safe
def commitment_badge(request, slug):
    """An SVG badge, "title | status", for a README, a wiki or a post."""
    commitment = public_commitment(slug)
    badge = drawing.Badge.for_status(
        commitment.title, str(commitment.get_status_display()), commitment.status
    )
    return render(
        request,
        "tracker/badge.svg",
        {"badge": badge, "commitment": commitment},
        content_type="image/svg+xml; charset=utf-8",
    )
