"""The product's addresses plus the bench's own views, for bench runs only."""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/trivial/", views.trivial, name="bench_trivial"),
    path("bench/change/", views.change, name="bench_change"),
    path("", include("config.urls")),
]
