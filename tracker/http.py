"""Conditional GET and cache headers for the public pages and feeds.

A headline sends many readers to the same few pages within minutes. Every
public response therefore carries an ETag and a Last-Modified time derived
from the latest change to any record, and a Cache-Control header that lets
shared caches keep it for a while. A reader who already has the current
version gets a 304 after one cheap query, without the page being rendered.

Pages also say things that change with the clock alone ("ends in 3 days 4 h"),
so the ETag includes the current minute: a cache revalidating a minute later
gets a fresh countdown, while Last-Modified still names the real change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from functools import wraps

from django.core.cache import cache
from django.db.models import Max, Value
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import condition

from tracker.models import (
    Agreement,
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    DeliveredQuantity,
    Party,
    Reading,
    Source,
    StatusChange,
)

# Every model whose edits can change what a public page shows. Their history
# tables get a row on each save, so the newest history row is the newest change.
HISTORY_TABLES = [
    model.history.model
    for model in (
        Agreement,
        Commitment,
        Reading,
        ComplianceEvent,
        Party,
        Source,
        CommitmentParty,
        DeliveredQuantity,
    )
]

BROWSER_MAX_AGE = 60
SHARED_MAX_AGE = 300


def latest_change_at() -> dt.datetime | None:
    """When any tracked record last changed, in one query over the history tables.

    Unpublished drafts count too: that only costs an occasional needless
    refresh, never a stale page.
    """
    newest_per_table = [_newest(table.objects, "history_date") for table in HISTORY_TABLES]
    # Status changes are a log of their own, written beside the commitment's history.
    newest_per_table.append(_newest(StatusChange.objects, "recorded_at"))
    first, *rest = newest_per_table
    stamps = [stamp for stamp in first.union(*rest, all=True) if stamp is not None]
    return max(stamps) if stamps else None


def _newest(manager, field: str):
    """SELECT MAX(field) over a whole table, as a queryset that can join a UNION."""
    # Grouping by a constant makes the whole table one group.
    return (
        manager.order_by()
        .annotate(whole_table=Value(1))
        .values("whole_table")
        .annotate(newest=Max(field))
        .values_list("newest", flat=True)
    )


def _request_change_at(request) -> dt.datetime | None:
    """The latest change, looked up once per request however many callers ask."""
    if not hasattr(request, "_tracker_latest_change"):
        request._tracker_latest_change = latest_change_at()
    return request._tracker_latest_change


def last_modified(request, *args, **kwargs) -> dt.datetime | None:
    return _request_change_at(request)


def etag(request, *args, **kwargs) -> str:
    """A validator for this representation: latest change, language and current minute."""
    changed = _request_change_at(request)
    minute = timezone.now().replace(second=0, microsecond=0)
    language = getattr(request, "LANGUAGE_CODE", "")
    parts = [changed.isoformat() if changed else "never", minute.isoformat(), language]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def cached_fragment(request, name: str, render: Callable[[], str]) -> str:
    """Render a page's heavy part once per version, language, minute and address.

    The key carries the same validator as the ETag, so a change to any record
    or the passing minute makes a new key and stale text is never served.
    Forms with CSRF tokens stay outside: they differ per reader.
    """
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    key = f"tracker:{name}:{etag(request)}:{address}"
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, SHARED_MAX_AGE)
    return html


def public_cache(view: Callable) -> Callable:
    """Answer conditional GETs with 304 before the view runs, and allow shared caching.

    Use it on every public read-only view:

        @public_cache
        def board(request): ...
    """
    conditional_view = condition(etag_func=etag, last_modified_func=last_modified)(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = conditional_view(request, *args, **kwargs)
        if response.status_code in (200, 304):
            patch_cache_control(
                response, public=True, max_age=BROWSER_MAX_AGE, s_maxage=SHARED_MAX_AGE
            )
            # The language comes from Accept-Language or the switcher's cookie;
            # a shared cache must keep one copy per language it was asked for.
            patch_vary_headers(response, ["Accept-Language", "Cookie"])
        else:
            # A 400 or 404 is not a version of the page that a cache should revalidate.
            del response["ETag"]
            del response["Last-Modified"]
        return response

    return wrapper
