"""Pictures for links shared elsewhere: a commitment's card and the board's, as 1200×630 PNG.

Link previews (Open Graph and Twitter cards, in ``tracker/_share_meta.html``)
point here. Each picture is drawn as SVG from a template and rendered to
PNG with CairoSVG, in DejaVu Sans, which has Cyrillic. Rendering takes a
tenth of a second, so the PNG is kept in the shared cache under the version
of what it shows: a commitment's card is drawn again only when that
commitment (its status, dates, obligors or claims) changes, and its ETag
is that version too, so a crawler revalidating gets a 304 meanwhile. The
board's card follows the whole record's version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import cairosvg
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tracker.http import current_version, public_cache
from tracker.models import Commitment
from tracker.site import glance, presenters
from tracker.site.cards import card_version
from tracker.site.drawing import ShareCard
from tracker.site.embeds import public_commitment

PNG_SECONDS = 24 * 3600


def _digest(*parts) -> str:
    return hashlib.sha256(repr((*parts, get_language())).encode()).hexdigest()[:32]


def share_version(commitment: Commitment) -> tuple:
    """Everything a commitment's card shows, as loaded."""
    return ("share", card_version(commitment), commitment.claims)


def rendered_png(version: str, draw: Callable[[], ShareCard]) -> bytes:
    """The PNG of a card, from the shared cache or drawn now and kept there."""
    key = f"tracker:png:{version}"
    png = cache.get(key)
    if png is None:
        svg = render_to_string("tracker/share_card.svg", {"card": draw()})
        png = cairosvg.svg2png(bytestring=svg.encode())
        cache.set(key, png, PNG_SECONDS)
    return png


def png_response(png: bytes) -> HttpResponse:
    return HttpResponse(png, content_type="image/png")


# A commitment's card -------------------------------------------------------------------


def commitment_card_etag(request, slug: str) -> str | None:
    """The card's version for this language; None for a commitment the public cannot see."""
    try:
        request.shared_commitment = public_commitment(slug)
    except Http404:
        return None
    return _digest(share_version(request.shared_commitment))


def commitment_card(commitment: Commitment) -> ShareCard:
    """What a commitment's picture says: status and marks, title, dates, claims by each side.

    Every side's violation claims, each naming who claims and against whom,
    or, when they cannot all fit, one line counting them together.
    """
    claims = ngettext(
        "%(count)d claim published", "%(count)d claims published", commitment.claims
    ) % {"count": commitment.claims}
    return ShareCard(
        site=_("Ceasefire Commitment Tracker"),
        title=commitment.title,
        lines=[commitment.dates, claims],
        footer=f"{settings.SITE_URL}{commitment.get_absolute_url()}".split("://", 1)[-1],
        status=commitment.status,
        status_label=str(commitment.get_status_display()),
        marks=[(mark.kind, mark.label) for mark in commitment.marks],
        sides=[tally.text for tally in commitment.tallies],
        sides_in_all=presenters.tallies_in_all(commitment.tallies) if commitment.tallies else "",
    )


@public_cache(etag_func=commitment_card_etag)
@require_safe
def commitment_card_png(request, slug):
    commitment = getattr(request, "shared_commitment", None) or public_commitment(slug)
    version = _digest(share_version(commitment))
    return png_response(rendered_png(version, lambda: commitment_card(commitment)))


# The board's card ------------------------------------------------------------------------


def board_card_etag(request) -> str:
    """The board card's version: the record's, and the headline it gives now.

    The headline counts what ends soon and what was verified lately, which
    the passing days change with no change to the record.
    """
    if not hasattr(request, "headline"):
        request.headline = glance.headline(timezone.now())
    return _digest("board", current_version().token, request.headline)


def board_card(headline: glance.Headline) -> ShareCard:
    """What the site-wide picture says: the board's headline, as the board gives it."""
    return ShareCard(
        site=_("Ceasefire Commitment Tracker"),
        title=_("Who promised what in a ceasefire, is it in force, and is it being kept?"),
        lines=[headline.tracked, *(figure.text for figure in headline.figures)],
        footer=f"{settings.SITE_URL}{reverse('board')}".split("://", 1)[-1],
    )


@public_cache(etag_func=board_card_etag)
@require_safe
def board_card_png(request):
    version = board_card_etag(request)
    return png_response(rendered_png(version, lambda: board_card(request.headline)))
