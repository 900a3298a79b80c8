from csp.decorators import csp_update
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiJsonRenderer2
from drf_spectacular.views import SpectacularSwaggerSplitView

from core.api.openapi import SchemaView, YamlRenderer, YamlRenderer2

# Swagger UI styles itself inline; its start-up script is a file (the split view), so scripts
# stay 'self' and only this page's styles are relaxed.
api_docs = csp_update({"style-src": ["'self'", "'unsafe-inline'"]})(
    # Our template adds a link back to the site above Swagger UI.
    SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/docs.html")
)


# YAML whose codes (`009`) every YAML parser reads as strings; the JSON form as drf-spectacular's.
api_schema = SchemaView.as_view(
    renderer_classes=[YamlRenderer, YamlRenderer2, OpenApiJsonRenderer, OpenApiJsonRenderer2]
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api")),
    path("api/schema/", api_schema, name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("core.urls")),
    path("", include("attachments.urls_files")),
]
# Pages carry their language in the URL (`/fr/pledges/…`), so that a shared link opens in the
# language it was shared in; English, the default, has no prefix.
urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("webhooks.urls")),
    path("", include("indicators.urls")),
    path("", include("imports.urls")),
    path("", include("dashboards.urls")),
    path("", include("reports.urls")),
    path("", include("notifications.urls")),
    path("", include("conversations.urls")),
    path("", include("reminders.urls")),
    path("", include("goals.urls")),
    path("", include("matching.urls")),
    path("", include("partnerships.urls")),
    path("", include("followup.urls")),
    path("", include("attachments.urls")),
    path("", include("resources.urls")),
    path("", include("datapackages.urls")),
    path("", include("forums.urls")),
    path("", include("pledges.urls")),
    prefix_default_language=False,
)

# Under /api/ these answer the API's JSON error shape; elsewhere Django's pages.
handler400 = "core.api.errors.bad_request"
handler403 = "core.api.errors.permission_denied"
handler404 = "core.api.errors.page_not_found"
handler500 = "core.api.errors.server_error"
