"""Bench-only views: the framework's floor. Never routed by the product."""

from django.http import HttpResponse


def trivial(request):
    """The least a Django view can do: what every page pays before touching data."""
    return HttpResponse("ok", content_type="text/plain")
