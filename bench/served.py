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
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RUNS = [
    ("trivial", "/bench/trivial/", False),
    ("board", "/", False),
    ("board_conditional", "/", True),
]


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
        "wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "30s",
        "-s", str(BENCH_DIR / "load.lua"), url,
    ]  # fmt: skip
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    result = json.loads(line.removeprefix("BENCH "))
    result["requests_per_second"] = round(result["requests"] / result["seconds"], 1)
    return result


def measure(env: dict, seconds: int) -> dict:
    """Start gunicorn on the bench database in ``env``, load each address, stop it."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (apt-get install wrk).")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_serving(base + "/bench/trivial/")
        with urllib.request.urlopen(base + "/", timeout=600) as board:
            board.read()
            etag = board.headers["ETag"] or ""
        return {
            name: load(base + path, seconds, conditional, etag) for name, path, conditional in RUNS
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
