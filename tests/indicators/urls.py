"""The project's routes plus the indicators app's, for tests that run before (or after) the lead
wires `path("", include("indicators.urls"))` into config/urls.py."""

from django.urls import URLPattern, URLResolver, include, path

from config.urls import urlpatterns as project_urlpatterns

_wired = any(getattr(p, "namespace", None) == "indicators" for p in project_urlpatterns)

urlpatterns: list[URLPattern | URLResolver] = [
    *project_urlpatterns,
    *([] if _wired else [path("", include("indicators.urls"))]),
]
