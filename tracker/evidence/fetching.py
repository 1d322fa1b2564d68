"""Fetching a cited address the way a careful archivist would, and never further.

The same address rule as alerts (``tracker.alerts.addresses``): each host is
resolved once, every address it names must be public (not private, loopback or
link-local), and the connection goes to the checked address. Redirects are
followed by hand, up to ``SOURCES_CAPTURE_MAX_REDIRECTS``, and every new address
is checked as the first was. The whole fetch, however slowly the other end
trickles, is stopped at ``SOURCES_CAPTURE_TIMEOUT`` (``tracker.alerts.deadlines``);
an answer larger than ``SOURCES_CAPTURE_MAX_BYTES``, or a compressed one that
would expand past it, is refused before it is held in memory. Whatever goes
wrong raises ``FetchFailed`` with a sentence staff can read.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from tracker.alerts import deadlines
from tracker.alerts.addresses import PrivateTarget, checked_address

CHUNK = 1 << 16
READ_TIMEOUT = 20
ACCEPT = "text/html,application/xhtml+xml,application/pdf,image/*;q=0.9,*/*;q=0.8"


class FetchFailed(Exception):
    """No copy could be made; the message says why, for staff."""


@dataclass
class Fetched:
    """One exchange as it happened: what was asked and what came back."""

    url: str
    final_url: str
    status: int
    reason: str
    http_version: str
    headers: list[tuple[str, str]]
    request_line: str
    request_headers: list[tuple[str, str]]
    served: bytes  # the body as it came over the wire (perhaps compressed)
    body: bytes  # the document itself, decompressed
    redirects: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        for name, value in self.headers:
            if name.lower() == "content-type":
                return value.strip()[:200]
        return ""


def _connect(host: str, port: int, timeout):
    allow = getattr(settings, "SOURCES_ALLOW_PRIVATE_TARGETS", False)
    return deadlines.create_connection((checked_address(host, allow_private=allow), port), timeout)


class CheckedHTTPConnection(http.client.HTTPConnection):
    def connect(self):
        self.sock = _connect(self.host, self.port, self.timeout)


class CheckedHTTPSConnection(http.client.HTTPSConnection):
    def connect(self):
        sock = _connect(self.host, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
        self.sock.settimeout(deadlines.bound(self.sock.gettimeout()))


def max_bytes() -> int:
    return settings.SOURCES_CAPTURE_MAX_BYTES


def fetch(url: str) -> Fetched:
    """GET ``url``, following redirects under the address rule; ``FetchFailed`` says why not."""
    seconds = settings.SOURCES_CAPTURE_TIMEOUT
    with deadlines.send_deadline(seconds) as deadline:
        try:
            fetched = _follow(url)
            if deadline.has_passed():
                raise deadlines.DeadlinePassed(deadline.message())
            return fetched
        except FetchFailed:
            raise
        except Exception as exc:
            if deadline.has_passed() or isinstance(exc, deadlines.DeadlinePassed):
                raise FetchFailed(
                    f"No complete answer within {seconds:g} s; the capture was stopped."
                ) from exc
            raise FetchFailed(reason_for(exc)) from exc


def reason_for(exc: Exception) -> str:
    if isinstance(exc, PrivateTarget):
        return str(exc)
    if isinstance(exc, ssl.SSLError):
        return f"The secure connection failed: {exc}"
    if isinstance(exc, http.client.HTTPException):
        return f"The answer was not well-formed HTTP ({type(exc).__name__}: {exc})."
    if isinstance(exc, zlib.error):
        return f"The answer's compressed body is corrupt: {exc}"
    if isinstance(exc, socket.gaierror | OSError):
        return f"Could not reach the address: {exc}"
    return f"Could not capture the address: {exc!r}"


def _follow(url: str) -> Fetched:
    seen = [url]
    current = url
    for _hop in range(settings.SOURCES_CAPTURE_MAX_REDIRECTS + 1):
        fetched = _get(current)
        location = dict((k.lower(), v) for k, v in fetched.headers).get("location")
        if fetched.status not in (301, 302, 303, 307, 308) or not location:
            fetched.url = url
            fetched.redirects = seen[1:]
            return fetched
        current = urljoin(current, location.strip())
        if current in seen:
            raise FetchFailed(f"The address redirects in a loop (back to {current}).")
        seen.append(current)
    raise FetchFailed(
        f"More than {settings.SOURCES_CAPTURE_MAX_REDIRECTS} redirects; stopped at {current}."
    )


def _get(url: str) -> Fetched:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchFailed(f"Only http and https addresses are captured, not “{url[:200]}”.")
    if parts.username or parts.password:
        raise FetchFailed("Addresses with a user name or password are not captured.")
    connection_class = CheckedHTTPSConnection if parts.scheme == "https" else CheckedHTTPConnection
    timeout = min(READ_TIMEOUT, settings.SOURCES_CAPTURE_TIMEOUT)
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    request_headers = [
        ("Host", parts.netloc.rsplit("@", 1)[-1]),
        ("User-Agent", settings.SOURCES_USER_AGENT),
        ("Accept", ACCEPT),
        ("Accept-Encoding", "gzip, deflate"),
        ("Connection", "close"),
    ]
    try:
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        for name, value in request_headers:
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        headers = response.getheaders()
        served = _read_served(response)
        encoding = (response.getheader("Content-Encoding") or "").strip().lower()
        body = decompressed(served, encoding)
        version = "HTTP/1.0" if response.version == 10 else "HTTP/1.1"
        return Fetched(
            url=url,
            final_url=url,
            status=response.status,
            reason=response.reason or "",
            http_version=version,
            headers=headers,
            request_line=f"GET {path} HTTP/1.1",
            request_headers=request_headers,
            served=served,
            body=body,
        )
    finally:
        connection.close()


def _read_served(response) -> bytes:
    limit = max_bytes()
    declared = response.getheader("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > limit:
        raise FetchFailed(too_large(int(declared)))
    chunks, size = [], 0
    while chunk := response.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise FetchFailed(too_large(None))
        chunks.append(chunk)
    if response.length:  # http.client counts down what the Content-Length promised
        raise http.client.IncompleteRead(b"", response.length)
    return b"".join(chunks)


def too_large(size: int | None) -> str:
    limit_mb = max_bytes() / 2**20
    said = f" ({size / 2**20:.1f} MB)" if size else ""
    return f"The answer is larger{said} than the {limit_mb:g} MB kept of any page."


def decompressed(served: bytes, encoding: str) -> bytes:
    """The document inside a gzip or deflate body, refused once it passes the size limit."""
    if encoding in ("", "identity"):
        return served
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise FetchFailed(f"The answer is compressed as “{encoding[:40]}”, which is not read.")
    wbits = 47 if encoding != "deflate" else 15  # 47: gzip or zlib, told by the header
    limit = max_bytes()
    inflater = zlib.decompressobj(wbits)
    out, size, pending = [], 0, served
    while pending:
        chunk = inflater.decompress(pending, CHUNK)
        size += len(chunk)
        if size > limit:
            raise FetchFailed(
                f"The compressed answer expands past the {limit / 2**20:g} MB kept of any page "
                "(a compression bomb?); it was not kept."
            )
        out.append(chunk)
        pending = inflater.unconsumed_tail
        if not chunk and not pending:
            break
    rest = inflater.flush()
    if size + len(rest) > limit:
        raise FetchFailed("The compressed answer expands past the size limit; it was not kept.")
    out.append(rest)
    return b"".join(out)
