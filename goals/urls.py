from django.urls import URLPattern, path

from . import views

app_name = "goals"

urlpatterns: list[URLPattern] = [
    path("pledges/<str:reference>/goals/", views.pledge_goals, name="pledge-goals"),
    path(
        "pledges/<str:reference>/goals/<int:pk>/remove/",
        views.contribution_remove,
        name="contribution-remove",
    ),
]
