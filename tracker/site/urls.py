from django.urls import path

from tracker.site import views

urlpatterns = [
    path("", views.board, name="board"),
    path("commitments/<slug:slug>/", views.commitment_detail, name="commitment"),
    path("agreements/<slug:slug>/", views.agreement_detail, name="agreement"),
    path("parties/<slug:slug>/", views.party_detail, name="party"),
    path("changes/", views.changes, name="changes"),
]
