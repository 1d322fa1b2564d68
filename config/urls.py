from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from health_check.views import HealthCheckView

from tracker.staff.review_queue import queue_view

# For monitors: the database, the cache and whether the alert workers keep up.
HEALTH_CHECKS = [
    "health_check.checks.Database",
    "health_check.checks.Cache",
    "tracker.alerts.health.OutboxLag",
]

urlpatterns = [
    # What waits for a reviewer, on one page (staff only, like the rest of the admin).
    path("admin/review/", admin.site.admin_view(queue_view), name="review_queue"),
    path("admin/", admin.site.urls),
    # The language switcher sits on every public page. Without a CSRF token
    # those pages set no cookie, so shared caches can keep them; choosing a
    # language for someone else's browser is harmless.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("alerts/", include("tracker.alerts.urls")),
    path("health/", HealthCheckView.as_view(checks=HEALTH_CHECKS), name="health"),
    # For load balancers: whether this web node can serve (alert workers lagging is no
    # reason to take it out of service).
    path("health/web/", HealthCheckView.as_view(checks=HEALTH_CHECKS[:2]), name="health_web"),
    # Staff tools write here, with a token; the public API beside it only reads.
    path("api/staff/", include("tracker.staff.api.urls")),
    # The public log of every change to the public record, with its proofs.
    path("ledger/", include("tracker.ledger.urls")),
    path("", include("tracker.opendata.urls")),
    path("", include("tracker.site.urls")),
]
