"""How long a staff member stays signed in: until idle too long, and never past a working day.

Sessions are the admin's alone (the public pages set no cookie, the staff
API takes tokens). A session ends ``SESSION_IDLE_MINUTES`` after its last
admin request (``SESSION_COOKIE_AGE``), so a laptop left open in a café is
signed out within the hour; and ``SESSION_MAX_HOURS`` after sign-in,
however busy, so a stolen session cookie does not last for weeks.

Only admin requests keep a session alive. Django's ``SESSION_SAVE_EVERY_REQUEST``
would do it on every request, and so set a cookie on public pages that
shared caches keep; here the public pages never touch the session.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.urls import reverse

SIGNED_IN_AT = "tracker_signed_in_at"


class StaffSessionTimeout:
    """Keep an admin session alive while it is used, and end it at the longest a session lasts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(reverse("admin:index")) and request.user.is_authenticated:
            now = int(time.time())
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
            if now - signed_in_at > settings.SESSION_MAX_HOURS * 3600:
                logout(request)  # the next admin page asks to sign in again
            else:
                request.session.modified = True  # saved with a new expiry: idle time starts again
        return self.get_response(request)
