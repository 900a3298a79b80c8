"""Secretariat report routes (`reports:`)."""

from django.urls import URLPattern, path

from . import views

app_name = "reports"

urlpatterns: list[URLPattern] = [
    path("reports/", views.report, name="report"),
    path("reports/export.xlsx", views.report_xlsx, name="report-xlsx"),
    path("reports/overdue/", views.overdue_list, name="overdue-list"),
    path("reports/overdue.csv", views.overdue_csv, name="overdue-csv"),
]
