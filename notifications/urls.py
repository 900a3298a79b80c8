"""Notification routes (`notifications:`)."""

from django.urls import URLPattern, path

from . import views

app_name = "notifications"

urlpatterns: list[URLPattern] = [
    path("my/notifications/", views.notification_list, name="list"),
    path("my/notifications/<int:pk>/read/", views.notification_read, name="read"),
    path("my/notifications/read-all/", views.notification_read_all, name="read-all"),
    path("my/notifications/preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
