"""Conversation routes (`conversations:`): private threads on pledges and progress updates."""

from django.urls import URLPattern, path

from . import views

app_name = "conversations"

urlpatterns: list[URLPattern] = [
    path("pledges/<str:reference>/conversation/", views.pledge_thread, name="pledge-thread"),
    path("updates/<int:pk>/conversation/", views.update_thread, name="update-thread"),
]
