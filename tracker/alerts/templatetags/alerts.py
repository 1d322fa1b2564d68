from django import template

from tracker.alerts.forms import SubscribeForm

register = template.Library()


@register.simple_tag
def subscription_form(commitment=None, form=None):
    """The form to show: the one being corrected, or a fresh one for this page."""
    if form:  # an undefined template variable arrives as ""
        return form
    return SubscribeForm.about(commitment or None)
