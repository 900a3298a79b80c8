"""The OpenAPI document builds, validates without warnings, and its docs work offline."""

import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"

    # --fail-on-warn turns every drf-spectacular warning (an undocumented field, a guessed
    # type) into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = yaml.safe_load(target.read_text())
    assert schema["info"]["title"] == "Compact Pledge Tracker API"
    assert "/api/v1/objectives/" in schema["paths"]
    # Progress figures are typed (generated clients get real fields, not a free dict).
    components = schema["components"]["schemas"]
    figures = components["ProgressFigures"]["properties"]
    assert {"pledges", "status", "money", "targets", "indicators", "composite"} <= set(figures)
    assert components["MoneyFigures"]["properties"]["pledged_usd"]["nullable"] is True


def test_schema_is_served_at_api_schema(client: Client) -> None:
    response = client.get("/api/schema/", headers={"accept": "application/vnd.oai.openapi+json"})

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_interactive_docs_load_their_assets_from_this_server(client: Client) -> None:
    response = client.get("/api/docs/")

    assert response.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert sources
    assert all(not s.startswith(("http://", "https://", "//")) for s in sources), sources
