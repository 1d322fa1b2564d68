"""How the demo file is read: the fields each kind of record may have, and its values.

The file is written by hand, so it is read strictly: a field the kind does not
have, a list that is not a list, a date or a local time in any other form is
refused with the value named, and ``about`` names the record it belongs to.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from tracker import clock

# The texts each kind of record keeps in every language (tracker.translation): the
# file gives the English one under its own name and the others beside it
# ("title_uk", "title_ru"), each optional.
TEXTS = {
    "party": ("name", "short_name"),
    "source": ("title",),
    "agreement": ("title", "venue", "summary"),
    "commitment": ("title", "terms", "conditions", "promised_unit"),
    "reading": ("label", "scope"),
    "event": ("summary", "location"),
    "quantity": ("unit",),
    "status change": ("reason",),
}
TRANSLATIONS = [language for language in settings.MODELTRANSLATION_LANGUAGES if language != "en"]


def _translations(kind: str) -> set[str]:
    return {f"{text}_{language}" for text in TEXTS.get(kind, ()) for language in TRANSLATIONS}


def translations(record: dict, kind: str) -> dict[str, str]:
    """The translations a record gives, as the services take them: ``{"title_uk": …}``."""
    return {name: record[name] for name in _translations(kind) if name in record}


# Each kind of record: the fields it must have, and the fields it may have.
FIELDS = {
    "file": ({"parties", "sources", "agreements"}, {"title"}),
    "party": ({"slug", "name"}, {"short_name", "kind", "time_zone"}),
    "source": ({"url"}, {"title", "publisher", "language", "published_on", "accessed_on"}),
    "agreement": (
        {"slug", "title", "kind", "held_on"},
        {"venue", "parties", "summary", "sources", "published", "commitments"},
    ),
    "commitment": (
        {"slug", "title", "category", "shape"},
        {
            "terms",
            "conditions",
            "promised_quantity",
            "promised_unit",
            "regions",
            "roles",
            "readings",
            "status_history",
            "events",
            "published",
        },
    ),
    "reading": (
        {"label", "time_zone"},
        {
            "read_by",
            "working",
            "starts_at",
            "ends_at",
            "duration_days",
            "open_ended",
            "due_at",
            "precision",
            "wording",
            "wording_language",
            "scope",
            "sources",
            "published",
        },
    ),
    "status change": ({"status"}, {"at", "time_zone", "reason", "by"}),
    "event": (
        {"key", "kind", "occurred_at", "time_zone", "summary"},
        {
            "claimant",
            "accused",
            "occurred_until",
            "precision",
            "location",
            "region",
            "count",
            "in_response_to",
            "quantities",
            "verification",
            "sources",
            "published",
        },
    ),
    "quantity": ({"received_by", "quantity", "unit"}, set()),
}


class DemoDataError(Exception):
    """The file cannot be loaded as it stands; the message names the record at fault."""


@contextmanager
def about(name: str):
    """Prefix any refusal raised while loading a record with that record's name."""
    try:
        yield
    except DemoDataError as exc:
        raise DemoDataError(f"{name}: {exc}") from exc
    except ValidationError as exc:
        raise DemoDataError(f"{name}: {_validation_messages(exc)}") from exc
    except (ValueError, TypeError) as exc:
        raise DemoDataError(f"{name}: {exc}") from exc
    except DatabaseError as exc:
        raise DemoDataError(f"{name}: the database refused it ({exc}).") from exc


def _validation_messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def check_fields(record, kind: str) -> dict:
    if not isinstance(record, dict):
        raise DemoDataError(f"a {kind} must be a JSON object, not {type(record).__name__}.")
    required, optional = FIELDS[kind]
    missing = sorted(required - record.keys())
    if missing:
        raise DemoDataError(f"missing {quoted(missing)}.")
    unknown = sorted(record.keys() - required - optional - _translations(kind))
    if unknown:
        raise DemoDataError(f"unknown field {quoted(unknown)}.")
    return record


def quoted(names) -> str:
    return ", ".join(f"“{name}”" for name in names)


def as_list(record: dict, key: str) -> list:
    value = record.get(key, [])
    if not isinstance(value, list):
        raise DemoDataError(f"“{key}” must be a list.")
    return value


def as_date(value) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise DemoDataError(f"“{value}” is not a date like 2025-03-18.") from exc


def local_time(value) -> dt.date | dt.datetime:
    """A wall-clock date or time as written in the file, before its zone is applied."""
    try:
        parsed = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise DemoDataError(
            f"“{value}” is not a local date (2025-03-18) or time (2025-03-18T21:00)."
        ) from exc
    if isinstance(parsed, dt.datetime) and parsed.tzinfo is not None:
        raise DemoDataError(
            f"“{value}” carries a UTC offset; write the local time and give the zone in time_zone."
        )
    return parsed


def instant(value, time_zone: str, precision: str) -> dt.datetime | None:
    """The UTC instant of a local date or time, computed in the zone the record names."""
    if value is None:
        return None
    return clock.local_to_utc(local_time(value), time_zone, precision)
