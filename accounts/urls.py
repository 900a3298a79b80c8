"""Routes of a person's own account pages (`accounts:`). Sign-up, log-in and passwords are
django-allauth's, under `/accounts/`; these live under `/account/` beside them."""

from django.urls import URLPattern, path

from . import views

app_name = "accounts"
urlpatterns: list[URLPattern] = [
    path("account/preferences/", views.preferences, name="preferences"),
    path("account/api-keys/", views.api_key_list, name="api-keys"),
    path("account/api-keys/<int:pk>/revoke/", views.api_key_revoke, name="api-key-revoke"),
]
