"""Names the bench's processes agree on, importable without setting Django up."""

import os

# The commitment that carries a tenth of all events, whose page is measured.
HEAVY_SLUG = "bench-energy-pause"
HEAVY_PAGE = f"/commitments/{HEAVY_SLUG}/"

# A party on one side of every agreement: claimant or accused in about half of all events,
# whose page (and scorecard) is measured.
SIDE_PARTY_SLUG = "ru"


def database_name(data_set: str) -> str:
    """The PostgreSQL database holding a data set: ``bench-small`` is ``bench_small``.

    ``BENCH_DATABASE_PREFIX`` goes in front, so that several people measuring
    on one shared server each keep their data sets apart.
    """
    return os.environ.get("BENCH_DATABASE_PREFIX", "") + data_set.replace("-", "_")
