"""The API's JSON renderer (core/api/renderers.py) encodes with orjson but must send exactly the
bytes DRF's own JSONRenderer sends, for awkward values and for every API resource; and a GET's
ETag is the hash of the very body sent."""

import datetime as dt
import hashlib
import uuid
from collections import OrderedDict
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers as drf
from rest_framework.test import APIClient
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from core.api.renderers import JSONRenderer, encode
from tests.api.conftest import World

pytestmark = pytest.mark.django_db

AWKWARD: dict[str, Any] = {
    "decimals": [Decimal("1234567.50"), Decimal("0.1"), Decimal("1E-7"), Decimal("-0")],
    "dates": [dt.date(2026, 1, 31), dt.date(1, 1, 1)],
    "datetimes": [
        dt.datetime(2025, 5, 1, 10, 30, 15, 123456, tzinfo=dt.UTC),
        dt.datetime(2025, 5, 1, 10, 30, 15, tzinfo=dt.UTC),
        dt.datetime(2025, 5, 1, 12, 30, tzinfo=ZoneInfo("Europe/Paris")),
        dt.datetime(2025, 5, 1, 10, 30),  # noqa: DTZ001 - naive on purpose
    ],
    "times": [dt.time(9, 5), dt.time(9, 5, 1, 500)],
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy": gettext_lazy("Search"),
    "text": 'Quotes " and \\ backslash, ünïcödé, emoji 🌍, tab\t, nul\x00, \x1f, del\x7f',
    "separators": "line\u2028separator\u2029paragraph",
    "nested": ReturnDict(
        OrderedDict([("b", ReturnList([1, 2], serializer=None)), ("a", None)]), serializer=None
    ),
    "tuple": (1, "two", 3.5),
    "numbers": [0, -1, 2**63 - 1, True, False, 1.5, 1e16],
    "empty": [{}, [], ""],
}


def drf_bytes(data: Any) -> bytes:
    return drf.JSONRenderer().render(data)


def test_awkward_values_are_written_as_drf_writes_them() -> None:
    assert encode(AWKWARD) == drf_bytes(AWKWARD)
    assert JSONRenderer().render(AWKWARD, "application/json") == drf_bytes(AWKWARD)


@pytest.mark.parametrize(
    "data",
    [
        {"big": 2**70},  # beyond orjson's 64-bit integers
        {1: "integer key", None: "null key"},
        {"set": {"only"}},
    ],
)
def test_values_orjson_refuses_are_written_by_drf_when_encoded(data: Any) -> None:
    assert encode(data) == drf_bytes(data)


def test_a_nan_decimal_is_refused_as_drf_refuses_it_when_encoded() -> None:
    with pytest.raises(ValueError, match="JSON"):
        drf_bytes({"x": Decimal("NaN")})
    with pytest.raises(ValueError, match="JSON"):
        encode({"x": Decimal("NaN")})


def test_indented_json_is_drf_s_when_a_client_asks_for_indent() -> None:
    data = {"a": [1, {"b": Decimal("2.50")}], "text": "ü\u2028"}
    assert JSONRenderer().render(data, "application/json; indent=2") == drf.JSONRenderer().render(
        data, "application/json; indent=2"
    )


def test_pre_encoded_fragments_are_sent_as_they_are_when_compact_or_indented() -> None:
    data = {"results": [orjson.Fragment(b'{"a":1}')]}
    assert JSONRenderer().render(data) == b'{"results":[{"a":1}]}'
    assert JSONRenderer().render(data, "application/json; indent=2") == drf.JSONRenderer().render(
        {"results": [{"a": 1}]}, "application/json; indent=2"
    )


RESOURCES = (
    "compacts",
    "objectives",
    "principles",
    "forums",
    "entities",
    "pledges",
    "pledge-updates",
    "indicators",
    "indicator-values",
    "exchange-rates",
    "progress",
)


def _plain(data: Any) -> Any:
    """`response.data` with pre-encoded parts (the pledge list's rows) read back."""
    return orjson.loads(encode(data))


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("who", ["anonymous", "secretariat"])
def test_every_resource_sends_drf_s_bytes_and_the_etag_of_its_body_when_read(
    resource: str, who: str, world: World, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as(who)
    response = client.get(f"/api/v1/{resource}/")
    assert response.status_code == 200
    answers = [response]
    results = response.json().get("results") or []
    if results and "url" in results[0]:
        answers.append(client.get(results[0]["url"]))
    for answer in answers:
        assert answer.status_code == 200
        assert answer.content == drf_bytes(_plain(answer.data))
        assert answer["ETag"] == f'"{hashlib.sha256(answer.content).hexdigest()[:32]}"'


def test_an_indented_answer_carries_the_etag_of_the_compact_json_when_asked_for(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("anonymous")
    compact = client.get("/api/v1/pledges/", {"page_size": 50})
    indented = client.get(
        "/api/v1/pledges/", {"page_size": 50}, HTTP_ACCEPT="application/json; indent=2"
    )
    assert indented.status_code == 200
    assert indented.content.startswith(b"{\n  ")
    assert indented.json() == compact.json()
    assert indented["ETag"] == compact["ETag"]


@pytest.mark.parametrize(
    "text",
    [
        "dash — and quotes “ ” then a line\u2028separator",
        "“quoted” — paragraph\u2029separator at the end",
        "only punctuation — “ ” ‘ ’ … and a trailing dash —",
        "\u2028",
        "—",
        "“many” — quotes " * 40 + "then\u2028a separator",
        "“many” — quotes " * 40 + "and none",
    ],
)
def test_separators_are_escaped_among_other_punctuation(text: str) -> None:
    """U+2028/U+2029 are found however many characters sharing their UTF-8 prefix precede
    them, and other punctuation is left as it is."""
    data = {"text": text, "more": [text] * 3}
    assert encode(data) == drf_bytes(data)
