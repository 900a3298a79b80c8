"""Web routes of the indicators app (`indicators:`): the public framework pages under
indicators/, and the secretariat's Jobs page, under review/ beside the other secretariat pages."""

from django.urls import URLPattern, path

from . import views

app_name = "indicators"

urlpatterns: list[URLPattern] = [
    path("indicators/", views.framework, name="framework"),
    path("indicators/<slug:edition>/<str:code>/", views.indicator, name="indicator"),
    path("review/jobs/", views.jobs, name="jobs"),
    path("review/jobs/recompute/", views.recompute_now, name="recompute-now"),
]
