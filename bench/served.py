"""Served throughput: the site under gunicorn (2 workers), loaded by wrk on loopback.

wrk is a small C program driven by one event loop; on a 2-core machine it
leaves the cores to the server. A Python client would need most of a core
of its own to keep up with the trivial view, capping that view's rate and
flattering every ratio against it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def load(url: str, seconds: int, conditional: bool, etag: str) -> dict:
    """One wrk run: 2 threads, 8 connections, for ``seconds``."""
    env = {**os.environ, "BENCH_CONDITIONAL": "1" if conditional else "0", "BENCH_ETAG": etag}
    command = [
        "wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "120s",
        "-s", str(BENCH_DIR / "load.lua"), url,
    ]  # fmt: skip
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    result = json.loads(line.removeprefix("BENCH "))
    result["requests_per_second"] = round(result["requests"] / result["seconds"], 1)
    return result


def current_etag(base: str) -> str:
    """The board's ETag, without making the server render the board.

    A far-future If-Modified-Since makes the conditional-GET wrapper answer
    304, and a 304 carries the ETag.
    """
    request = urllib.request.Request(
        base + "/", headers={"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.headers["ETag"] or ""
    except urllib.error.HTTPError as answer:  # urllib reports a 304 as an error
        return answer.headers["ETag"] or ""


def wait_for_a_quiet_minute(seconds: int) -> None:
    """The ETag names the current minute: start a conditional run where it fits in one."""
    remaining = 60 - time.time() % 60
    if remaining < seconds + 3:
        time.sleep(remaining + 1)


@contextmanager
def gunicorn(env: dict) -> Iterator[str]:
    """A fresh server for one run, so no run queues behind the last one's slow requests.

    Its log goes to a file, shown only if it fails to start: stopping it
    mid-request (on purpose, see below) prints tracebacks that mean nothing.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile(mode="w+") as log:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "600",
                "--log-level",
                "warning",
            ],  # fmt: skip
            cwd=ROOT,
            env={**env, "PYTHONWARNINGS": "ignore"},
            stdout=log,
            stderr=log,
        )
        try:
            try:
                wait_until_serving(base + "/bench/trivial/")
            except OSError as exc:
                log.seek(0)
                raise RuntimeError(f"gunicorn did not start:\n{log.read()}") from exc
            yield base
        finally:
            server.send_signal(signal.SIGQUIT)  # stop now, not after the requests in hand
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def measure(env: dict, seconds: int) -> dict:
    """The trivial view, the board revalidated with its ETag, and the board from cold.

    Each run gets a fresh gunicorn. "Cold" means nothing cached in the
    server yet: each worker renders the board before it can answer.
    """
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (apt-get install wrk).")
    results = {}
    with gunicorn(env) as base:
        results["trivial"] = load(base + "/bench/trivial/", seconds, conditional=False, etag="")
    with gunicorn(env) as base:
        wait_for_a_quiet_minute(seconds)
        etag = current_etag(base)
        results["board_conditional"] = load(base + "/", seconds, conditional=True, etag=etag)
    with gunicorn(env) as base:
        results["board_cold"] = load(base + "/", seconds, conditional=False, etag="")
    return results
