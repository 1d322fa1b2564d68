"""Names the bench's processes agree on, importable without setting Django up."""

# The commitment that carries a tenth of all events, whose page is measured.
HEAVY_SLUG = "bench-energy-pause"
HEAVY_PAGE = f"/commitments/{HEAVY_SLUG}/"
