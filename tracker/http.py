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

A reader with no ETag yet (the many a headline sends) is given the page kept
whole in the shared cache when it was rendered for the validator they would
get now (``tracker.page_cache``): the version and the page come in one round
trip, with no query and no rendering.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import uuid
from collections.abc import Callable, Collection, Iterator
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

from tracker import cache as shared_cache
from tracker import page_cache
from tracker.evidence.models import Link
from tracker.models import (
    Agreement,
    Commitment,
    CommitmentParty,
    ComplianceEvent,
    DeliveredQuantity,
    LedgerCheckpoint,
    Party,
    Reading,
    Source,
    StatusChange,
)
from tracker.services.base import TrackerError
from tracker.site.reader_zone import zone_of

logger = logging.getLogger(__name__)

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
        # A source's archived copy and what became of its link (saved with each capture
        # kept, each check and each change of what readers may open).
        Link,
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
    # A new checkpoint of the public log shows on its page, the record's pages and the feed.
    newest_per_table.append(_newest(LedgerCheckpoint.objects, "signed_at"))
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


def current_version(cached: Version | None = None, asked: bool = False) -> Version:
    """The version in the shared cache, or read from the database when the cache has none.

    ``cached`` is the version already read from the cache with something else
    (``asked``: the cache was asked and had none, so it is not asked again).
    """
    version = cached if cached is not None or asked else cache.get(VERSION_KEY)
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


class ChangeNotAnnounced(TrackerError):
    """Redis answered but would neither store nor drop the version: other nodes would not
    see the change, so it is not made (``note_change``)."""


def note_change(**kwargs) -> None:
    """A tracked record changed: every node's next request sees a new version.

    The new version is stored at once, so the person who saved sees it, and
    again after the commit, so nothing rendered from the data as it was
    before the commit can be kept under it.

    When Redis will not store it (out of memory, a time-out), the old
    version is dropped instead, so every node reads the version from the
    database, which names the change once it commits. When Redis answers
    but takes neither (a read-only replica), every other node may still be
    serving pages kept under the old version, and nothing this node can do
    through Redis will stop them: the change is refused before it commits
    (``ChangeNotAnnounced``, a refusal staff pages show like any other), so
    no reader is shown a record that is no longer true. This node reads
    nothing from Redis until it takes the drop of the version again
    (``tracker.cache``). After the commit nothing can be refused any more;
    the failure is logged.
    """
    if getattr(_writing_many, "changed", None) is not None:
        _writing_many.changed = True
        return

    def new_version() -> None:
        version = Version(timezone.now(), uuid.uuid4().hex)
        replace = getattr(cache, "replace", None)
        if replace is None:  # a cache in this process alone: a write cannot be refused
            cache.set(VERSION_KEY, version, VERSION_SECONDS)
        else:
            replace(VERSION_KEY, version, VERSION_SECONDS)

    def after_commit() -> None:
        try:
            new_version()
        except shared_cache.ChangeRefused:
            logger.exception("A committed change could not be announced through the shared cache.")

    if transaction.get_connection().in_atomic_block:
        try:
            new_version()
        except shared_cache.ChangeRefused as exc:
            raise ChangeNotAnnounced(
                "The shared cache takes no changes just now, so other readers would go on "
                "seeing the record as it was: nothing was saved. Try again in a minute.",
                code="cache_refused",
            ) from exc
    transaction.on_commit(after_commit)


def forget_latest_change(**kwargs) -> None:
    """Make the next request read the version from the database again."""
    cache.delete(VERSION_KEY)


def connect() -> None:
    """Give the record a new version on every save or delete, in whatever process it happens.

    A version this process could not store while the shared cache failed is
    dropped from it before this process reads it again, and so read from the
    database by every node.
    """
    shared_cache.forgotten_after_outage.add(VERSION_KEY)
    # Read by every request: each process keeps it beside the cache, told of every change.
    shared_cache.watched_keys.add(VERSION_KEY)
    for model in [*HISTORY_TABLES, StatusChange, LedgerCheckpoint]:
        post_save.connect(note_change, sender=model, dispatch_uid=f"version-{model.__name__}")
        post_delete.connect(note_change, sender=model, dispatch_uid=f"version-del-{model.__name__}")


def request_version(request) -> Version:
    """The version, looked up once per request however many callers ask."""
    if not hasattr(request, "_tracker_version"):
        request._tracker_version = current_version()
    return request._tracker_version


def last_modified(request, *args, **kwargs) -> dt.datetime | None:
    return request_version(request).changed_at


