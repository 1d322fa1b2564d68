"""The canonical JSON of the log's entries: RFC 8785 (JSON Canonicalization Scheme).

Keys sorted by their UTF-16 code units, no white space, strings in UTF-8 with
only the escapes JSON requires, numbers as ECMAScript prints them. Two
parties who hold the same value write the same bytes, so a hash of the text
is a hash of the value. The ``rfc8785`` package does the work; the log's
values are only strings, integers, booleans, nulls, lists and objects.
"""

from __future__ import annotations

import json

import rfc8785


def dumps(value) -> bytes:
    return rfc8785.dumps(value)


def loads(text: str | bytes):
    return json.loads(text)
