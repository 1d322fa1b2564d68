"""Repeating a piece of work and summarising how long it took."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def percentile(samples: list[float], share: float) -> float:
    """The value below which ``share`` of the samples fall (nearest rank, no interpolation)."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary(samples: list[float]) -> dict:
    """Milliseconds at the median and the 95th percentile, and how many samples made them."""
    return {
        "p50_ms": round(statistics.median(samples) * 1000, 3),
        "p95_ms": round(percentile(samples, 0.95) * 1000, 3),
        "samples": len(samples),
    }


def repeat(
    work: Callable[[], object],
    *,
    times: int,
    budget: float,
    before: Callable[[], object] | None = None,
) -> list[float]:
    """Run ``work`` up to ``times`` times, stopping early once ``budget`` seconds are spent.

    At least three runs are made whatever the budget, so a slow page still
    gets a median. ``before`` runs ahead of each repetition, outside the timing
    (clearing a cache, say).
    """
    samples: list[float] = []
    spent = 0.0
    while len(samples) < times and (len(samples) < 3 or spent < budget):
        if before is not None:
            before()
        started = time.perf_counter()
        work()
        elapsed = time.perf_counter() - started
        samples.append(elapsed)
        spent += elapsed
    return samples
