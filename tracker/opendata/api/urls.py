"""The API's addresses. Every view answers conditional GETs and allows shared caching."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from tracker.http import public_cache
from tracker.opendata.api import views

urlpatterns = [
    path("commitments/", public_cache(views.CommitmentList.as_view()), name="api_commitments"),
    path(
        "commitments/<slug:slug>/",
        public_cache(views.CommitmentDetail.as_view()),
        name="api_commitment",
    ),
    path("readings/", public_cache(views.ReadingList.as_view()), name="api_readings"),
    path("events/", public_cache(views.EventList.as_view()), name="api_events"),
    path("agreements/", public_cache(views.AgreementList.as_view()), name="api_agreements"),
    path("parties/", public_cache(views.PartyList.as_view()), name="api_parties"),
    path("schema/", public_cache(SpectacularAPIView.as_view()), name="api_schema"),
    # Anything else under /api/ is answered as the API answers, in JSON, not with the site's page.
    re_path(r"^(?!staff/)", views.not_found, name="api_not_found"),
]
