"""Who may write through the staff API, and how often.

A request carries its user's token (``Authorization: Token <key>``; tokens
are made and revoked in the admin, ``tracker.staff.tokens``). It is refused
with 401 when the token is missing, malformed, revoked or its user disabled,
and with 403 when its user is not staff or lacks the permission the admin
would ask for the same change (``tracker.roles``). Each refusal says why.
The services check the permission again when they write.

Each user may send ``STAFF_API_RATE`` requests (default 60 a minute); the
count is kept in Django's cache, which every web node shares when
``REDIS_URL`` is set, and counted atomically, so the limit holds however
requests are spread and however many arrive at once.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django_ratelimit.core import get_usage
from rest_framework import exceptions, permissions, throttling
from rest_framework.authentication import TokenAuthentication

logger = logging.getLogger(__name__)

TOKEN_KEY = re.compile(r"[0-9a-f]{40}")
HOW_TO_SEND_A_TOKEN = (
    "Send your API token with every request, as “Authorization: Token <key>”. "
    "Staff make their own token in the admin, under Auth Token → Tokens."
)
NOT_A_TOKEN = (
    "This token is not valid: it was revoked, mistyped or never existed. "
    "Make a new one in the admin, under Auth Token → Tokens."
)
USER_DISABLED = "The account this token belongs to is disabled."
NOT_STAFF = "This token's user is not staff: only staff may write through this API."


class StaffTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, with refusals that say what to do about them."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except UnicodeError:  # a header no HTTP server passes on, but one could be made
            raise exceptions.AuthenticationFailed(NOT_A_TOKEN, code="invalid_token") from None

    def authenticate_credentials(self, key):
        # Only keys as DRF makes them are looked up, so no odd byte reaches the database.
        if not TOKEN_KEY.fullmatch(key):
            raise exceptions.AuthenticationFailed(NOT_A_TOKEN, code="invalid_token")
        model = self.get_model()
        try:
            token = model.objects.select_related("user").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(NOT_A_TOKEN, code="invalid_token") from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(USER_DISABLED, code="user_inactive")
        return token.user, token


class IsStaff(permissions.BasePermission):
    """The token's user may use the admin: staff, and active."""

    message = NOT_STAFF
    code = "not_staff"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_staff)


class HoldsPermission(permissions.BasePermission):
    """The user holds the permission the view names for the request's method.

    ``view.required`` maps a method to (permission, what it allows), e.g.
    ``{"POST": ("tracker.verify_complianceevent", "verify events")}``; the
    refusal reads like the services' own: "You are not allowed to verify events."
    """

    code = "not_permitted"

    def has_permission(self, request, view) -> bool:
        required = view.required.get(request.method)
        if required is None:
            return True
        permission, doing = required
        self.message = f"You are not allowed to {doing}."
        return request.user.has_perm(permission)


class StaffWriteThrottle(throttling.BaseThrottle):
    """``STAFF_API_RATE`` requests per user in each window, counted atomically in the shared cache.

    django-ratelimit counts each request with one atomic step of the cache
    (add the window's counter if it is missing, else increment it: Redis's
    SET NX and INCR), so requests arriving together, on one node or many,
    are each counted once, and no more than the limit get through. A count
    read and written back, as DRF's own throttle keeps it, lets most of a
    burst through: each request reads the count before the others write it.
    Windows are fixed (a minute from a moment set by the user's id), so a
    tool may send the limit at the end of one and again at the start of the
    next. Should the cache fail, requests are let through and the failure
    logged: the limit guards against a runaway tool, not the record.
    """

    group = "staff-api"

    def allow_request(self, request, view) -> bool:
        self.seconds_left = None
        try:
            usage = get_usage(
                request,
                group=self.group,
                key=lambda _group, request: str(request.user.pk),
                rate=settings.STAFF_API_RATE,
                increment=True,
            )
        except Exception:
            logger.exception("The staff API's request count could not be kept; letting it in")
            return True
        if usage is None or not usage["should_limit"]:
            return True
        self.seconds_left = usage["time_left"]
        return False

    def wait(self) -> float | None:
        return max(self.seconds_left, 1) if self.seconds_left is not None else None


class StaffAccess:
    """What every staff endpoint shares: its user's token, its permissions, its limit."""

    authentication_classes = [StaffTokenAuthentication]
    permission_classes = [IsStaff, HoldsPermission]
    throttle_classes = [StaffWriteThrottle]
    required: dict[str, tuple[str, str]] = {}

    def permission_denied(self, request, message=None, code=None):
        """A request without a token is told how to send one, not just that it is missing."""
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated(HOW_TO_SEND_A_TOKEN, code="not_authenticated")
        raise exceptions.PermissionDenied(detail=message, code=code)
