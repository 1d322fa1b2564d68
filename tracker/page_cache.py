"""Whole public pages in the shared cache: a first visit costs one cache read.

A headline sends thousands of new readers, with no ETag yet, to the same few
pages. Each page is kept whole (status, headers and body, as the view
returned it) in the cache every web node shares, under its address and the
reader's language, beside the validator it was rendered for: the version of
the public record, the language, the reader's zone and, for pages that count
down, the minute (``tracker.http.etag``). A request reads the record's version
and its page in one round trip (``get_many``); when the kept page's validator
is the one the request would get now, the page is served as it is, with no
query and no rendering. A change through any node makes a new version, so
every node's next response is rendered afresh. With Redis, each process also
keeps the version and the pages it read beside the cache (``tracker.near_cache``):
an unchanged page it read before then costs no round trip at all.

Only what holds nothing per reader is kept: a response that sets a cookie,
used a CSRF token, read the session (and so perhaps the user), names a
``Vary`` of its own, streams, or is not a 200 is served but never kept.

The address is made canonical first, for the key and for the page alike:
parameters the page does not read are dropped, the rest sorted, and the
zone written by its canonical name. So ``?utm_source=…&fbclid=…`` or the same
filters in another order cost nothing extra, and the kept page never repeats
back a parameter some other reader made up (the language and zone menus
carry the address on).

At each new minute, and after each change, every page that counts down is
rendered afresh, and every web process of every node asks for it at once.
Only one of them renders it (``render_once``): the first takes a short lock
in the shared cache, the others wait for the page it keeps. None of them is
ever given the previous minute's page: a countdown a minute behind, or a
page from before a change, is not what they would be shown now. If the one
rendering dies, its lock lapses after ``RENDER_LOCK_SECONDS`` and each waiting
process renders for itself, as all did before; with the cache down, nobody
waits.

Django's own cache middleware keys a page by the full address and by every
header named in ``Vary`` (each reader's whole ``Cookie`` header), and cannot
know the version of the record; hence this.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.http import HttpResponse, QueryDict

from tracker.site.reader_zone import PARAMETER as ZONE_PARAMETER
from tracker.site.reader_zone import zone_of

KEY_PREFIX = "tracker:page:"
# How long one process may render a page while the others wait for it; whole seconds (Redis).
RENDER_LOCK_SECONDS = 3
# How often a waiting process looks for the page being rendered.
WAIT_STEP_SECONDS = 0.02


@dataclass(frozen=True)
class KeptPage:
    """A response as its view returned it, and the validator it was rendered for."""

    etag: str
    response: HttpResponse


@dataclass
class PageLookup:
    """Where a request's page is kept, and what was found there.

    ``later`` is the shared cache, when the page was not read with the version
    (which this process keeps beside the cache): it is then looked for, once
    its validator is known, among this process's copies and then in the cache.
    ``copies`` is the shared cache, when it keeps copies beside it.
    """

    key: str
    kept: KeptPage | None
    later: object = None
    copies: object = None

    def serves(self, etag: str | None) -> HttpResponse | None:
        """The kept response, if it was rendered for ``etag``; else None."""
        if etag is None:
            return None
        kept = self.kept
        shared = self.later if self.later is not None else self.copies
        if self.later is not None:
            copy = shared.copy(self.key, etag)
            if copy is not None:
                return copy.response
            kept = shared.get(self.key)
        if kept is None or kept.etag != etag:
            return None
        if shared is not None:
            shared.keep_copy(self.key, etag, kept)
        return kept.response


def make_canonical(request, parameters: Collection[str]) -> None:
    """Rewrite the request's query as the page's canonical address.

    Only ``parameters`` and the zone are kept, sorted by name (the values of
    one name keep their order); the zone is written by its canonical name, or
    left out when it is UTC. A zone that is not one is kept as written: the
    page says it was refused.
    """
    asked = request.GET
    zone = zone_of(request)  # read from the address as it came
    kept: list[tuple[str, list[str]]] = [
        (name, asked.getlist(name)) for name in parameters if name in asked
    ]
    if zone.refused is not None:
        kept.append((ZONE_PARAMETER, [asked.get(ZONE_PARAMETER, "")]))
    elif not zone.is_default:
        kept.append((ZONE_PARAMETER, [zone.name]))
    canonical = QueryDict(mutable=True)
    for name, values in sorted(kept):
        canonical.setlist(name, values)
    query = canonical.urlencode()
    request.GET = QueryDict(query)
    request.META["QUERY_STRING"] = query


def key_of(request) -> str:
    """The cache key of the page a (canonical) request asks for, in its language."""
    language = getattr(request, "LANGUAGE_CODE", "")
    address = f"{language}|{request.get_full_path()}"
    return KEY_PREFIX + hashlib.sha256(address.encode()).hexdigest()[:40]


def may_keep(request, response: HttpResponse) -> bool:
    """Whether ``response`` holds nothing per reader, so that any reader may be given it."""
    session = getattr(request, "session", None)
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Vary")
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.accessed)
    )


def render_once(
    cache, key: str, etag: str, render: Callable[[], HttpResponse], keep: Callable
) -> HttpResponse:
    """The page for ``etag``, rendered by one process of all those asking for it at once.

    ``render()`` makes the response, and ``keep(response)`` stores it under
    ``key`` when any reader may have it. The lock is named by the validator
    too, so a page for a newer version or minute is never waited for behind
    one for an older. A waiting process serves the page only when it was
    rendered for ``etag``, exactly as a kept page is; it renders for itself
    when the lock is let go without a page (an error, a page for one reader),
    when the lock cannot be read (the cache failed), or when it lapses.
    """
    lock = f"{key}:rendering:{etag}"
    if cache.add(lock, 1, RENDER_LOCK_SECONDS):
        try:
            response = render()
            keep(response)
        finally:
            # Had the render outlasted the lock, the next holder's would go too: one more render.
            cache.delete(lock)
        return response
    deadline = time.monotonic() + RENDER_LOCK_SECONDS
    while True:
        found = cache.get_many([key, lock])
        kept = found.get(key)
        if kept is not None and kept.etag == etag:
            return kept.response
        if found.get(lock) is None or time.monotonic() >= deadline:
            return render()
        time.sleep(WAIT_STEP_SECONDS)
