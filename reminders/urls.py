"""Reminder routes (`reminders:`): the secretariat's "send a reminder now"."""

from django.urls import URLPattern, path

from . import views

app_name = "reminders"

urlpatterns: list[URLPattern] = [
    path("reports/overdue/<str:reference>/remind/", views.remind_now, name="remind-now"),
]
