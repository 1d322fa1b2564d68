"""Texts and instants as the staff API reads them, and as its schema states them.

A client generated from the schema must never meet a refusal the schema does
not describe. So each rule the server keeps on a text or an instant is kept
here once, both as the check and as the words of the schema:

- a text is a JSON string, never a number turned into one (``"reason": 0``
  is refused);
- it holds no control characters (a long text may break lines and indent);
- its length is counted as sent, before surrounding spaces are trimmed;
- a text that must be given is not blank: it has a character other than
  spaces;
- an instant is in ISO 8601 with its zone, in a year from 1900 to 2099 (the
  schema's pattern); and not before 1900 nor after now, give or take the
  clocks' disagreement, which only the server's clock can say (the
  description says it; ``tracker.models.validate_reported_instant``).

The refusals use the words the admin and the import use
(``tracker.models.validators``).
"""

from __future__ import annotations

import re

from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.fields import empty

from tracker.models.validators import (
    CONTROL_CHARACTERS,
    LINE_BREAKS_AND_TABS,
    REQUIRED,
    has_control_characters,
)


def _ranges(characters: list[str]) -> str:
    """A regular expression's character class body for ``characters``, as \\uXXXX ranges."""
    codes = sorted(ord(c) for c in characters)
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(
        f"\\u{start:04x}" if start == end else f"\\u{start:04x}-\\u{end:04x}"
        for start, end in ranges
    )


# Every character Python takes for a space (all below U+10000), as ``str.strip`` trims them; and
# the control characters (Unicode category Cc), all of them or all but line breaks and tabs.
_BMP = [chr(code) for code in range(0x10000)]
SPACES = [c for c in _BMP if c.isspace()]
CONTROLS = [c for c in _BMP if has_control_characters(c, multiline=False)]
CONTROLS_BUT_LINES = [c for c in CONTROLS if c not in LINE_BREAKS_AND_TABS]


def text_pattern(*, multiline: bool, blank: bool) -> str:
    """A text the server takes: no control characters, and not blank unless allowed."""
    refused = _ranges(CONTROLS_BUT_LINES if multiline else CONTROLS)
    if blank:
        # One character at least: drf-spectacular offers the empty text beside the pattern
        # (``oneOf``), which must not match it too.
        return f"^[^{refused}]+$"
    neither = _ranges(sorted({*SPACES, *(CONTROLS_BUT_LINES if multiline else CONTROLS)}))
    return f"^[^{refused}]*[^{neither}][^{refused}]*$"


# A year from 1900 to 2099; the rest of an instant is what ``format: date-time`` says.
INSTANT_PATTERN = "^(19|20)[0-9]{2}-"
INSTANT_BOUNDS = (
    "Not before 1900-01-01T00:00:00Z, and not later than now (five minutes' difference "
    "between clocks is allowed)."
)


class Text(serializers.CharField):
    """A JSON string without control characters, its length counted as sent."""

    multiline = False
    # A text that must be given is required, blank or left out, in the words of every door.
    default_error_messages = {"blank": REQUIRED}

    def __init__(self, *, enum: list[str] | None = None, **kwargs):
        self.enum = enum  # the values it may take, stated in the schema; its validators check them
        super().__init__(**kwargs)
        # Their words are said before them (``run_validation``), for every door says them alike.
        self.validators = [
            v
            for v in self.validators
            if not isinstance(v, ProhibitNullCharactersValidator | MaxLengthValidator)
        ]

    def run_validation(self, data=empty):
        if data is not empty and data is not None:
            if not isinstance(data, str):
                self.fail("invalid")
            if self.max_length is not None:
                MaxLengthValidator(self.max_length)(data)
            if has_control_characters(data, multiline=self.multiline):
                raise serializers.ValidationError(CONTROL_CHARACTERS, code="control_characters")
        return super().run_validation(data)


# An address as the staff API takes it: Django's URL validator's rule (the admin's), and
# more strictly a URI as RFC 3986 writes one, which the schema's pattern states whole:
# the schemes Django takes; a host name of a label of up to 63 characters, up to four
# more of up to 30, and a top-level domain of letters, so never more than Django's 253
# characters; then ASCII only, any other character percent-encoded. Django also takes
# localhost and IP addresses, which no source's address is.


def _label(longest: int) -> str:
    return f"[a-zA-Z0-9](?:[a-zA-Z0-9-]{{0,{longest - 2}}}[a-zA-Z0-9])?"


_URI_CHARACTER = "(?:[a-zA-Z0-9._~!$&'()*+,;=:@/?-]|%[0-9a-fA-F]{2})"
ADDRESS_PATTERN = (
    f"^(?:https?|ftps?)://{_label(63)}\\.(?:{_label(30)}\\.){{0,4}}[a-zA-Z]{{2,24}}\\.?"
    f"(?::[0-9]{{1,5}})?(?:[/?]{_URI_CHARACTER}*)?(?:#{_URI_CHARACTER}*)?$"
)
ADDRESS_RULES = (
    "An http, https, ftp or ftps address whose host is a domain name; characters other "
    "than ASCII letters, digits and punctuation are percent-encoded."
)


class Address(serializers.URLField):
    """A web address, as Django's URL validator takes them and as the schema's pattern says."""

    def __init__(self, **kwargs):
        kwargs["help_text"] = f"{kwargs.get('help_text') or ''} {ADDRESS_RULES}".strip()
        super().__init__(**kwargs)

    def run_validation(self, data=empty):
        if isinstance(data, str) and data and not re.fullmatch(ADDRESS_PATTERN, data):
            self.fail("invalid")
        return super().run_validation(data)


class AddressSchema(OpenApiSerializerFieldExtension):
    target_class = Address

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["pattern"] = ADDRESS_PATTERN
        else:
            # An address saved in the admin may be written in any script: not always a URI.
            schema.pop("format", None)
        return schema


class LongText(Text):
    """A text that may break lines and indent with tabs."""

    multiline = True


class TextSchema(OpenApiSerializerFieldExtension):
    """States a text's rules in the schema: its pattern, its length, its values if listed."""

    target_class = Text
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        field = self.target
        if field.max_length is not None:
            schema["maxLength"] = field.max_length
        if field.enum is not None:
            schema["enum"] = field.enum
        elif direction == "request":
            schema["pattern"] = text_pattern(multiline=field.multiline, blank=field.allow_blank)
            if not field.allow_blank:
                schema["minLength"] = max(schema.get("minLength", 0), 1)
        return schema


class StrictSchema(OpenApiSerializerExtension):
    """A body the staff API reads takes no other properties than those the schema names,
    and always its reason."""

    target_class = "tracker.staff.api.serializers.Strict"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        if direction == "request":
            schema["additionalProperties"] = False
            # Every write needs a reason, an edit of one field (PATCH) included.
            if "reason" in self.target.fields:
                schema["required"] = sorted({*schema.get("required", []), "reason"})
        return schema


class InstantSchema(OpenApiSerializerFieldExtension):
    """States an instant's years in the schema, and the bounds only the server's clock can keep."""

    target_class = "tracker.staff.api.serializers.InstantField"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["pattern"] = INSTANT_PATTERN
        return schema
