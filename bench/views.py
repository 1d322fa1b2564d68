"""Bench-only views: the framework's floor, and a change made through a web node.

Routed only by ``bench.urls``, which only ``bench.settings`` uses: never by the product.
"""

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bench.names import HEAVY_SLUG
from tracker import services
from tracker.models import Commitment, ComplianceEvent, EventKind

REASON = "Bench: a change on one node"


def trivial(request):
    """The least a Django view can do: what every page pays before touching data."""
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt
@require_POST
def change(request):
    """Record a published claim on the heavy commitment, as staff would through a node, or
    take one back (``remove=<id>``), so the data set is left as it was.

    The two-node measurement posts here on one server and reads the commitment
    page from the other.
    """
    if "remove" in request.POST:
        ComplianceEvent.objects.filter(pk=request.POST["remove"]).delete()
        return HttpResponse("removed", content_type="text/plain")
    summary = request.POST.get("summary", "")
    if not summary:
        return HttpResponseBadRequest("summary or remove is required", content_type="text/plain")
    event = ComplianceEvent(
        commitment=Commitment.objects.get(slug=HEAVY_SLUG),
        kind=EventKind.STATEMENT,
        occurred_at=timezone.now(),
        precision="minute",
        summary=summary,
    )
    services.record_event(event, actor=services.IMPORT, reason=REASON)
    services.publish(event, actor=services.IMPORT, reason=REASON)
    return HttpResponse(str(event.pk), content_type="text/plain")
