"""Query count and server time of the public pages, against their baselines and the floor.

Run inside a bench database (``make bench`` does it); prints JSON on stdout.
Pages are requested through Django's test client, so every request passes
the real URLs, middleware and conditional-GET wrapper. The page cache is
cleared before each request: the figures are for a page nobody has asked for
this minute, the case the database has to answer. Between a page's
repetitions the trivial view is timed too, so that the page's cost over it
(``vs_trivial_beside``) is read from the same seconds. A few searches follow
(``bench.search``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import django

TRIVIAL = "/bench/trivial/"
# A past day's board, in either mode, against today's from the same run: the report's
# target, printed here too so that a run of the boards alone says whether it is met.
PAST_RATIOS = ["as_of_board_vs_board", "as_of_known_board_vs_board"]
PAST_LIMIT = 2


def past_day() -> str:
    """The day halfway between the first agreement and the last: a past with records either side."""
    from django.db.models import Max, Min

    from tracker.models import Agreement

    span = Agreement.objects.aggregate(first=Min("held_on"), last=Max("held_on"))
    return (span["first"] + (span["last"] - span["first"]) / 2).isoformat()


def measure(times: int, budget: float, only: list[str] | None = None) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench import baselines, search
    from bench.names import HEAVY_SLUG, SIDE_PARTY_SLUG
    from bench.timing import repeat, summary
    from tracker.models import Commitment, ComplianceEvent

    pages = [
        ("board", "/"),
        ("commitment", f"/commitments/{HEAVY_SLUG}/"),
        ("changelog", "/changes/"),
        ("api_list", "/api/events/"),
        ("atom_feed", "/changes/feed/"),
        ("commitment_feed", f"/commitments/{HEAVY_SLUG}/feed/"),
        ("icalendar", "/calendar.ics"),
        ("party", f"/parties/{SIDE_PARTY_SLUG}/"),
        ("search", "/search/?q=energ"),
        # The board of a past day, halfway through the history: read from the history tables.
        ("as_of_board", f"/as-of/{past_day()}/"),
        # The same day as known now: today's records as they applied then.
        ("as_of_known_board", f"/as-of/{past_day()}/?known=now"),
    ]
    client = Client()
    client.get(TRIVIAL)  # imports and first connection, outside the timing
    trivial = summary(repeat(lambda: client.get(TRIVIAL), times=times * 10, budget=budget))
    heavy = Commitment.objects.get(slug=HEAVY_SLUG)
    result = {
        "data": {
            "commitments": Commitment.objects.count(),
            "events": ComplianceEvent.objects.count(),
            "event_history_rows": ComplianceEvent.history.count(),
            "heavy_commitment_events": ComplianceEvent.objects.filter(commitment=heavy).count(),
        },
        "trivial": trivial,
        "pages": {},
    }
    for name, url in pages:
        if only and name not in only:
            continue
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        page = {
            "url": url,
            "status": response.status_code,
            "bytes": len(response.content),
            "queries": len(queries),
        }
        trivial_beside: list[float] = []

        def before_each(trivial_beside=trivial_beside):
            cache.clear()
            trivial_beside.extend(repeat(lambda: client.get(TRIVIAL), times=10, budget=1))

        samples = repeat(
            lambda url=url: client.get(url), times=times, budget=budget, before=before_each
        )
        page.update(summary(samples))
        page["trivial_beside_p50_ms"] = summary(trivial_beside)["p50_ms"]
        render = baselines.for_page(name, client, url, HEAVY_SLUG)
        render()
        with CaptureQueriesContext(connection) as baseline_queries:
            render()
        baseline = summary(repeat(render, times=times, budget=budget))
        page["baseline_p50_ms"] = baseline["p50_ms"]
        page["baseline_queries"] = len(baseline_queries)
        page["vs_baseline"] = round(page["p50_ms"] / baseline["p50_ms"], 2)
        page["vs_trivial"] = round(page["p50_ms"] / trivial["p50_ms"], 1)
        # Against the trivial view timed between the page's own repetitions: the
        # machine's speed drifts over the minutes the pages take.
        page["vs_trivial_beside"] = round(page["p50_ms"] / page["trivial_beside_p50_ms"], 1)
        result["pages"][name] = page
        print(f"    {name}: {page['p50_ms']:.1f} ms, {page['queries']} queries", file=sys.stderr)
    if "board" in result["pages"] and "as_of_board" in result["pages"]:
        # A past day's board against today's, from the same run: the past is rebuilt, not stored.
        past, today = result["pages"]["as_of_board"], result["pages"]["board"]
        result["as_of_board_vs_board"] = round(past["p50_ms"] / today["p50_ms"], 2)
    if "board" in result["pages"] and "as_of_known_board" in result["pages"]:
        known, today = result["pages"]["as_of_known_board"], result["pages"]["board"]
        result["as_of_known_board_vs_board"] = round(known["p50_ms"] / today["p50_ms"], 2)
    for key in PAST_RATIOS:
        if key in result:
            verdict = "pass" if result[key] <= PAST_LIMIT else "miss"
            print(f"    {key}: {result[key]} (at most {PAST_LIMIT}: {verdict})", file=sys.stderr)
    if not only:
        result["search"] = search.measure(client, times, budget, trivial["p50_ms"])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per measurement")
    parser.add_argument(
        "--only", type=lambda v: v.split(","), help="these pages alone, e.g. board,commitment"
    )
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    print(json.dumps(measure(options.repeat, options.budget, options.only)))


if __name__ == "__main__":
    main()
