"""Reading a staff request's JSON body, within limits no staff tool comes near.

A claim is an object holding a list of objects at most (its quantities),
three levels deep. Python's JSON decoder recurses once per level, so a body
nested thousands of levels deep would exhaust its recursion; and a body is
read into memory whole. So before anything is decoded, the body's size is
checked as it is read (512 KB, far more than any claim needs) and its depth
by counting brackets outside strings; each refusal is a 400 that says the
limit.
"""

from __future__ import annotations

import io
import re
from itertools import accumulate

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Far deeper than any body the staff API reads, far shallower than Python's recursion.
MAX_DEPTH = 20
# A JSON string, to its closing quote or to the end of a body that never closes it. Written
# so that the regular expression engine keeps no state per character (runs of plain
# characters, possessive): a string of two million escapes costs no memory to skip.
STRINGS = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"?', re.DOTALL)
NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))
STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


# A claim with long texts in three languages and a hundred sources is a few kilobytes.
MAX_BODY_BYTES = 512 * 1024


def largest_body() -> int:
    """The largest body read: 512 KB, or Django's own limit for a request if that is less."""
    return min(MAX_BODY_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def nests_deeper_than(body: bytes, most: int) -> bool:
    """Whether the arrays and objects of a JSON text nest more than ``most`` levels deep.

    Brackets inside strings are not counted. The deepest level is read off a
    running count of the brackets alone, well formed or not, in a few passes
    that each run at the speed of C over the body: first counting every
    bracket, which can only overstate the depth, then, only when that says
    too deep, again with the strings taken out (which costs memory with the
    number of strings, bounded by the size of the body).
    """
    if body.count(b"[") + body.count(b"{") <= most:
        return False  # too few brackets to nest that deep: every body a tool sends
    if _deepest(body) <= most:
        return False
    return _deepest(STRINGS.sub(b"", body)) > most


def _deepest(text: bytes) -> int:
    brackets = text.translate(None, NOT_BRACKETS)
    return max(accumulate(map(STEP.__getitem__, brackets)), default=0)


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
