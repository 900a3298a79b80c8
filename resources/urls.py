"""Routes of the resource library (`resources:`): public pages under resources/, the
secretariat's under review/resources/."""

from django.urls import URLPattern, path

from . import feeds, views

app_name = "resources"

urlpatterns: list[URLPattern] = [
    path("resources/", views.resource_list, name="list"),
    path("resources/practices/submit/", views.practice_submit, name="practice-submit"),
    path("resources/practices/mine/", views.my_practices, name="my-practices"),
    path("resources/practices/<uuid:public_id>/edit/", views.practice_edit, name="practice-edit"),
    path(
        "resources/feeds/objectives/<str:compact>/<int:number>/",
        feeds.ObjectiveResourcesFeed(),
        name="objective-feed",
    ),
    path("resources/<uuid:public_id>/", views.resource_detail, name="detail"),
    path("resources/<uuid:public_id>/file/", views.resource_file, name="file"),
    path("review/resources/", views.manage_list, name="manage"),
    path("review/resources/new/", views.resource_create, name="create"),
    path("review/resources/criteria/", views.criteria_edit, name="criteria"),
    path("review/resources/<uuid:public_id>/edit/", views.resource_edit, name="edit"),
    path("review/resources/<uuid:public_id>/decision/", views.resource_decision, name="decision"),
]