def etag(request, *args, **kwargs) -> str:
    """A validator for this representation: the version, the language, the zone and the minute."""
    token = request_version(request).token
    minute = timezone.now().replace(second=0, microsecond=0)
    language = getattr(request, "LANGUAGE_CODE", "")
    parts = [token, minute.isoformat(), language, zone_of(request).name]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def fragment_key(request, name: str, version=None) -> str:
    """Where a fragment is kept: under its version, the language, the zone, the minute and address.

    By default the version is the whole record's, the same validator as the
    ETag, so a change to any record or the passing minute makes a new key
    and stale text is never served. A fragment that shows one record (a
    card) passes ``version``: everything it shows, so only a change to that
    makes it render again.
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
    return f"tracker:{name}:{digest}"


def cached_fragment(request, name: str, render: Callable[[], str], version=None) -> str:
    """Render a page's heavy part once per version (``fragment_key``), then read it from the cache.

    Forms with CSRF tokens stay outside: they differ per reader.
    """
    return cached_fragments(request, name, [(version, render)])[0]


def cached_fragments(request, name: str, fragments: list[tuple[object, Callable[[], str]]]):
    """Several fragments, each ``(version, render)``, read in one round trip and kept in another.

    Only those the cache did not hold are rendered.
    """
    return cached_named_fragments(
        request, [(name, version, render) for version, render in fragments]
    )


def cached_named_fragments(request, fragments: list[tuple[str, object, Callable[[], str]]]):
    """``cached_fragments`` for fragments of several names, ``(name, version, render)`` each."""
    keys = [fragment_key(request, name, version) for name, version, _render in fragments]
    found = cache.get_many(keys)
    rendered = {}
    texts = []
    for key, (_name, _version, render) in zip(keys, fragments, strict=True):
        text = found.get(key)
        if text is None:
            text = rendered[key] = render()
        texts.append(text)
    if rendered:
        cache.set_many(rendered, SHARED_MAX_AGE)
    return texts


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


def public_cache(
    view: Callable | None = None,
    *,
    etag_func: Callable = etag,
    parameters: Collection[str] | None = None,
) -> Callable:
    """Answer conditional GETs with 304 before the view runs, and allow shared caching.

    Use it on every public read-only view:

        @public_cache
        def board(request): ...

    A response that shows one record alone, and nothing that changes with
    the clock, can be validated by that record's own version instead, so it
    stays fresh while other records change: ``@public_cache(etag_func=...)``,
    whose function returns None for a record the public cannot see.

    A page that holds nothing per reader names the query parameters it reads,
    ``@public_cache(parameters=["status", "page"])`` (the zone, ``tz``, goes
    without saying), and is then kept whole in the shared cache
    (``tracker.page_cache``): every other parameter is dropped before the view
    sees the request, so a parameter left off this list is never read.
    """
    if view is None:
        return partial(public_cache, etag_func=etag_func, parameters=parameters)

    def remembered_etag(request, *args, **kwargs):
        # The page cache compares the same validator the conditional GET sent.
        if not hasattr(request, "_tracker_etag"):
            request._tracker_etag = etag_func(request, *args, **kwargs)
        return request._tracker_etag

    keeps_pages = parameters is not None
    conditional_view = condition(etag_func=remembered_etag, last_modified_func=last_modified)(
        _kept_whole(view) if keeps_pages else view
    )

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if keeps_pages and request.method in ("GET", "HEAD"):
            page_cache.make_canonical(request, parameters)
            request._tracker_page = _look_up_page(request)
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


def _look_up_page(request) -> page_cache.PageLookup:
    """The version of the record and the kept page, read from the shared cache together.

    Where this process keeps the version beside the cache (``tracker.near_cache``),
    the page is looked up once its validator is known: first among the pages
    this process read before, then in the cache.
    """
    key = page_cache.key_of(request)
    near = getattr(cache, "near", None)
    version = near(VERSION_KEY) if near is not None else None
    if version is not None:
        request._tracker_version = version
        return page_cache.PageLookup(key, None, later=cache)
    found = cache.get_many([VERSION_KEY, key])
    request._tracker_version = current_version(found.get(VERSION_KEY), asked=True)
    return page_cache.PageLookup(key, found.get(key), copies=cache if near is not None else None)


def _kept_whole(view: Callable) -> Callable:
    """Serve the kept page when it was rendered for this request's validator; else render, keep.

    Of all the processes that miss the same page at once, one renders it and
    the others are given what it kept (``page_cache.render_once``).
    """

    @wraps(view)
    def kept_or_rendered(request, *args, **kwargs):
        lookup = getattr(request, "_tracker_page", None)
        if lookup is None:
            return view(request, *args, **kwargs)
        etag_now = getattr(request, "_tracker_etag", None)
        kept = lookup.serves(etag_now)
        if kept is not None:
            return kept
        if etag_now is None or request.method != "GET":
            return view(request, *args, **kwargs)

        def keep(response) -> None:
            if page_cache.may_keep(request, response):
                cache.set(lookup.key, page_cache.KeptPage(etag_now, response), SHARED_MAX_AGE)

        return page_cache.render_once(
            cache, lookup.key, etag_now, partial(view, request, *args, **kwargs), keep
        )

    return kept_or_rendered
