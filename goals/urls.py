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
    path("multistakeholder-pledges/<slug:slug>/goals/", views.msp_goals, name="msp-goals"),
    path(
        "multistakeholder-pledges/<slug:slug>/goals/<int:pk>/edit/",
        views.msp_goal_edit,
        name="msp-goal-edit",
    ),
    path(
        "multistakeholder-pledges/<slug:slug>/goals/<int:pk>/remove/",
        views.msp_goal_remove,
        name="msp-goal-remove",
    ),
]
