"""Web routes of imports (`imports:`): the secretariat's Import page, under review/."""

from django.urls import URLPattern, path

from . import views

app_name = "imports"

urlpatterns: list[URLPattern] = [
    path("review/imports/", views.import_list, name="list"),
    path("review/imports/<uuid:public_id>/", views.import_detail, name="detail"),
    path("review/imports/<uuid:public_id>/progress/", views.import_progress, name="progress"),
    path("review/imports/<uuid:public_id>/commit/", views.import_commit, name="commit"),
    path("review/imports/<uuid:public_id>/cancel/", views.import_cancel, name="cancel"),
]
