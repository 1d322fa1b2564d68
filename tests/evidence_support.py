"""A web server on 127.0.0.1 for the capture tests: pages that behave well and badly."""

from __future__ import annotations

import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = b"<!doctype html><title>Statement</title><p>The pause holds from 18 March.</p>"


def answer(handler, status=200, body=b"", content_type="text/html; charset=utf-8", headers=()):
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in headers:
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


class Site:
    """Routes are set per test: ``site.pages["/statement"] = (200, b"...")``, or a function
    taking the request handler for anything odd. Requests are recorded."""

    def __init__(self):
        self.pages: dict[str, object] = {"/statement": (200, PAGE)}
        self.requests: list[dict] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                site.requests.append({"path": self.path, "headers": dict(self.headers)})
                page = site.pages.get(self.path)
                if page is None:
                    answer(self, 404, b"Not found")
                elif callable(page):
                    page(self)
                else:
                    status, body, *rest = page
                    answer(self, status, body, *rest)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        host, port = self.server.server_address
        return f"http://{host}:{port}{path}"

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        self.pages[path] = lambda h: answer(h, status, b"", headers=[("Location", to)])

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def trickle(handler, every: float = 0.2, for_seconds: float = 5.0):
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    ends = time.monotonic() + for_seconds
    try:
        while time.monotonic() < ends:
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(every)
    except OSError:
        pass


def endless(handler, chunk: int = 1 << 16, total: int = 64 << 20):
    """A body with no declared length that goes on past any sensible limit."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/octet-stream")
    handler.send_header("Connection", "close")
    handler.end_headers()
    sent = 0
    try:
        while sent < total:
            handler.wfile.write(b"\0" * chunk)
            sent += chunk
    except OSError:
        pass
    handler.close_connection = True


def declares_huge(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "application/pdf")
    handler.send_header("Content-Length", str(10 * 2**30))
    handler.end_headers()


def gzip_bomb(handler, expands_to: int = 64 << 20):
    body = gzip.compress(b"\0" * expands_to, compresslevel=9)
    answer(handler, 200, body, headers=[("Content-Encoding", "gzip")])


def gzipped(content: bytes):
    def page(handler):
        answer(handler, 200, gzip.compress(content), headers=[("Content-Encoding", "gzip")])

    return page


def not_http(handler):
    handler.wfile.write(b"THIS IS NOT HTTP\r\n\r\n")
    handler.close_connection = True
