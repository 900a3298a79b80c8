"""Web routes of the attachments pages (in the six languages' URL prefixes)."""

from django.urls import URLPattern, path

from . import views

app_name = "attachments"
urlpatterns: list[URLPattern] = [
    path(
        "pledges/<str:reference>/attachments/",
        views.pledge_attachments,
        name="pledge-attachments",
    ),
    path(
        "pledges/<str:reference>/updates/<uuid:update>/",
        views.update_attachments,
        name="update-attachments",
    ),
    path("attachments/<uuid:public_id>/remove/", views.attachment_remove, name="remove"),
]
