"""The staff API's rate limit holds when a tool sends many requests at once.

Each request is counted by one atomic step of the shared cache, so of 200 requests
arriving together no more than the limit are let through; counted by reading the count
and writing it back, about half of such a burst got past a limit of 60 a minute.
"""

import datetime as dt
import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory
from tests.slow_caches import slowed

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BURST = 200


def post_together(url: str, key: str, count: int, senders: int = 8) -> Counter:
    """Send ``count`` requests from ``senders`` threads at once, and count the answers by status.

    A few senders at a time, each sending its share back to back, keep as many requests in
    flight as the test server accepts at once.
    """
    ready = threading.Barrier(senders)

    def post_share(share: int) -> list[int]:
        ready.wait()
        answers = []
        for _ in range(share):
            request = urllib.request.Request(
                url,
                data=json.dumps({}).encode(),
                method="POST",
                headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    answers.append(response.status)
            except urllib.error.HTTPError as answer:
                answers.append(answer.code)
        return answers

    shares = [count // senders + (n < count % senders) for n in range(senders)]
    with ThreadPoolExecutor(max_workers=senders) as pool:
        return Counter(status for answers in pool.map(post_share, shares) for status in answers)


def test_no_more_than_the_limit_get_through_when_requests_arrive_together(live_server, settings):
    settings.STAFF_API_RATE = "60/min"
    settings.CACHES = slowed(settings.CACHES)  # the shared cache, a network away
    editor = UserFactory(username="editor", role="Editors")
    key = Token.objects.create(user=editor).key

    # Frozen, so the burst cannot straddle two of the limit's minutes.
    with time_machine.travel(dt.datetime(2025, 4, 20, 12, 0, 0, tzinfo=dt.UTC), tick=False):
        answers = post_together(f"{live_server.url}/api/staff/events/", key, BURST)

    # Let through, the empty claim is refused as invalid (400); the rest are told to wait.
    assert answers == Counter({400: 60, 429: BURST - 60})
