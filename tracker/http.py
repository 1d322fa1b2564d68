"""Conditional GET and cache headers for the public pages and feeds.

A headline sends many readers to the same few pages within minutes. Every
public response therefore carries an ETag and a Last-Modified time derived
from the latest change to any record, and a Cache-Control header that lets
shared caches keep it for a while. A reader who already has the current
version gets a 304 without the page being rendered.

The latest change is remembered in the process for a second
(``CHANGE_MEMO_SECONDS``), so a burst of revalidations costs one query per
second per worker rather than one per request. Public responses may already
be a minute old in any browser (max-age=60), so another second is harmless.
A save in this process forgets the memo at once, so an editor never waits
for their own change; other workers see it within the second.

Pages also say things that change with the clock alone ("ends in 3 days 4 h"),
so the ETag includes the current minute: a cache revalidating a minute later
gets a fresh countdown, while Last-Modified still names the real change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Value
from django.db.models.signals import post_delete, post_save
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
CHANGE_MEMO_SECONDS = 1


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


def _newest_change_query():
    newest_per_table = [_newest(table.objects, "history_date") for table in HISTORY_TABLES]
    # Status changes are a log of their own, written beside the commitment's history.
    newest_per_table.append(_newest(StatusChange.objects, "recorded_at"))
    first, *rest = newest_per_table
    return first.union(*rest, all=True)


# Built once: each call below evaluates a fresh copy of it.
NEWEST_CHANGE_QUERY = _newest_change_query()


def latest_change_at() -> dt.datetime | None:
    """When any tracked record last changed, in one query over the history tables.

    Unpublished drafts count too: that only costs an occasional needless
    refresh, never a stale page.
    """
    stamps = [stamp for stamp in NEWEST_CHANGE_QUERY.all() if stamp is not None]
    return max(stamps) if stamps else None


class _ChangeMemo:
    """The latest change as last read from the database, and when it was read."""

    stamp: dt.datetime | None = None
    read_at: dt.datetime | None = None


def remembered_latest_change_at() -> dt.datetime | None:
    """The latest change, read from the database at most once a second per process."""
    now = timezone.now()
    read_at = _ChangeMemo.read_at
    # A clock that went backwards makes the memo unusable too.
    if read_at is None or not read_at <= now < read_at + dt.timedelta(seconds=CHANGE_MEMO_SECONDS):
        _ChangeMemo.stamp = latest_change_at()
        _ChangeMemo.read_at = now
    return _ChangeMemo.stamp


def forget_latest_change(**kwargs) -> None:
    """Make the next request read the latest change from the database again."""
    _ChangeMemo.read_at = None


for _model in [*HISTORY_TABLES, StatusChange]:
    post_save.connect(forget_latest_change, sender=_model, dispatch_uid=f"forget-{_model.__name__}")
    post_delete.connect(
        forget_latest_change, sender=_model, dispatch_uid=f"forget-del-{_model.__name__}"
    )


def _request_change_at(request) -> dt.datetime | None:
    """The latest change, looked up once per request however many callers ask."""
    if not hasattr(request, "_tracker_latest_change"):
        request._tracker_latest_change = remembered_latest_change_at()
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


def client_ip(request) -> str:
    """The address of the client that sent ``request``, for login throttling and rate limits.

    Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each appending to
    X-Forwarded-For, the client is the entry that many places from the end;
    anything before it was written by the client and is not believed.
    """
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [hop for hop in forwarded if hop]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


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
