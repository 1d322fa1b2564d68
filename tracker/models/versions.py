"""The version every edited record carries, so that no save silently undoes another."""

from __future__ import annotations

from django.db import models


def version_field() -> models.PositiveIntegerField:
    """A count of the saves made through ``tracker.services``, starting at 1.

    Whoever edits a record (an admin form, an API client) says which version
    they read; a save based on an older one is refused and shows what changed
    since, instead of writing over it. The history tables keep it too, so the
    version someone read can be found again and compared with the newest.
    """
    return models.PositiveIntegerField(default=1, editable=False)
