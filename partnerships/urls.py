"""Web routes of multistakeholder pledges (`partnerships:`), public and workspace."""

from django.urls import URLPattern, path

from . import views

app_name = "partnerships"
urlpatterns: list[URLPattern] = [
    path("multistakeholder-pledges/", views.msp_list, name="msp-list"),
    path("multistakeholder-pledges/new/", views.msp_create, name="msp-create"),
    path("multistakeholder-pledges/<slug:slug>/", views.msp_detail, name="msp-detail"),
    path("multistakeholder-pledges/<slug:slug>/edit/", views.msp_edit, name="msp-edit"),
    path("multistakeholder-pledges/<slug:slug>/leads/", views.msp_leads, name="msp-leads"),
    path("multistakeholder-pledges/<slug:slug>/outcomes/", views.msp_outcomes, name="msp-outcomes"),
    path("multistakeholder-pledges/<slug:slug>/members/", views.msp_members, name="msp-members"),
    path("multistakeholder-pledges/<slug:slug>/requests/", views.msp_requests, name="msp-requests"),
    path("my/multistakeholder-pledges/", views.my_msps, name="my-msps"),
    path(
        "my/pledges/<str:reference>/multistakeholder-pledges/",
        views.pledge_join,
        name="pledge-join",
    ),
    path("msp-requests/<int:pk>/decide/", views.membership_decide, name="membership-decide"),
    path("msp-memberships/<int:pk>/remove/", views.membership_remove, name="membership-remove"),
    path("msp-leads/<int:pk>/respond/", views.lead_respond, name="lead-respond"),
    path("msp-leads/<int:pk>/remove/", views.lead_remove, name="lead-remove"),
]
