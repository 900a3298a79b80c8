"""The OpenAPI document's response links (`core.api.openapi.add_links`) lead from one answer to
the next request: every link names an operation and parameters that exist and takes its values
from fields the answer has, and a client that follows them reaches the writes (an edit with the
read's ETag as If-Match succeeds)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        response = Client().get(
            "/api/schema/", headers={"accept": "application/vnd.oai.openapi+json"}
        )
    return response.json()


def _operations(schema: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        operation["operationId"]: (path, operation)
        for path, item in schema["paths"].items()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }


def _resolve(node: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node or "allOf" in node:
        if "allOf" in node:
            node = node["allOf"][0]
        else:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _points_into(pointer: str, answer: dict[str, Any], schema: dict[str, Any]) -> bool:
    """Whether the JSON pointer names a field of the answer's JSON schema."""
    node = _resolve(answer["content"]["application/json"]["schema"], schema)
    for part in pointer.strip("/").split("/"):
        if part.isdigit():
            node = _resolve(node["items"], schema)
        elif part in node.get("properties", {}):
            node = _resolve(node["properties"][part], schema)
        else:
            return False
    return True


def _expressions(link: dict[str, Any]) -> list[str]:
    return [*link.get("parameters", {}).values(), *link.get("requestBody", {}).values()]


def test_every_link_names_what_exists(schema: dict[str, Any]) -> None:
    operations = _operations(schema)
    links = 0
    for _path, source in operations.values():
        for code, answer in source["responses"].items():
            for name, link in answer.get("links", {}).items():
                links += 1
                _target_path, target = operations[link["operationId"]]
                declared = {f"{p['in']}.{p['name']}" for p in target.get("parameters", [])}
                assert set(link.get("parameters", {})) <= declared, name
                for expression in _expressions(link):
                    if expression.startswith("$response.body#"):
                        pointer = expression.removeprefix("$response.body#")
                        assert _points_into(pointer, answer, schema), (name, code, expression)
                    elif expression.startswith("$request.path."):
                        own = {p["name"] for p in source["parameters"] if p["in"] == "path"}
                        assert expression.removeprefix("$request.path.") in own, name
    # The main resources are linked: reads from lists, actions from creations, edits from reads.
    assert links >= 60


def test_following_the_links_reaches_an_edit_that_succeeds(
    schema: dict[str, Any], world: Any, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("member_a")
    detail = schema["paths"]["/api/v1/pledges/{reference}/"]["get"]["responses"]["200"]
    link = detail["links"]["pledges_partial_update"]
    read = client.get("/api/v1/pledges/GRF23-00003/")

    values = {
        "$request.path.reference": "GRF23-00003",
        "$response.header.ETag": read["ETag"],
    }
    sent = {name: values[expression] for name, expression in link["parameters"].items()}
    answer = client.patch(
        f"/api/v1/pledges/{sent['path.reference']}/",
        {"contact_name": "Followed a link"},
        format="json",
        headers={"If-Match": sent["header.If-Match"]},
    )

    assert link["operationId"] == "v1_pledges_partial_update"
    assert answer.status_code == 200, answer.content
    assert answer.json()["contact_name"] == "Followed a link"
