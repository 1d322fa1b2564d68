"""Reading a staff request's JSON body, within limits no staff tool comes near.

A claim is an object holding a list of objects at most (its quantities),
three levels deep. Python's JSON decoder recurses once per level, so a body
nested thousands of levels deep would exhaust its recursion; and a body is
read into memory whole. So before anything is decoded, the body's size is
checked as it is read (Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``) and its
depth by counting brackets outside strings; each refusal is a 400 that says
the limit.
"""

from __future__ import annotations

import io
import re

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Far deeper than any body the staff API reads, far shallower than Python's recursion.
MAX_DEPTH = 20
# A string (to its closing quote, or to the end of a body that never closes it) or a bracket:
# each byte is read once, whatever the body, so no body makes the count slow.
TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)


def largest_body() -> int:
    """The largest body read: Django's own limit for what a request may hold in memory."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def nests_deeper_than(body: bytes, most: int) -> bool:
    """Whether the arrays and objects of a JSON text nest more than ``most`` levels deep.

    Brackets inside strings are not counted; the count stops at the first
    level too deep.
    """
    if body.count(b"[") + body.count(b"{") <= most:
        return False  # too few brackets to nest that deep: every body a tool sends
    level = 0
    for token in TOKENS.finditer(body):
        bracket = token[0]
        if bracket in (b"[", b"{"):
            level += 1
            if level > most:
                return True
        elif bracket in (b"]", b"}"):
            level -= 1
    return False


class BoundedJSONParser(parsers.JSONParser):
    """DRF's JSON parser, after checking the body's size and how deep it nests."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = largest_body()
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise ParseError(f"The body is larger than {limit} bytes; send less at a time.")
        if nests_deeper_than(body, MAX_DEPTH):
            raise ParseError(
                f"The body nests arrays and objects more than {MAX_DEPTH} levels deep; "
                "a claim needs three."
            )
        return super().parse(io.BytesIO(body), media_type, parser_context)
