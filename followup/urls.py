"""Public pages of the follow-up record (`followup:`)."""

from django.urls import URLPattern, path

from . import views

app_name = "followup"

urlpatterns: list[URLPattern] = [
    path("documents/", views.document_list, name="document-list"),
]
