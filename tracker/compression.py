"""Compressed public responses: pages, feeds, calendars, CSV files and JSON, for slow phones.

django-compression-middleware does the work (zstd, brotli or gzip, as the
client accepts; streamed responses are compressed as they stream, a chunk at
a time). This decides what it may compress: only responses a shared cache
may keep and give to anyone (``Cache-Control: public``, which
``tracker.http.public_cache`` sets), of a textual type, and never the admin.

Why that rule: compression leaks how alike a response's parts are, so a page
holding both a secret and text an attacker chooses can give the secret away
(BREACH). A public response holds no secret at all: it is the same for every
reader, sets no cookie and carries no CSRF token or session, which is why a
shared cache may serve it to anyone. The admin, the subscription pages and the
staff API, which do hold tokens, are never public responses, and the admin is
also left out by its address, whatever it sends.

A compressed response varies by ``Accept-Encoding`` and its ETag becomes weak
(the same content, another encoding), and a 304 carries the same, so
conditional GETs keep working through caches with and without compression.
"""

from __future__ import annotations

from compression_middleware.middleware import CompressionMiddleware, compressor
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers

COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/xml",
    "application/atom+xml",
    "application/rss+xml",
    "application/vnd.oai.openapi",
    "image/svg+xml",
)


def is_admin(request) -> bool:
    try:
        return request.path.startswith(reverse("admin:index"))
    except NoReverseMatch:  # a URLconf without the admin
        return False


def is_public(response) -> bool:
    directives = [d.strip() for d in response.get("Cache-Control", "").split(",")]
    return "public" in directives


class PublicCompressionMiddleware(CompressionMiddleware):
    """Compress public textual responses, when the client accepts it; leave everything else."""

    def process_response(self, request, response):
        if is_admin(request) or not is_public(response):
            return response
        # The same address answers in several encodings: caches must keep them apart,
        # and a 304 must say so as the 200 it stands for does.
        patch_vary_headers(response, ("Accept-Encoding",))
        if response.status_code == 304:
            encoding, _compress, _stream = compressor(request.META.get("HTTP_ACCEPT_ENCODING", ""))
            etag = response.get("ETag", "")
            if encoding and etag.startswith('"'):
                response["ETag"] = "W/" + etag
            return response
        if not response.get("Content-Type", "").startswith(COMPRESSIBLE):
            return response
        return super().process_response(request, response)
