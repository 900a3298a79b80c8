"""Secretariat report routes (`reports:`)."""

from django.urls import URLPattern

app_name = "reports"

urlpatterns: list[URLPattern] = []
