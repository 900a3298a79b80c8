"""The public Data page and the package files (`datapackages:`)."""

from django.urls import URLPattern, path

from . import views

app_name = "datapackages"

urlpatterns: list[URLPattern] = [
    path("data/", views.package_list, name="package-list"),
    path("data/<uuid:public_id>/<str:name>", views.package_file, name="package-file"),
]
