"""The staff write API's addresses, under /api/staff/. None of them is a public output."""

from django.urls import path

from tracker.staff.api import views

app_name = "staff_api"

urlpatterns = [
    path("events/", views.EventRecord.as_view(), name="events"),
    path("events/<int:pk>/", views.EventEdit.as_view(), name="event"),
    path("events/<int:pk>/verify/", views.EventVerify.as_view(), name="event_verify"),
    path("events/<int:pk>/publish/", views.EventPublish.as_view(), name="event_publish"),
    path("sources/", views.SourceRecord.as_view(), name="sources"),
    path("sources/<int:pk>/", views.SourceEdit.as_view(), name="source"),
]
