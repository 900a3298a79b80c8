"""Public dashboard routes (`dashboards:`)."""

from django.urls import URLPattern, path

from . import views

app_name = "dashboards"

urlpatterns: list[URLPattern] = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/csv/<str:chart>/", views.dashboard_csv, name="dashboard-csv"),
    path("dashboard/method/", views.method, name="method"),
    path("about/figures/", views.figures, name="figures"),
    path(
        "dashboard/<str:compact>/objectives/<int:number>/",
        views.objective_progress,
        name="objective",
    ),
    path(
        "dashboard/<str:compact>/objectives/<int:number>/csv/<str:chart>/",
        views.objective_csv,
        name="objective-csv",
    ),
    path(
        "dashboard/multistakeholder-pledges/<slug:slug>/",
        views.msp_progress,
        name="msp",
    ),
    path(
        "dashboard/multistakeholder-pledges/<slug:slug>/csv/<str:chart>/",
        views.msp_csv,
        name="msp-csv",
    ),
]
