"""The public log's addresses, under /ledger/."""

from django.urls import path

from tracker.ledger import views

urlpatterns = [
    path("", views.ledger_page, name="ledger"),
    path("checkpoint", views.checkpoint, name="ledger_checkpoint"),
    path("key", views.key, name="ledger_key"),
    path("entries", views.entries, name="ledger_entries"),
    path("proof/inclusion", views.inclusion_proof, name="ledger_inclusion"),
    path("proof/consistency", views.consistency_proof, name="ledger_consistency"),
]
