"""What every record's text and time zone must be, checked by the models and the services."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

from tracker import clock

LINE_BREAKS_AND_TABS = frozenset("\n\r\t")


def has_control_characters(text: str, *, multiline: bool) -> bool:
    """Whether ``text`` holds a NUL byte or another control character (Unicode category Cc).

    Long texts may break lines and indent with tabs; one-line texts may not.
    """
    allowed = LINE_BREAKS_AND_TABS if multiline else frozenset()
    return any(unicodedata.category(c) == "Cc" and c not in allowed for c in text)


def validate_time_zone(value: str) -> None:
    try:
        clock.zone(value)
    except clock.InvalidTimeZone as exc:
        raise ValidationError(str(exc), code="invalid_time_zone") from exc
