"""Served throughput: the site under gunicorn (2 workers), loaded by wrk on loopback.

Besides the trivial view and the board, the commitment page with the most
claims is loaded with 16 connections, and, with PostgreSQL and Redis, served
by two gunicorn servers at once (two web nodes on two ports, one wrk for
each) while a change made in a third process must show on the second node's
very next page. ``soak`` keeps the commitment page under load for minutes.

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
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.names import HEAVY_PAGE

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


def wrk(url: str, seconds: int, conditional: bool, etag: str, connections: int):
    """Start one wrk run: 2 threads, ``connections`` connections, for ``seconds``."""
    env = {**os.environ, "BENCH_CONDITIONAL": "1" if conditional else "0", "BENCH_ETAG": etag}
    command = [
        "wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "120s",
        "-s", str(BENCH_DIR / "load.lua"), url,
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)


def result_of(run) -> dict:
    output, _ = run.communicate()
    if run.returncode:
        raise RuntimeError(f"wrk failed:\n{output}")
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    result = json.loads(line.removeprefix("BENCH "))
    result["requests_per_second"] = round(result["requests"] / result["seconds"], 1)
    return result


def load(url: str, seconds: int, conditional: bool, etag: str, connections: int = 8) -> dict:
    """One wrk run: 2 threads, 8 connections unless told, for ``seconds``."""
    return result_of(wrk(url, seconds, conditional, etag, connections))


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
    """The trivial view, the board revalidated and from cold, and the commitment page.

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
    with gunicorn(env) as base:
        results["commitment_16"] = load(
            base + HEAVY_PAGE, seconds, conditional=False, etag="", connections=16
        )
    return results


def shares_state(env: dict) -> bool:
    """Whether two servers can share everything: PostgreSQL, and Redis for the cache."""
    return bool(env.get("REDIS_URL")) and env.get("DATABASE_URL", "").startswith("postgres")


def two_nodes(env: dict, seconds: int) -> dict:
    """Two servers on two ports, sharing PostgreSQL and Redis, each loaded by its own wrk.

    Then a change made in a third process (as through a node's admin) must
    show on the second server's next page of the commitment, at once.
    """
    with gunicorn(env) as first, gunicorn(env) as second:
        runs = [
            wrk(base + HEAVY_PAGE, seconds, conditional=False, etag="", connections=8)
            for base in (first, second)
        ]
        nodes = [result_of(run) for run in runs]
        visible = change_seen_by_the_other_node(env, second + HEAVY_PAGE)
    return {
        "nodes": nodes,
        "requests_per_second": round(sum(n["requests_per_second"] for n in nodes), 1),
        "errors": sum(n["errors"] for n in nodes),
        "change_seen_at_once": visible,
    }


def change_seen_by_the_other_node(env: dict, page: str) -> bool:
    marker = f"two-node check {uuid.uuid4().hex}"
    urllib.request.urlopen(page, timeout=60).read()  # the page as it was, cached by now
    made = subprocess.run(
        [sys.executable, "-m", "bench.change", "record", marker],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    event_id = made.stdout.strip().splitlines()[-1]
    try:
        return marker in urllib.request.urlopen(page, timeout=60).read().decode()
    finally:
        subprocess.run(
            [sys.executable, "-m", "bench.change", "remove", event_id],
            cwd=ROOT, env=env, capture_output=True, check=True,
        )  # fmt: skip


def soak(env: dict, seconds: int) -> dict:
    """The commitment page under 16 connections for ``seconds`` on one server."""
    with gunicorn(env) as base:
        return load(base + HEAVY_PAGE, seconds, conditional=False, etag="", connections=16)
