"""Template helpers for what leaves the site: absolute addresses for embeds and link previews."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def absolute_url(path: str) -> str:
    """``path`` on the public address (``SITE_URL``), as other sites and link previews need it."""
    path = str(path or "/")
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}/{path.lstrip('/')}"


@register.simple_tag
def status_badge(commitment):
    """The badge ``commitment`` shows now, as its address draws it, for its width and height."""
    from tracker.site import drawing

    return drawing.Badge.for_status(
        commitment.title, str(commitment.get_status_display()), commitment.status
    )
