"""Subscribers' addresses in the admin: shortened for staff who do not need them whole.

Reviewers look after deliveries: they see which alerts failed, why, and
retry them; they see what each subscription asks for. None of that needs a
subscriber's address, which is personal data, so they see it shortened
("o•••@example.org", "https://hooks.example.org/…", "tgram://…"), enough to
tell one subscriber from another and to recognise one who writes in. The
whole address (and a webhook's secret) is shown only to staff with
``alerts.view_subscriber_address``, which no role holds: it is granted to a
person, by hand, when they must answer a subscriber or fix an address.
Searching by a whole address still works for everyone: it finds what they
already know.
"""

from __future__ import annotations

from django.contrib import admin

from tracker.alerts.addresses import shortened
from tracker.alerts.models import Delivery, Subscription

WHOLE_ADDRESSES = "alerts.view_subscriber_address"


def sees_whole_addresses(request) -> bool:
    return request.user.has_perm(WHOLE_ADDRESSES)


class ShortenedAddresses:
    """For the subscriptions' and deliveries' admins: addresses whole only for those who may.

    Staff without the permission see ``address`` (a subscription's) or
    ``subscriber`` (a delivery's), shortened, in the list and on the detail
    page, in place of the fields holding the address (``target``, ``secret``,
    a delivery's ``subscription``); staff with it see those fields as they are.
    """

    ADDRESS_FIELDS = {Subscription: ("target", "secret"), Delivery: ("subscription",)}
    SHOWN_INSTEAD = {Subscription: "address", Delivery: "subscriber"}

    def _instead(self, request, names) -> list:
        if sees_whole_addresses(request):
            return list(names)
        hidden, instead = self.ADDRESS_FIELDS[self.model], self.SHOWN_INSTEAD[self.model]
        shown = []
        for name in names:
            name = instead if name in hidden else name
            if name not in shown:
                shown.append(name)
        return shown

    def get_list_display(self, request):
        names = super().get_list_display(request)
        if sees_whole_addresses(request) and self.model is Delivery:
            return ["whole_subscriber" if name == "subscription" else name for name in names]
        return self._instead(request, names)

    def get_fieldsets(self, request, obj=None):
        return [
            (name, {**options, "fields": self._instead(request, options["fields"])})
            for name, options in super().get_fieldsets(request, obj)
        ]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), self.SHOWN_INSTEAD[self.model]]

    @admin.display(description="address", ordering="target")
    def address(self, subscription: Subscription) -> str:
        return shortened(subscription.channel, subscription.target)

    @admin.display(description="subscriber")
    def subscriber(self, delivery: Delivery) -> str:
        subscription = delivery.subscription
        channel = subscription.get_channel_display()
        return f"{channel} {shortened(subscription.channel, subscription.target)}"

    @admin.display(description="subscriber")
    def whole_subscriber(self, delivery: Delivery) -> str:
        return f"{delivery.subscription.get_channel_display()} {delivery.subscription.target}"
