"""Schemathesis against the tracker's own OpenAPI schema: the harness every API shares.

``contract(...)`` loads the schema the server publishes at ``/api/schema/``
(made by the same generator, as the test module is collected, before any
database is there) into Schemathesis, keeps the operations of one API by
their path, and sets how they are tried: every check Schemathesis has, a
bounded number of examples an operation, derandomised so a run is
repeatable, and no example database, so nothing carries over between runs.
Requests go to the Django application itself, in the test's database. A test
module then asks Schemathesis to try each operation:

    public_api = contract("^/api/", exclude_path_regex="^/api/staff/")

    @public_api.parametrize()
    def test_the_public_api_keeps_its_schema(case, public_record):
        with the_tests_connection_kept():
            case.call_and_validate(headers=PLAIN)

Another API (the staff API under /api/staff/) is added the same way, with its
own operations, a token in ``headers`` and its own allowances.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

SCHEMA_PATH = "/api/schema/?format=json"
# Schemathesis's WSGI client asks for compressed answers but never undoes a
# Content-Encoding, so the contract is checked on plain bodies; compression has
# its own tests (tests/test_compression.py).
PLAIN = {"Accept-Encoding": "identity"}
EXAMPLES_PER_OPERATION = 30


@contextmanager
def the_tests_connection_kept() -> Iterator[None]:
    """Let the application answer inside the test's transaction, as Django's test client does.

    Django closes a connection it finds in a transaction at the start and end of
    every request; the test's own transaction would go with it (on PostgreSQL).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def config(allowances: str = "") -> schemathesis.Config:
    """Every check, a bounded and repeatable run; ``allowances`` is TOML added to it."""
    return schemathesis.Config.from_str(
        f"""
[generation]
max-examples = {EXAMPLES_PER_OPERATION}
deterministic = true
database = "none"

[checks]
enabled = true
{allowances}
"""
    )


def contract(path_regex: str, *, allowances: str = "", exclude_path_regex: str | None = None):
    """The operations whose path matches ``path_regex``, from the schema the server serves."""
    published = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True)))
    schema = schemathesis.openapi.from_dict(published, config=config(allowances))
    schema.app = WSGIHandler()
    schema.location = SCHEMA_PATH
    schema = schema.include(path_regex=path_regex)
    if exclude_path_regex:
        schema = schema.exclude(path_regex=exclude_path_regex)
    return schema
