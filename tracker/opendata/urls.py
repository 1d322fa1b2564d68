"""Addresses of the machine-readable outputs: feeds, calendars, CSV files and the API."""

from django.urls import include, path

from tracker.opendata import calendar, feeds, files, package, views

urlpatterns = [
    path("changes/feed/", feeds.changes_feed, name="changes_feed"),
    path("commitments/<slug:slug>/feed/", feeds.commitment_feed, name="commitment_feed"),
    path("calendar.ics", calendar.all_deadlines, name="calendar"),
    path(
        "commitments/<slug:slug>/calendar.ics",
        calendar.commitment_deadlines,
        name="commitment_calendar",
    ),
    path("data/", views.data_index, name="open_data"),
    path("data/datapackage.json", package.datapackage, name="datapackage"),
    *(
        path(f"data/{table.filename}", files.csv_file, {"table": name}, name=table.url_name)
        for name, table in files.TABLES.items()
    ),
    path("api/", include("tracker.opendata.api.urls")),
]
