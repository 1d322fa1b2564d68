"""Served throughput: the site under gunicorn (2 workers), loaded by wrk on loopback.

Besides the trivial view and the board, the commitment page with the most
claims is loaded with 16 connections; with Redis, the board is loaded again
while the shared cache is flushed every second; and, with PostgreSQL and Redis, served
by two gunicorn servers at once (two web nodes on two ports, one wrk for
each; every served run is repeated so), and a change made through the first
node must show on the second node's very next page. ``soak`` keeps the
commitment page under load for minutes.

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
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.names import HEAVY_PAGE

TRIVIAL = "/bench/trivial/"
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
        results["board_cold"] = beside_the_trivial_view(
            lambda share: load(base + "/", share, conditional=False, etag=""),
            lambda share: load(base + TRIVIAL, share, conditional=False, etag=""),
            seconds,
        )
    with gunicorn(env) as base:
        warm(base + HEAVY_PAGE)
        results["commitment_16"] = beside_the_trivial_view(
            lambda share: load(base + HEAVY_PAGE, share, False, etag="", connections=16),
            lambda share: load(base + TRIVIAL, share, conditional=False, etag=""),
            seconds,
        )
    if env.get("REDIS_URL"):
        with gunicorn(env) as base:
            results["board_flushed"] = load_while_flushing(base + "/", seconds, env["REDIS_URL"])
    return results


def load_while_flushing(url: str, seconds: int, redis_url: str) -> dict:
    """The board loaded from cold while the shared cache is emptied every second.

    Each flush drops the version and every kept page at once, as a restarted
    or evicting Redis would: the pages must come from the database meanwhile,
    slower, every one a 200.
    """
    import redis

    shared = redis.Redis.from_url(redis_url)
    run = wrk(url, seconds, conditional=False, etag="", connections=8)
    flushes = 0
    while run.poll() is None:
        shared.flushdb()
        flushes += 1
        time.sleep(1)
    result = result_of(run)
    result["flushes"] = flushes
    return result


def beside_the_trivial_view(page_run, trivial_run, seconds: int, slices: int = 3) -> dict:
    """A first-visit run interleaved with the trivial view on the same servers.

    The machine is shared: from one ten-second run to the next its speed can
    change several times over. So the page and the trivial view take turns,
    ``slices`` runs each of a share of ``seconds``, and the page's rate is held
    against the trivial view's over the same stretch (``trivial_beside``), not
    against the trivial view's own run at the start. ``page_run`` and
    ``trivial_run`` take the seconds to load for.
    """
    share = max(1, round(seconds / slices))
    pages, trivials = [], []
    for _ in range(slices):
        trivials.append(trivial_run(share))
        pages.append(page_run(share))
    result = merged(pages)
    result["trivial_beside"] = merged(trivials)["requests_per_second"]
    return result


def merged(runs: list[dict]) -> dict:
    """Consecutive runs of one load as one: counts summed, the slowest percentiles kept."""
    if "nodes" in runs[0]:
        nodes = [merged([run["nodes"][n] for run in runs]) for n in range(len(runs[0]["nodes"]))]
        return {
            "nodes": nodes,
            "requests_per_second": round(sum(n["requests_per_second"] for n in nodes), 1),
            **{key: sum(n[key] for n in nodes) for key in ("ok", "not_modified", "errors")},
            "p99_ms": max(n["p99_ms"] for n in nodes),
        }
    total = {key: sum(run[key] for run in runs) for key in COUNTED}
    total.update({key: max(run[key] for run in runs) for key in PERCENTILES})
    total["seconds"] = round(total["seconds"], 3)
    total["requests_per_second"] = round(total["requests"] / total["seconds"], 1)
    return total


COUNTED = ("requests", "seconds", "ok", "not_modified", "errors")
PERCENTILES = ("p50_ms", "p95_ms", "p99_ms")


def warm(*pages: str) -> None:
    """Ask for each page once, so a short run does not end before the first answer."""
    for page in pages:
        urllib.request.urlopen(page, timeout=600).read()


def shares_state(env: dict) -> bool:
    """Whether two servers can share everything: PostgreSQL, and Redis for the cache."""
    return bool(env.get("REDIS_URL")) and env.get("DATABASE_URL", "").startswith("postgres")


def two_nodes(env: dict, seconds: int) -> dict:
    """The served runs again, on two servers on two ports sharing PostgreSQL and Redis.

    Each run splits its connections between the two servers, one wrk for
    each, so the load tool spreads the readers as a load balancer would.
    Then a change made through the first server must show on the second
    server's very next page of the commitment.
    """
    runs = {}
    with gunicorn(env) as first, gunicorn(env) as second:
        runs["trivial"] = load_both((first, second), "/bench/trivial/", seconds, False, 8)
    with gunicorn(env) as first, gunicorn(env) as second:
        wait_for_a_quiet_minute(seconds)
        etag = current_etag(first)
        runs["board_conditional"] = load_both((first, second), "/", seconds, True, 8, etag)
    with gunicorn(env) as first, gunicorn(env) as second:
        runs["board_cold"] = beside_the_trivial_view(
            lambda share: load_both((first, second), "/", share, False, 8),
            lambda share: load_both((first, second), TRIVIAL, share, False, 8),
            seconds,
        )
    with gunicorn(env) as first, gunicorn(env) as second:
        warm(first + HEAVY_PAGE, second + HEAVY_PAGE)
        runs["commitment_16"] = beside_the_trivial_view(
            lambda share: load_both((first, second), HEAVY_PAGE, share, False, 16),
            lambda share: load_both((first, second), TRIVIAL, share, False, 8),
            seconds,
        )
        visible = change_seen_by_the_other_node(first, second + HEAVY_PAGE)
    commitment = runs["commitment_16"]
    return {
        # The commitment page's figures stay at the top, as they always were.
        "nodes": commitment["nodes"],
        "requests_per_second": commitment["requests_per_second"],
        "errors": sum(run["errors"] for run in runs.values()),
        "change_seen_at_once": visible,
        "runs": runs,
    }


def load_both(
    bases: tuple[str, str],
    page: str,
    seconds: int,
    conditional: bool,
    connections: int,
    etag: str = "",
) -> dict:
    """One run over both servers at once: half the connections each, the results summed."""
    started = [
        wrk(base + page, seconds, conditional, etag, connections // len(bases)) for base in bases
    ]
    nodes = [result_of(run) for run in started]
    return {
        "nodes": nodes,
        "requests_per_second": round(sum(n["requests_per_second"] for n in nodes), 1),
        "ok": sum(n["ok"] for n in nodes),
        "not_modified": sum(n["not_modified"] for n in nodes),
        "errors": sum(n["errors"] for n in nodes),
        "p99_ms": max(n["p99_ms"] for n in nodes),
    }


def change_seen_by_the_other_node(first: str, page: str) -> bool:
    """Record a claim through the first server; is it on the second server's next page?"""
    marker = f"two-node check {uuid.uuid4().hex}"
    urllib.request.urlopen(page, timeout=60).read()  # the page as it was, cached by now
    event_id = post(first + "/bench/change/", {"summary": marker})
    try:
        return marker in urllib.request.urlopen(page, timeout=60).read().decode()
    finally:
        post(first + "/bench/change/", {"remove": event_id})


def post(url: str, fields: dict) -> str:
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=60) as answer:
        return answer.read().decode()


def soak(env: dict, seconds: int) -> dict:
    """The commitment page under 16 connections for ``seconds`` on one server."""
    with gunicorn(env) as base:
        warm(base + HEAVY_PAGE)
        return load(base + HEAVY_PAGE, seconds, conditional=False, etag="", connections=16)
