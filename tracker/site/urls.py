from django.urls import path

from tracker.evidence import views as evidence_views
from tracker.site import as_of, commitment_page, embeds, party_page, regions, search, share, views

urlpatterns = [
    path("", views.board, name="board"),
    path("as-of/", as_of.pick, name="as_of_pick"),
    path("as-of/<str:day>/", views.board, name="as_of_board"),
    path("card.png", share.board_card_png, name="board_card"),
    path("commitments/<slug:slug>/", commitment_page.commitment_detail, name="commitment"),
    path("commitments/<slug:slug>/card.png", share.commitment_card_png, name="commitment_card"),
    path("embed/commitments/<slug:slug>/", embeds.commitment_embed, name="commitment_embed"),
    path(
        "embed/commitments/<slug:slug>/badge.svg",
        embeds.commitment_badge,
        name="commitment_badge",
    ),
    path("agreements/<slug:slug>/", views.agreement_detail, name="agreement"),
    path("parties/<slug:slug>/", party_page.party_detail, name="party"),
    path("changes/", views.changes, name="changes"),
    path("search/", search.search, name="search"),
    path("regions/", regions.regions_map, name="regions"),
    path("regions/<str:code>/", regions.region_detail, name="region"),
    path(
        "sources/<int:source>/copies/<int:capture>/",
        evidence_views.shared_copy,
        name="source_copy",
    ),
    path("files/<int:pk>/", evidence_views.shared_file, name="shared_file"),
]
