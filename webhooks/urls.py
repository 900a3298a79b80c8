"""A partner's webhook pages (`webhooks:`), under `/account/webhooks/` beside the API keys."""

from django.urls import URLPattern, path

from . import views

app_name = "webhooks"
urlpatterns: list[URLPattern] = [
    path("account/webhooks/", views.subscription_list, name="list"),
    path("account/webhooks/new/", views.subscription_create, name="create"),
    path("account/webhooks/<uuid:public_id>/", views.subscription_detail, name="detail"),
    path("account/webhooks/<uuid:public_id>/edit/", views.subscription_edit, name="edit"),
    path("account/webhooks/<uuid:public_id>/pause/", views.subscription_pause, name="pause"),
    path("account/webhooks/<uuid:public_id>/resume/", views.subscription_resume, name="resume"),
    path("account/webhooks/<uuid:public_id>/rotate/", views.subscription_rotate, name="rotate"),
    path("account/webhooks/<uuid:public_id>/delete/", views.subscription_delete, name="delete"),
    path(
        "account/webhooks/<uuid:public_id>/deliveries/<uuid:delivery_id>/replay/",
        views.delivery_replay,
        name="replay",
    ),
]
