"""Conditional GET and cache headers for the public pages and feeds.

A headline sends many readers to the same few pages within minutes. Every
public response therefore carries an ETag and a Last-Modified time derived
from the latest change to any record, and a Cache-Control header that lets
shared caches keep it for a while. A reader who already has the current
version gets a 304 without the page being rendered.

The current version is kept in the cache every web node shares (Redis when
``REDIS_URL`` is set), so a burst of revalidations costs no query at all.
Every save of a tracked record gives it a new version at once, and again
when its transaction commits, so a change made through one node is seen by
all the others at their next request. On a miss (a cold cache, or after
``VERSION_SECONDS``, which also catches writes made around the models) the
version is read again from the history tables.

Pages also say things that change with the clock alone ("ends in 3 days 4 h"),
so the ETag includes the current minute: a cache revalidating a minute later
gets a fresh countdown, while Last-Modified still names the real change.
They say times on the reader's clock (``?tz=``, see
``tracker.site.reader_zone``), so the zone is part of every ETag and fragment
key as the language is: one reader's zone is never served to another.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial, wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
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
from tracker.site.reader_zone import zone_of

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
VERSION_KEY = "tracker:version"
VERSION_SECONDS = 60


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


@dataclass(frozen=True)
class Version:
    """What the public pages say now: when it last changed, and a token naming this state."""

    changed_at: dt.datetime | None
    token: str


def current_version() -> Version:
    """The version in the shared cache, or read from the database when the cache has none."""
    version = cache.get(VERSION_KEY)
    if version is None:
        changed_at = latest_change_at()
        version = Version(changed_at, changed_at.isoformat() if changed_at else "never")
        # add, not set: a writer's newer version, stored meanwhile, must win.
        cache.add(VERSION_KEY, version, VERSION_SECONDS)
    return version


_writing_many = threading.local()


@contextmanager
def one_version_for_many_writes() -> Iterator[None]:
    """Give the record one new version at the end of the block, not one per save.

    An import saves thousands of rows in one transaction; a version per row
    would cost a cache write and a commit hook each. Nobody else sees the
    rows before the commit anyway, and the version made at the end is made
    again when the transaction commits.
    """
    if getattr(_writing_many, "changed", None) is not None:
        yield  # already inside such a block
        return
    _writing_many.changed = False
    try:
        yield
        changed = _writing_many.changed
    finally:
        _writing_many.changed = None
    if changed:
        note_change()


def note_change(**kwargs) -> None:
    """A tracked record changed: every node's next request sees a new version.

    The new version is stored at once, so the person who saved sees it, and
    again after the commit, so nothing rendered from the data as it was
    before the commit can be kept under it.
    """
    if getattr(_writing_many, "changed", None) is not None:
        _writing_many.changed = True
        return

    def new_version() -> None:
        cache.set(VERSION_KEY, Version(timezone.now(), uuid.uuid4().hex), VERSION_SECONDS)

    new_version()
    transaction.on_commit(new_version)


def forget_latest_change(**kwargs) -> None:
    """Make the next request read the version from the database again."""
    cache.delete(VERSION_KEY)


def connect() -> None:
    """Give the record a new version on every save or delete, in whatever process it happens."""
    for model in [*HISTORY_TABLES, StatusChange]:
        post_save.connect(note_change, sender=model, dispatch_uid=f"version-{model.__name__}")
        post_delete.connect(note_change, sender=model, dispatch_uid=f"version-del-{model.__name__}")


def _request_version(request) -> Version:
    """The version, looked up once per request however many callers ask."""
    if not hasattr(request, "_tracker_version"):
        request._tracker_version = current_version()
    return request._tracker_version


def last_modified(request, *args, **kwargs) -> dt.datetime | None:
    return _request_version(request).changed_at


def etag(request, *args, **kwargs) -> str:
    """A validator for this representation: the version, the language, the zone and the minute."""
    token = _request_version(request).token
    minute = timezone.now().replace(second=0, microsecond=0)
    language = getattr(request, "LANGUAGE_CODE", "")
    parts = [token, minute.isoformat(), language, zone_of(request).name]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def cached_fragment(request, name: str, render: Callable[[], str], version=None) -> str:
    """Render a page's heavy part once per version, language, zone, minute and address.

    By default the version is the whole record's, the same validator as the
    ETag, so a change to any record or the passing minute makes a new key
    and stale text is never served. A fragment that shows one record (a
    card) passes ``version``: everything it shows, so only a change to that
    makes it render again. Forms with CSRF tokens stay outside: they differ
    per reader.
    """
    if version is None:
        address = request.get_full_path()
        version = etag(request)
    else:
        address = ""
        minute = timezone.now().replace(second=0, microsecond=0)
        language = getattr(request, "LANGUAGE_CODE", "")
        version = (version, minute.isoformat(), language, zone_of(request).name)
    digest = hashlib.sha256(f"{version}|{address}".encode()).hexdigest()[:40]
    key = f"tracker:{name}:{digest}"
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


def public_cache(view: Callable | None = None, *, etag_func: Callable = etag) -> Callable:
    """Answer conditional GETs with 304 before the view runs, and allow shared caching.

    Use it on every public read-only view:

        @public_cache
        def board(request): ...

    A response that shows one record alone, and nothing that changes with
    the clock, can be validated by that record's own version instead, so it
    stays fresh while other records change: ``@public_cache(etag_func=...)``,
    whose function returns None for a record the public cannot see.
    """
    if view is None:
        return partial(public_cache, etag_func=etag_func)
    conditional_view = condition(etag_func=etag_func, last_modified_func=last_modified)(view)

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
