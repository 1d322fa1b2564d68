from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from tracker.alerts.addresses import CHAT_SCHEMES
from tracker.alerts.delivery import retry_failed
from tracker.alerts.models import Delivery, Endpoint, Subscription
from tracker.alerts.shown_addresses import ShortenedAddresses
from tracker.staff.widgets import ForgivingAutocompleteFields


class SubscriptionForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = [
            "channel",
            "target",
            "secret",
            "scope",
            "agreement",
            "commitment",
            "category",
            "on_expiring",
            "lead_times",
            "on_expired",
            "on_status_changed",
            "on_violation_verified",
            "language",
            "time_zone",
            "confirmed_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "target" not in self.fields:
            return  # shown read only, to staff who may only look
        self.fields["language"].widget = forms.Select(choices=settings.LANGUAGES)
        self.fields["target"].help_text = (
            "An email address, an http(s) webhook URL, or an Apprise URL for a chat service. "
            "Chat alerts go only through services whose connections the tracker can check "
            "(public addresses only, no redirects): "
            + ", ".join(f"{scheme}://" for scheme in sorted(CHAT_SCHEMES))
            + ". Other Apprise services, e-mail through Apprise included, are refused."
        )

    def validate_unique(self):
        """Also check the one-live-subscription rule, which involves a field not on the form."""
        super().validate_unique()
        try:
            self.instance.validate_constraints()
        except ValidationError as exc:
            self._update_errors(exc)


@admin.register(Subscription)
class SubscriptionAdmin(ShortenedAddresses, ForgivingAutocompleteFields, SimpleHistoryAdmin):
    form = SubscriptionForm
    list_display = [
        "target",
        "channel",
        "scope",
        "topics",
        "confirmed_at",
        "unsubscribed_at",
        "created_at",
    ]
    list_filter = ["channel", "scope", "category", "on_expiring", "on_violation_verified"]
    search_fields = ["target"]
    autocomplete_fields = ["agreement", "commitment"]
    readonly_fields = ["token", "created_at", "unsubscribed_at"]
    fieldsets = [
        (None, {"fields": ["channel", "target", "secret"]}),
        ("About", {"fields": ["scope", "agreement", "commitment", "category"]}),
        (
            "Topics",
            {
                "fields": [
                    "on_expiring",
                    "lead_times",
                    "on_expired",
                    "on_status_changed",
                    "on_violation_verified",
                ]
            },
        ),
        ("Written in", {"fields": ["language", "time_zone"]}),
        ("State", {"fields": ["confirmed_at", "unsubscribed_at", "token", "created_at"]}),
    ]

    @admin.display(description="topics")
    def topics(self, subscription):
        return ", ".join(
            str(Subscription._meta.get_field(name).verbose_name)
            for name in dict.fromkeys(Subscription.TOPIC_FIELDS.values())
            if getattr(subscription, name)
        )

    def save_model(self, request, obj, form, change):
        # Staff add subscriptions on the subscriber's behalf: no opt-in email.
        if not change and obj.confirmed_at is None:
            obj.confirmed_at = timezone.now()
        obj._change_reason = "Edited in the admin" if change else "Added in the admin"
        super().save_model(request, obj, form, change)


@admin.register(Delivery)
class DeliveryAdmin(ShortenedAddresses, admin.ModelAdmin):
    list_display = [
        "delivery_id",
        "topic",
        "commitment",
        "subscription",
        "state",
        "is_late",
        "attempts",
        "tries_in_doubt",
        "next_attempt_at",
        "retrying_since",
        "sent_at",
        "last_error",
    ]
    list_filter = ["state", "topic", "is_late", "subscription__channel"]
    search_fields = ["delivery_id", "subscription__target", "commitment__title"]
    list_select_related = [
        "commitment",
        "subscription__agreement",
        "subscription__commitment",
    ]
    date_hierarchy = "created_at"
    actions = ["retry"]
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False  # the sweep and the services write the outbox

    def has_change_permission(self, request, obj=None):
        return False  # the outcome of a send is a record, not a setting

    def has_retry_permission(self, request):
        return request.user.has_perm("alerts.change_delivery")

    @admin.action(description="Retry the selected failed deliveries", permissions=["retry"])
    def retry(self, request, queryset):
        count = retry_failed(queryset)
        skipped = queryset.count() - count
        self.message_user(
            request,
            f"{count} queued again with the same delivery id; the next alert run sends them.",
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                f"{skipped} skipped: only failed deliveries can be retried.",
                messages.WARNING,
            )


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    """Where alerts go out to, and how each is doing: read-only, written by the workers."""

    list_display = [
        "key",
        "failures",
        "resting_until",
        "held_by",
        "held_until",
        "last_success_at",
        "last_failure_at",
        "last_error",
    ]
    list_filter = [("resting_until", admin.EmptyFieldListFilter)]
    search_fields = ["key"]
    readonly_fields = [field.name for field in Endpoint._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
