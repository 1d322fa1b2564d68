from django import template

from tracker.alerts.forms import SubscribeForm

register = template.Library()


@register.simple_tag
def subscription_form(commitment=None, form=None):
    """The form to show: the one being corrected, or a fresh one for this page."""
    if form:  # an undefined template variable arrives as ""
        return form
    return SubscribeForm.about(commitment or None)


@register.inclusion_tag("admin/alerts/failed_notice.html", takes_context=True)
def failed_alerts_notice(context):
    """On the admin's front page: how many alerts failed and wait for a retry."""
    from tracker.alerts.staff import failed_deliveries, failed_url

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("alerts.view_delivery"):
        return {"count": 0}
    return {"count": failed_deliveries().count(), "url": failed_url()}
