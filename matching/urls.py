"""Web routes of the matching app (`matching:`): a pledge's matching page and its writes, and
the secretariat's matching queue."""

from django.urls import URLPattern, path

from . import views

app_name = "matching"
urlpatterns: list[URLPattern] = [
    path("pledges/<str:reference>/matching/", views.pledge_matching, name="pledge-matching"),
    path(
        "pledges/<str:reference>/matching/positions/",
        views.position_add,
        name="position-add",
    ),
    path("matching/positions/<int:pk>/edit/", views.position_edit, name="position-edit"),
    path("matching/positions/<int:pk>/remove/", views.position_remove, name="position-remove"),
    path("matching/propose/", views.match_propose, name="match-propose"),
    path("matching/<uuid:public_id>/decide/", views.match_decide, name="match-decide"),
    path("matching/<uuid:public_id>/withdraw/", views.match_withdraw, name="match-withdraw"),
    path("review/matching/", views.matching_queue, name="matching-queue"),
    path("review/matching/matches.csv", views.matches_csv, name="matches-csv"),
]
