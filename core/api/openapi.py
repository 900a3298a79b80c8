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


# --------------------------------------------------------------------------------------------
# Response links (OpenAPI 3 `links`): how one answer leads to the next request. Clients may
# follow them; schemathesis's stateful phase does, so that it reaches the write paths with a
# resource that exists (a pledge it just created, a match from the list) instead of a random id.
# --------------------------------------------------------------------------------------------

WRITE_METHODS = ("put", "patch", "delete", "post")
# A path parameter whose value the resource's body carries under another name.
BODY_FIELD = {"public_id": "id"}


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _answer_fields(operation: dict[str, Any], code: str, document: dict[str, Any]) -> set[str]:
    """The top-level fields of the JSON an operation answers with `code` (of a list: of its
    items, under `results.`)."""
    answer = operation.get("responses", {}).get(code, {})
    content = answer.get("content", {}).get("application/json")
    if content is None:
        return set()
    schema = _resolve(content["schema"], document)
    fields = set(schema.get("properties", {}))
    if "results" in fields:
        items = _resolve(schema["properties"]["results"].get("items", {}), document)
        fields |= {f"results.{name}" for name in items.get("properties", {})}
    return fields


def _targets(paths: dict[str, Any], base: str) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """The operations on one resource of the collection at `base` (`/api/v1/pledges/`) and
    its sub-paths, keyed by operationId: (path parameter, method, operation)."""
    found = {}
    for path, item in paths.items():
        rest = path.removeprefix(base)
        if rest == path or not rest.startswith("{"):
            continue
        parameter = rest[1:].split("}", 1)[0]
        for method, operation in item.items():
            if method in ("get", *WRITE_METHODS):
                found[operation["operationId"]] = (parameter, method, operation)
    return found


def _has_header(operation: dict[str, Any], name: str) -> bool:
    return any(
        p.get("in") == "header" and p.get("name") == name for p in operation.get("parameters", [])
    )


# Links that carry one resource into another's request body: a forum (and its compact) into a
# new pledge, a pledge into a progress update and into a match between two listed pledges.
# (source path, method, answer, target operationId, request body)
BODY_LINKS: list[tuple[str, str, str, str, dict[str, str]]] = [
    (
        "/api/v1/forums/",
        "get",
        "200",
        "v1_pledges_create",
        {
            "compact": "$response.body#/results/0/compact/code",
            "forum": "$response.body#/results/0/code",
        },
    ),
    (
        "/api/v1/pledges/{reference}/",
        "get",
        "200",
        "v1_pledge_updates_create",
        {"pledge": "$response.body#/reference"},
    ),
    (
        "/api/v1/pledges/",
        "get",
        "200",
        "v1_matches_create",
        {
            "seeking": "$response.body#/results/0/reference",
            "offering": "$response.body#/results/1/reference",
        },
    ),
]


def add_links(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """Link each collection's answers to the operations on one of its resources (a
    postprocessing hook): the list's first row and a created resource to its reads and
    actions, the resource's read to its edits, deletion and actions with that answer's ETag as
    `If-Match` (writes of an existing resource require one); and `BODY_LINKS`."""
    paths: dict[str, Any] = result.get("paths", {})
    for base, item in paths.items():
        if "{" in base:
            continue
        targets = _targets(paths, base)
        if targets:
            _collection_links(item, targets, result)
            _resource_links(paths, targets)
    known = {
        operation["operationId"]
        for item in paths.values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    for path, method, code, target_id, body in BODY_LINKS:
        source = paths.get(path, {}).get(method)
        if source is not None and code in source["responses"] and target_id in known:
            _link(source, code, target_id, {}, body=body)
    return result


def _collection_links(
    item: dict[str, Any], targets: dict[str, tuple[str, str, dict[str, Any]]], document: Any
) -> None:
    """From the list's first row to its reads; from a created resource to its reads and
    actions. Not to an edit or deletion: those need the ETag that only the read carries."""
    sources = [
        ("get", "200", "$response.body#/results/0/", "results.", ("get",)),
        ("post", "201", "$response.body#/", "", ("get", "post")),
    ]
    for method, code, pointer, listed, reaches in sources:
        operation = item.get(method)
        if operation is None:
            continue
        fields = _answer_fields(operation, code, document)
        for target_id, (parameter, target_method, _target) in targets.items():
            field = BODY_FIELD.get(parameter, parameter)
            if target_method in reaches and f"{listed}{field}" in fields:
                _link(operation, code, target_id, {f"path.{parameter}": f"{pointer}{field}"})


def _resource_links(
    paths: dict[str, Any], targets: dict[str, tuple[str, str, dict[str, Any]]]
) -> None:
    """From a resource's read to everything else done to it, with the read's ETag."""
    for source_id, (parameter, method, operation) in targets.items():
        if method != "get" or "200" not in operation.get("responses", {}):
            continue
        source_path = next(p for p, i in paths.items() if i.get("get") is operation)
        if source_path.count("{") != 1 or not source_path.endswith("}/"):
            continue  # a sub-read (none today) is not the resource's representation
        for target_id, (target_parameter, _method, target) in targets.items():
            if target_id == source_id or target_parameter != parameter:
                continue
            parameters = {f"path.{parameter}": f"$request.path.{parameter}"}
            if _has_header(target, "If-Match"):
                parameters["header.If-Match"] = "$response.header.ETag"
            _link(operation, "200", target_id, parameters)


def _link(
    operation: dict[str, Any],
    code: str,
    target_id: str,
    parameters: dict[str, str],
    *,
    body: dict[str, str] | None = None,
) -> None:
    link: dict[str, Any] = {"operationId": target_id}
    if parameters:
        link["parameters"] = parameters
    if body is not None:
        link["requestBody"] = body
    answer = operation["responses"][code]
    answer.setdefault("links", {})[target_id.removeprefix("v1_")] = link
