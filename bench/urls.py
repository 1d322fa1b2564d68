"""The product's addresses plus the bench's trivial view, for bench runs only."""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/trivial/", views.trivial, name="bench_trivial"),
    path("", include("config.urls")),
]
