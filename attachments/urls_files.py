"""The download route: outside the language prefixes (a file is the same in every language) and
named without a namespace, so that the API links to it as it links to its own routes."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    # <str:>: the API reverses its links once per request with a placeholder for the key.
    path(
        "attachments/<str:public_id>/download/",
        views.attachment_download,
        name="attachment-download",
    ),
]
