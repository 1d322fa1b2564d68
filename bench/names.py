"""Names the bench's processes agree on, importable without setting Django up."""

# The commitment that carries a tenth of all events, whose page is measured.
HEAVY_SLUG = "bench-energy-pause"
HEAVY_PAGE = f"/commitments/{HEAVY_SLUG}/"

# A party on one side of every agreement: claimant or accused in about half of all events,
# whose page (and scorecard) is measured.
SIDE_PARTY_SLUG = "ru"
