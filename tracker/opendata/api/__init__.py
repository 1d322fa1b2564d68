"""The read-only JSON API: the open data, paginated and filterable, with an OpenAPI schema."""
