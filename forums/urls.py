"""The secretariat's reporting-round pages (`forums:`)."""

from django.urls import URLPattern, path

from . import views

app_name = "forums"

urlpatterns: list[URLPattern] = [
    path("review/rounds/", views.round_list, name="round-list"),
    path("review/rounds/new/", views.round_create, name="round-create"),
    path("review/rounds/<int:pk>/", views.round_edit, name="round-edit"),
    path("review/rounds/<int:pk>/close/", views.round_close, name="round-close"),
]
