"""The API can be found and its docs lead back (issue 14, item 18): `/api/v1/` answers anyone,
as reading is open, and is in the schema; every page links to the API docs."""

import pytest
import yaml
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_api_root_answers_anonymous_callers_with_a_link_to_each_resource(client: Client) -> None:
    response = client.get("/api/v1/")

    assert response.status_code == 200
    links = response.json()
    assert links["pledges"] == "http://testserver/api/v1/pledges/"
    assert "pledge-updates" in links
    assert response.has_header("ETag")


def test_api_root_is_in_the_schema(client: Client) -> None:
    schema = yaml.safe_load(client.get("/api/schema/").content)

    assert "get" in schema["paths"]["/api/v1/"]


@pytest.mark.parametrize("path", ["/", "/pledges/", "/dashboard/", "/accounts/login/"])
def test_every_page_footer_links_to_the_api_docs(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 200
    footer = response.content.decode().split('<footer class="site-footer">')[1]
    assert f'href="{reverse("api-docs")}"' in footer


def test_the_api_docs_link_back_to_the_site(client: Client) -> None:
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert f'href="{reverse("pledges:home")}"' in response.content.decode()
