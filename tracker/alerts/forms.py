"""The public subscription form, shown on the board and on each commitment page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker import public
from tracker.alerts import rules
from tracker.alerts.models import Scope, Subscription, Topic
from tracker.models import Category

# The words fit every shape: a window ends, a deliverable and a milestone fall due.
TOPIC_CHOICES = [
    (Topic.EXPIRING, _("before an end or a due date")),
    (Topic.EXPIRED, _("when an end or a due date passes")),
    (Topic.STATUS_CHANGED, _("when its status changes")),
    (Topic.VIOLATION_VERIFIED, _("when a violation is verified")),
]

SCOPE_CHOICES = [
    (Scope.EVERYTHING, _("every commitment")),
    (Scope.COMMITMENT, _("this commitment")),
    (Scope.CATEGORY, _("one category")),
]


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={"invalid": _("Enter a valid email address, like name@example.org.")},
    )
    scope = forms.ChoiceField(
        label=_("Alerts about"), choices=SCOPE_CHOICES, initial=Scope.EVERYTHING
    )
    commitment = forms.SlugField(required=False, widget=forms.HiddenInput)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—"), *Category.choices], required=False
    )
    topics = forms.MultipleChoiceField(
        label=_("Tell me"),
        choices=TOPIC_CHOICES,
        initial=[choice for choice, _label in TOPIC_CHOICES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one thing to hear about.")},
    )
    lead_times = forms.CharField(
        label=_("Warn me this long before an end or a due date"),
        initial=rules.DEFAULT_LEAD_TIMES,
        required=False,
        max_length=100,
        help_text=_("d days, h hours, m minutes; e.g. 7d, 72h, 24h"),
    )

    @classmethod
    def about(cls, commitment=None) -> SubscribeForm:
        """A fresh form for a page: about its commitment when it has one, else everything."""
        if commitment is None:
            return cls()
        return cls(initial={"scope": Scope.COMMITMENT, "commitment": commitment.slug})

    def clean_lead_times(self):
        text = self.cleaned_data["lead_times"] or rules.DEFAULT_LEAD_TIMES
        try:
            return ", ".join(rules.format_lead_time(t) for t in rules.parse_lead_times(text))
        except rules.InvalidLeadTimes as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope == Scope.COMMITMENT:
            slug = data.get("commitment")
            commitment = public.commitments().filter(slug=slug).first() if slug else None
            if commitment is None:
                self.add_error("scope", _("That commitment is not on the public site."))
            data["commitment_object"] = commitment
        if scope == Scope.CATEGORY and not data.get("category"):
            self.add_error("category", _("Choose a category."))
        return data

    def subscription(self) -> Subscription:
        """An unsaved subscription with what the form asked for."""
        data = self.cleaned_data
        topics = set(data["topics"])
        return Subscription(
            target=data["email"],
            scope=data["scope"],
            commitment=data.get("commitment_object") if data["scope"] == Scope.COMMITMENT else None,
            category=data["category"] if data["scope"] == Scope.CATEGORY else "",
            on_expiring=Topic.EXPIRING in topics,
            lead_times=data["lead_times"],
            on_expired=Topic.EXPIRED in topics,
            on_status_changed=Topic.STATUS_CHANGED in topics,
            on_violation_verified=Topic.VIOLATION_VERIFIED in topics,
        )
