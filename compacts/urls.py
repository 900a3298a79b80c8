"""The compacts app has no pages of its own any more: the home page, which needs pledge figures,
moved to `pledges:home` (compacts may not import pledges). Kept empty so that config/urls.py
can keep including it until it is dropped there."""

from django.urls import URLPattern

app_name = "compacts"
urlpatterns: list[URLPattern] = []
