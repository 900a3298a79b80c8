"""HTTP behaviour partners notice: compressed answers that still stream, CORS for reads only,
a capped count on request, and HXL hashtags in CSV exports. (Typed progress figures:
test_schema.py.)"""

import csv
import gzip
import io
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from .conftest import World

pytestmark = pytest.mark.django_db
URL = "/api/v1/pledges/"


def test_api_answers_are_compressed_and_a_csv_export_still_streams(world: World) -> None:
    client = Client()
    page = client.get(URL, HTTP_ACCEPT_ENCODING="gzip")
    assert page["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page["Vary"]
    assert gzip.decompress(page.content).startswith(b"{")

    export = client.get(f"{URL}?format=csv", HTTP_ACCEPT_ENCODING="br;q=0.5, gzip")
    assert export.streaming
    assert export["Content-Encoding"] in ("br", "gzip")
    assert not export.has_header("Content-Length")

    html = client.get("/data/", HTTP_ACCEPT_ENCODING="gzip")
    assert not html.has_header("Content-Encoding")  # pages hold the CSRF token: never compressed


def test_cors_allows_reads_from_any_origin_but_never_writes(world: World) -> None:
    client = Client()
    origin = {"HTTP_ORIGIN": "https://dashboard.example"}
    read = client.get(URL, **origin)
    assert read["Access-Control-Allow-Origin"] == "*"
    assert not read.has_header("Access-Control-Allow-Credentials")
    assert "ETag" in read["Access-Control-Expose-Headers"]

    preflight_read = client.options(URL, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET", **origin)
    assert preflight_read["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    preflight_write = client.options(
        f"{URL}{world.p1.reference}/", HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH", **origin
    )
    assert not preflight_write.has_header("Access-Control-Allow-Origin")
    write = client.post(URL, {}, content_type="application/json", **origin)
    assert not write.has_header("Access-Control-Allow-Origin")
    assert not client.get("/data/", **origin).has_header("Access-Control-Allow-Origin")


def test_count_is_given_only_on_request_and_capped(world: World, settings: Any) -> None:
    client = APIClient()
    assert "count" not in client.get(URL).json()
    counted = client.get(URL, {"count": "true", "page_size": 1}).json()
    assert (counted["count"], counted["count_exact"]) == (4, True)
    settings.API_COUNT_LIMIT = 2
    capped = client.get(URL, {"count": "true"}).json()
    assert (capped["count"], capped["count_exact"]) == (2, False)
    assert client.get(URL, {"count": "maybe"}).status_code == 400


def test_csv_export_carries_hxl_hashtags_when_asked(world: World) -> None:
    client = Client()
    plain = list(csv.reader(io.StringIO(client.get(f"{URL}?format=csv").getvalue().decode())))
    tagged = list(
        csv.reader(io.StringIO(client.get(f"{URL}?format=csv&hxl=true").getvalue().decode()))
    )
    assert tagged[0] == plain[0]
    tags = dict(zip(tagged[0], tagged[1], strict=True))
    assert tags["entity"] == "#org+name"
    assert tags["beneficiary_countries"] == "#country+code"
    assert tags["reference"] == "#activity+code"
    assert len(tagged) == len(plain) + 1
