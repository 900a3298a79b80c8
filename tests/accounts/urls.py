"""The project's routes plus the API-keys page, for tests that run before config/urls.py
includes `accounts.urls` (and keep working after it does)."""

from django.urls import URLPattern, URLResolver, include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns: list[URLPattern | URLResolver] = [*project_urlpatterns]
if not any(getattr(pattern, "namespace", None) == "accounts" for pattern in urlpatterns):
    urlpatterns.append(path("", include("accounts.urls")))
