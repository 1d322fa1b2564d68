"""Real ``manage.py alerts --loop`` processes on the test's PostgreSQL database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def start_worker(
    smtp_port: int, log: Path, *, send_deadline: int, lease: int, **settings: str
) -> subprocess.Popen:
    """One worker looping every second, with short deadlines and leases for a test."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "EMAIL_BACKEND", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DATABASE_URL=database_url(),
        CONN_MAX_AGE="0",
        DEBUG="0",
        ALERTS_ALLOW_PRIVATE_TARGETS="1",
        ALERTS_SEND_DEADLINE=str(send_deadline),
        ALERTS_WEBHOOK_TIMEOUT="10",
        EMAIL_TIMEOUT="10",
        ALERTS_LEASE=str(lease),
        ALERTS_FIRST_RETRY="1",
        ALERTS_LONGEST_RETRY="2",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        **settings,
    )
    return subprocess.Popen(
        [sys.executable, "manage.py", "alerts", "--loop", "--interval", "1"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


def stop(workers: list[subprocess.Popen], within: float = 20) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=within)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def wait_for(condition, timeout: float, what: str):
    """Poll ``condition`` (the database has no signal to wait on) until it holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"waited {timeout} s for {what}")


def kill_holder(claimed_by: str, workers: list[subprocess.Popen]) -> subprocess.Popen:
    """SIGKILL the worker whose name (host:pid:pass) is ``claimed_by``, and wait for its end."""
    pid = int(claimed_by.split(":")[1])
    [worker] = [w for w in workers if w.pid == pid]
    os.kill(pid, signal.SIGKILL)
    worker.wait()
    return worker
