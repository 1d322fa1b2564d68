"""How long a search takes, for a few searches chosen to stress it differently.

Each search is asked through the search page, as a reader would, with the
page cache cleared before each request, so the figures are for a search
nobody has made this minute. The words are chosen from the generated data:

- ``energ``: the beginning of a word in commitments' titles (a few hundred);
- ``kharkiv``: a place in one claim in eight, the newest of which are ranked;
- ``russia ukraine``: two words nearly every claim holds;
- ``sloviansk``: a word no record holds, which the index must rule out;
- ``енергет``: Cyrillic, the heavy commitment's Ukrainian title;
- ``report talks``: the sources' titles (one for every twenty claims).

``bench.pages`` runs it after the pages; on its own, inside a bench database,
``python -m bench.search`` prints the same figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from urllib.parse import urlencode

import django

SEARCHES = ["energ", "kharkiv", "russia ukraine", "sloviansk", "енергет", "report talks"]


def measure(client, times: int, budget: float, trivial_p50_ms: float) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.timing import repeat, summary

    searches = {}
    for words in SEARCHES:
        url = f"/search/?{urlencode({'q': words})}"
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        measured = {
            "url": url,
            "status": response.status_code,
            "queries": len(queries),
            "results": response.content.count(b'class="search-hit"'),
            **summary(
                repeat(
                    lambda url=url: client.get(url), times=times, budget=budget, before=cache.clear
                )
            ),
        }
        measured["vs_trivial"] = round(measured["p50_ms"] / trivial_p50_ms, 1)
        searches[words] = measured
        print(f"    search {words!r}: {measured['p50_ms']:.1f} ms", file=sys.stderr)
    slowest = max(searches.values(), key=lambda m: m["p50_ms"])
    return {
        "searches": searches,
        "slowest_p50_ms": slowest["p50_ms"],
        "slowest_vs_trivial": slowest["vs_trivial"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per measurement")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.test import Client

    from bench.timing import repeat, summary

    client = Client()
    client.get("/bench/trivial/")
    trivial = summary(
        repeat(
            lambda: client.get("/bench/trivial/"), times=options.repeat * 10, budget=options.budget
        )
    )
    measured = measure(client, options.repeat, options.budget, trivial["p50_ms"])
    print(json.dumps({"trivial": trivial, "search": measured}))


if __name__ == "__main__":
    main()
