from typing import Any

from csp.decorators import csp_update
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils import translation
from django.utils.cache import patch_vary_headers
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiJsonRenderer2
from drf_spectacular.settings import patched_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.openapi import YamlRenderer, YamlRenderer2

# Swagger UI styles itself inline; its start-up script is a file (the split view), so scripts
# stay 'self' and only this page's styles are relaxed.
api_docs = csp_update({"style-src": ["'self'", "'unsafe-inline'"]})(
    # Our template adds a link back to the site above Swagger UI.
    SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/docs.html")
)


class SchemaView(SpectacularAPIView):
    """The OpenAPI document in the language of `?lang=` (which the Swagger page passes on), or
    else of `Accept-Language` (core.middleware.LanguageMiddleware), saying which in
    `Content-Language`. A `lang` we do not have is ignored (drf-spectacular would answer English
    under its name). Written afresh for each request: no cache can mix languages."""

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        language = translation.get_language()
        try:
            language = translation.get_supported_language_variant(request.GET.get("lang", ""))
        except LookupError:
            pass
        with patched_settings(self.custom_settings), translation.override(language):
            response: Response = self._get_schema_response(request)  # type: ignore[no-untyped-call]  # drf-spectacular is untyped
        response["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language",))
        return response


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
]
# Pages carry their language in the URL (`/fr/pledges/…`), so that a shared link opens in the
# language it was shared in; English, the default, has no prefix.
urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("indicators.urls")),
    path("", include("dashboards.urls")),
    path("", include("reports.urls")),
    path("", include("pledges.urls")),
    prefix_default_language=False,
)

# Under /api/ these answer the API's JSON error shape; elsewhere Django's pages.
handler400 = "core.api.errors.bad_request"
handler403 = "core.api.errors.permission_denied"
handler404 = "core.api.errors.page_not_found"
handler500 = "core.api.errors.server_error"
