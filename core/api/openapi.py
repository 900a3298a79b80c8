"""The OpenAPI document as YAML that every YAML parser reads the same way.

drf-spectacular's YAML leaves `009` (an M49 region code) unquoted: valid YAML 1.1, where it is
not a number, but YAML 1.2 reads it as the integer 9, so openapi-python-client saw an enum of
mixed types and dropped `GET /pledges/` and `GET /pledge-updates/`. Strings that YAML 1.2's core
schema would read as a number, boolean or null are quoted here (YAML 1.1 look-alikes such as `yes`
PyYAML quotes already). `SchemaView` serves it in the caller's language."""

import datetime as dt
import re
from collections import OrderedDict
from decimal import Decimal
from typing import Any
from uuid import UUID

import yaml
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext, gettext_noop
from drf_spectacular.renderers import OpenApiYamlRenderer, OpenApiYamlRenderer2
from drf_spectacular.settings import patched_settings, spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response

YAML_12_NON_STRING = re.compile(
    r"""[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+
    |[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
    |[-+]?\.(inf|Inf|INF)|\.nan|\.NaN|\.NAN
    |true|True|TRUE|false|False|FALSE|null|Null|NULL|~""",
    re.VERBOSE,
)


class _Dumper(yaml.SafeDumper):
    """drf-spectacular's YAML dumper (no aliases, `|` blocks for multi-line text, decimals as
    plain numbers), with YAML 1.2 look-alike strings quoted."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, data: str) -> Any:
    data = str.__str__(data)  # a SafeString or another str subclass, as a plain str
    style = "|" if "\n" in data else "'" if YAML_12_NON_STRING.fullmatch(data) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _decimal(dumper: yaml.SafeDumper, data: Decimal) -> Any:
    value = f"{data:f}"
    tag = "tag:yaml.org,2002:float" if "." in value else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, value)


_Dumper.add_representer(str, _str)
_Dumper.add_multi_representer(str, _str)
_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_representer(UUID, lambda d, v: _str(d, str(v)))
_Dumper.add_representer(dt.time, lambda d, v: _str(d, v.isoformat()))
_Dumper.add_representer(dt.timedelta, lambda d, v: _str(d, str(v.total_seconds())))
_Dumper.add_representer(OrderedDict, lambda d, v: d.represent_dict(dict(v)))


class YamlRenderer(OpenApiYamlRenderer):
    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        text = yaml.dump(
            data, Dumper=_Dumper, default_flow_style=False, sort_keys=False, allow_unicode=True
        )
        return text.encode("utf-8")


class YamlRenderer2(YamlRenderer, OpenApiYamlRenderer2):
    media_type = OpenApiYamlRenderer2.media_type


# SPECTACULAR_SETTINGS["TITLE"], marked for the catalogs here (the settings keep it plain).
TITLE = gettext_noop("Compact Pledge Tracker API")


def translate_title(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """The document's title in the active language (a postprocessing hook): the settings keep
    it plain, as drf-spectacular also names the downloaded file after it."""
    result["info"]["title"] = gettext(spectacular_settings.TITLE)
    return result


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
