"""API tokens in the admin: staff create their own, reviewers revoke anyone's.

A staff tool writes through the API (``tracker.staff.api``) with a token,
and everything it writes is recorded in the history under the token's user.
So a token is made only by the person it speaks for: the add page has no
choice of user, and its key is shown to its owner alone. Creating a token
for someone else would let its creator write under their name.

Revoking is deleting: the next request with that token is refused (401).
Anyone may revoke their own token; reviewers may revoke every token, for
example when a laptop is lost or a colleague leaves. Each user has at most
one token (DRF's ``authtoken``); revoke it to make a new one.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

REVOKE_ANY = "authtoken.delete_tokenproxy"
ADD_PAGE_DESCRIPTION = (
    "Make an API token for your own staff tools. Whatever a tool writes with it is "
    "recorded under your name, with the reason it sends. Keep the key secret; "
    "revoke the token here as soon as it may have been seen by anyone else."
)
SHOWN_OF_OTHERS_KEYS = 4

admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class ApiTokenAdmin(TokenAdmin):
    list_display = ["user", "shown_key", "created"]
    list_filter = []
    fields = ["user", "shown_key", "created"]
    readonly_fields = fields
    ordering = ["-created"]

    def may_revoke_any(self, request) -> bool:
        return request.user.has_perm(REVOKE_ANY)

    def get_queryset(self, request):
        """Reviewers see every token, to revoke it; everyone else sees only their own."""
        owned = ExpressionWrapper(Q(user_id=request.user.pk), output_field=BooleanField())
        tokens = super().get_queryset(request).select_related("user").annotate(viewer_owns=owned)
        if self.may_revoke_any(request):
            return tokens
        return tokens.filter(user=request.user)

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            return [(None, {"fields": self.fields})]
        return [(None, {"fields": [], "description": ADD_PAGE_DESCRIPTION})]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    @admin.display(description="key")
    def shown_key(self, token) -> str:
        """The whole key to its owner; to others only its end, enough to tell tokens apart."""
        if getattr(token, "viewer_owns", False):
            return token.key
        return f"…{token.key[-SHOWN_OF_OTHERS_KEYS:]}"

    # Permissions -------------------------------------------------------------

    def has_add_permission(self, request) -> bool:
        """One token per user: whoever has one revokes it before making another."""
        has_token = TokenProxy.objects.filter(user=request.user).exists()
        return super().has_add_permission(request) and not has_token

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a token has nothing to edit: revoke it and make another

    def has_delete_permission(self, request, obj=None) -> bool:
        if self.may_revoke_any(request):
            return True
        return obj is not None and obj.user_id == request.user.pk

    # Saving ------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        """The token is always the creator's own."""
        obj.user = request.user
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError:
            # A second add page of the same person got there first: keep that token.
            existing = TokenProxy.objects.get(user=request.user)
            obj.key, obj.created = existing.key, existing.created

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            "Your API token is ready: its key is in the list, shown only to you. "
            "Send it with every request as “Authorization: Token <key>”.",
            messages.SUCCESS,
        )
        return self.response_post_save_add(request, obj)
