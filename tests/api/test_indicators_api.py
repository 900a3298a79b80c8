"""The indicator framework, its values and exchange rates through the partner API: open reads for
every caller, no writes, strict filters with hand-computed answers, exports, conditional requests,
a fixed number of queries per list, and the documented error answers (400/404/429/304)."""

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import User
from core.models import ExchangeRate
from indicators.models import Indicator, IndicatorValue

pytestmark = pytest.mark.django_db

GCR_INDICATORS = 12  # the shipped 2022 framework (bootstrap/data/indicators.json)


@pytest.fixture
def api(reference_data: None) -> APIClient:
    return APIClient()


@pytest.fixture(params=["anonymous", "member", "secretariat"])
def caller(
    request: pytest.FixtureRequest, api: APIClient, member_a: User, secretariat: User
) -> APIClient:
    """The same client signed in as each of the cast in turn."""
    if request.param == "member":
        api.force_login(member_a)
    elif request.param == "secretariat":
        api.force_login(secretariat)
    return api


def _indicator(code: str) -> Indicator:
    return Indicator.objects.get(compact__code="GCR", code=code)


def _value(code: str, country: str | None, year: int, value: str, **extra: Any) -> IndicatorValue:
    return IndicatorValue.objects.create(
        indicator=_indicator(code),
        country_id=country,
        year=year,
        value=Decimal(value),
        source="UNHCR",
        **extra,
    )


@pytest.fixture
def values(api: APIClient) -> dict[str, IndicatorValue]:
    """Six values: 2.2.1 (percent) in Kenya 2021 and 2022, Türkiye 2022 and globally 2022; 3.1.1
    (persons) in Kenya 2022 and globally 2023."""
    share = {"numerator": Decimal("245000"), "denominator": Decimal("400000")}
    return {
        "ke21": _value("2.2.1", "KE", 2021, "58.5", **share),
        "ke22": _value("2.2.1", "KE", 2022, "61.25", **share),
        "tr22": _value("2.2.1", "TR", 2022, "40"),
        "global22": _value("2.2.1", None, 2022, "52.1"),
        "resettled_ke22": _value("3.1.1", "KE", 2022, "1200"),
        "resettled_global23": _value("3.1.1", None, 2023, "158700"),
    }


@pytest.fixture
def rates(api: APIClient) -> dict[str, ExchangeRate]:
    def rate(code: str, day: dt.date, usd: str) -> ExchangeRate:
        return ExchangeRate.objects.create(
            currency_id=code, date=day, usd_per_unit=Decimal(usd), source="IMF"
        )

    return {
        "eur23": rate("EUR", dt.date(2023, 12, 13), "1.0791"),
        "eur24": rate("EUR", dt.date(2024, 12, 31), "1.0389"),
        "gbp23": rate("GBP", dt.date(2023, 12, 13), "1.2602"),
    }


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _codes(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


# --- reads per role ---------------------------------------------------------------------------


def test_every_caller_reads_indicators_with_their_objective(caller: APIClient) -> None:
    response = caller.get("/api/v1/indicators/", {"page_size": 100})

    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == GCR_INDICATORS
    [resettled] = [r for r in rows if r["code"] == "3.1.1"]
    assert resettled["unit"] == "persons"
    assert resettled["compact"]["code"] == "GCR"
    assert resettled["objective"]["number"] == 3
    assert resettled["objective"]["url"].endswith(
        f"/api/v1/objectives/{resettled['objective']['id']}/"
    )
    assert caller.get(resettled["url"]).json()["title"] == resettled["title"]


def test_every_caller_reads_values_and_rates(
    caller: APIClient, values: dict[str, IndicatorValue], rates: dict[str, ExchangeRate]
) -> None:
    value = caller.get(f"/api/v1/indicator-values/{values['ke22'].pk}/")
    rate = caller.get(f"/api/v1/exchange-rates/{rates['eur23'].pk}/")

    assert value.status_code == 200
    assert value.json() | {"url": None, "indicator": None} == {
        "id": values["ke22"].pk,
        "indicator": None,
        "country": "KE",
        "country_name": "Kenya",
        "year": 2022,
        "value": "61.2500",  # decimals are strings, never floats
        "numerator": "245000.0000",
        "denominator": "400000.0000",
        "source": "UNHCR",
        # From no indicator report: the report edition fields are empty (issue 18).
        "report": None,
        "report_title": None,
        "report_url": None,
        "url": None,
    }
    assert value.json()["indicator"]["code"] == "2.2.1"
    assert value.json()["indicator"]["unit"] == "percent"
    assert rate.status_code == 200
    assert rate.json()["currency"] == "EUR"
    assert rate.json()["usd_per_unit"] == "1.0791000000"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/indicators/"),
        ("put", "/api/v1/indicators/{indicator}/"),
        ("patch", "/api/v1/indicators/{indicator}/"),
        ("delete", "/api/v1/indicators/{indicator}/"),
        ("post", "/api/v1/indicator-values/"),
        ("patch", "/api/v1/indicator-values/{value}/"),
        ("delete", "/api/v1/indicator-values/{value}/"),
        ("post", "/api/v1/exchange-rates/"),
        ("put", "/api/v1/exchange-rates/{rate}/"),
        ("delete", "/api/v1/exchange-rates/{rate}/"),
    ],
)
def test_writes_are_refused_with_405_for_every_caller(
    caller: APIClient,
    values: dict[str, IndicatorValue],
    rates: dict[str, ExchangeRate],
    method: str,
    path: str,
) -> None:
    url = path.format(
        indicator=_indicator("3.1.1").pk, value=values["ke22"].pk, rate=rates["eur23"].pk
    )

    response = getattr(caller, method)(url, {"value": "1"})

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert IndicatorValue.objects.get(pk=values["ke22"].pk).value == Decimal("61.25")


# --- indicator filters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"compact": "gcr"}, None),  # any case; None: all twelve
        ({"compact": "GCM"}, set()),
        ({"compact": "GCR", "objective": 3}, {"3.1.1", "3.2.1"}),
        ({"compact": "GCR", "objective": 4}, {"4.1.1", "4.2.1", "4.2.2"}),
        (
            {"unit": "percent"},
            {"1.2.1", "2.1.1", "2.1.2", "2.2.1", "2.2.2", "4.2.2"},
        ),
        ({"unit": "usd"}, {"1.1.1", "4.1.1"}),
        ({"direction": "lower"}, {"2.2.2"}),
        ({"code": "4.2.2"}, {"4.2.2"}),
        ({"unit": "persons", "compact": "GCR", "objective": 4}, {"4.2.1"}),
    ],
)
def test_indicator_filters_select_exactly_the_matching_indicators(
    api: APIClient, query: dict[str, Any], expected: set[str] | None
) -> None:
    codes = _codes(api.get("/api/v1/indicators/", {**query, "page_size": 100}))

    assert codes == (expected if expected is not None else set(_codes_of_all()))


def _codes_of_all() -> list[str]:
    return list(Indicator.objects.values_list("code", flat=True))


def test_indicator_filter_by_objective_id_matches_the_objectives_resource(api: APIClient) -> None:
    [objective] = api.get("/api/v1/objectives/", {"compact": "GCR", "number": 2}).json()["results"]

    codes = _codes(api.get("/api/v1/indicators/", {"objective_id": objective["id"]}))

    assert codes == {"2.1.1", "2.1.2", "2.2.1", "2.2.2"}


def test_indicator_links_to_its_values(api: APIClient, values: dict[str, IndicatorValue]) -> None:
    indicator = api.get(f"/api/v1/indicators/{_indicator('3.1.1').pk}/").json()

    linked = _ids(api.get(indicator["values_url"]))

    assert linked == {values["resettled_ke22"].pk, values["resettled_global23"].pk}


# --- indicator value filters -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"compact": "GCR", "indicator": "2.2.1"}, {"ke21", "ke22", "tr22", "global22"}),
        ({"indicator": "3.1.1"}, {"resettled_ke22", "resettled_global23"}),
        ({"compact": "GCM", "indicator": "2.2.1"}, set()),
        ({"country": "KE"}, {"ke21", "ke22", "resettled_ke22"}),
        ({"country": "ke"}, {"ke21", "ke22", "resettled_ke22"}),
        ({"country": "global"}, {"global22", "resettled_global23"}),
        ({"country": "GLOBAL", "indicator": "2.2.1"}, {"global22"}),
        ({"country": "FR"}, set()),  # a well-formed code without values: empty, not an error
        ({"year": 2022}, {"ke22", "tr22", "global22", "resettled_ke22"}),
        ({"year_min": 2022, "year_max": 2022}, {"ke22", "tr22", "global22", "resettled_ke22"}),
        ({"year_min": 2023}, {"resettled_global23"}),
        ({"year_max": 2021}, {"ke21"}),
        ({"year_min": 2022, "country": "KE", "indicator": "2.2.1"}, {"ke22"}),
    ],
)
def test_value_filters_select_exactly_the_matching_values(
    api: APIClient,
    values: dict[str, IndicatorValue],
    query: dict[str, Any],
    expected: set[str],
) -> None:
    ids = _ids(api.get("/api/v1/indicator-values/", query))

    assert ids == {values[name].pk for name in expected}


def test_value_filter_by_indicator_id(api: APIClient, values: dict[str, IndicatorValue]) -> None:
    ids = _ids(api.get("/api/v1/indicator-values/", {"indicator_id": _indicator("2.2.1").pk}))

    assert ids == {values[n].pk for n in ("ke21", "ke22", "tr22", "global22")}


def test_global_value_has_no_country(api: APIClient, values: dict[str, IndicatorValue]) -> None:
    body = api.get(f"/api/v1/indicator-values/{values['global22'].pk}/").json()

    assert (body["country"], body["country_name"]) == (None, None)
    assert body["numerator"] is None


# --- exchange rate filters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"currency": "EUR"}, {"eur23", "eur24"}),
        ({"currency": "eur"}, {"eur23", "eur24"}),
        ({"currency": "JPY"}, set()),
        ({"date": "2023-12-13"}, {"eur23", "gbp23"}),
        ({"date_min": "2024-01-01"}, {"eur24"}),
        ({"date_max": "2023-12-13"}, {"eur23", "gbp23"}),  # inclusive
        ({"date_min": "2023-12-13", "date_max": "2024-12-31"}, {"eur23", "eur24", "gbp23"}),
        ({"currency": "GBP", "date_min": "2024-01-01"}, set()),
    ],
)
def test_rate_filters_select_exactly_the_matching_rates(
    api: APIClient, rates: dict[str, ExchangeRate], query: dict[str, Any], expected: set[str]
) -> None:
    ids = _ids(api.get("/api/v1/exchange-rates/", query))

    assert ids == {rates[name].pk for name in expected}


# --- refused parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "query", "wrong"),
    [
        ("/api/v1/indicators/", {"unit": "kg"}, "unit"),
        ("/api/v1/indicators/", {"direction": "up"}, "direction"),
        ("/api/v1/indicators/", {"objective": "three"}, "objective"),
        ("/api/v1/indicators/", {"objective_id": "1.5"}, "objective_id"),
        ("/api/v1/indicator-values/", {"year": "twenty"}, "year"),
        ("/api/v1/indicator-values/", {"year": "2021.5"}, "year"),
        ("/api/v1/indicator-values/", {"year_min": "x"}, "year_min"),
        ("/api/v1/indicator-values/", {"country": "Kenya"}, "country"),
        ("/api/v1/indicator-values/", {"country": "K1"}, "country"),
        ("/api/v1/indicator-values/", {"indicator": "2.2.1\x00"}, "indicator"),
        ("/api/v1/exchange-rates/", {"currency": "EURO"}, "currency"),
        ("/api/v1/exchange-rates/", {"currency": "100%"}, "currency"),
        ("/api/v1/exchange-rates/", {"date_min": "13/12/2023"}, "date_min"),
        ("/api/v1/exchange-rates/", {"date": "2023-02-30"}, "date"),
    ],
)
def test_bad_filter_value_answers_400_naming_the_parameter(
    api: APIClient, path: str, query: dict[str, str], wrong: str
) -> None:
    response = api.get(path, query)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [wrong]


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/v1/indicators/", "objective_number"),
        # Values carry no timestamp: there is nothing to compare `updated_since` with, and a
        # filter that silently returned everything would mislead a partner's sync.
        ("/api/v1/indicator-values/", "updated_since"),
        ("/api/v1/exchange-rates/", "date_after"),
    ],
)
def test_unknown_filter_answers_400_listing_the_known_ones(
    api: APIClient, path: str, param: str
) -> None:
    response = api.get(path, {param: "2024-01-01"})

    assert response.status_code == 400
    [message] = response.json()["errors"][param]
    assert message.startswith("Unknown filter. Known ones: ")


def test_unknown_ids_answer_404_in_the_error_shape(api: APIClient) -> None:
    for path in ("indicators", "indicator-values", "exchange-rates"):
        response = api.get(f"/api/v1/{path}/999999/")

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


# --- exports -----------------------------------------------------------------------------------


def _csv_rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_value_csv_has_the_same_columns_for_global_and_country_rows(
    api: APIClient, values: dict[str, IndicatorValue]
) -> None:
    response = api.get("/api/v1/indicator-values/", {"indicator": "2.2.1", "format": "csv"})

    rows = _csv_rows(response)
    assert response["Content-Disposition"].startswith('attachment; filename="indicator-values-')
    assert list(rows[0])[:5] == [
        "id",
        "indicator.id",
        "indicator.compact",
        "indicator.code",
        "indicator.title",
    ]
    by_country = {r["country"]: r for r in rows}
    assert set(by_country) == {"KE", "TR", ""}  # the global row has an empty country cell
    assert by_country[""]["value"] == "52.1000"
    assert by_country["TR"]["country_name"] == "Türkiye"


def test_rate_xlsx_has_a_header_and_every_filtered_row(
    api: APIClient, rates: dict[str, ExchangeRate]
) -> None:
    response = api.get("/api/v1/exchange-rates/", {"currency": "EUR", "format": "xlsx"})

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    header, *rows = list(workbook.active.iter_rows(values_only=True))
    assert header == ("id", "currency", "currency_name", "date", "usd_per_unit", "source", "url")
    assert sorted(r[3] for r in rows) == ["2023-12-13", "2024-12-31"]


def test_indicator_csv_flattens_the_objective(api: APIClient) -> None:
    rows = _csv_rows(api.get("/api/v1/indicators/", {"compact": "GCR", "format": "csv"}))

    assert len(rows) == GCR_INDICATORS
    assert {r["objective.number"] for r in rows} == {"1", "2", "3", "4"}
    assert all("format=" not in r["url"] for r in rows)


# --- conditional requests and query counts ----------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/indicators/", "/api/v1/indicator-values/", "/api/v1/exchange-rates/"]
)
def test_unchanged_list_answers_304_to_its_etag(
    api: APIClient,
    values: dict[str, IndicatorValue],
    rates: dict[str, ExchangeRate],
    path: str,
) -> None:
    first = api.get(path)
    again = api.get(path, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""


def test_changed_value_no_longer_matches_its_etag(
    api: APIClient, values: dict[str, IndicatorValue]
) -> None:
    url = f"/api/v1/indicator-values/{values['tr22'].pk}/"
    etag = api.get(url)["ETag"]
    IndicatorValue.objects.filter(pk=values["tr22"].pk).update(value=Decimal("41"))

    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def _queries(api: APIClient, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(path, {"page_size": 500}).status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_rows(
    api: APIClient, values: dict[str, IndicatorValue], rates: dict[str, ExchangeRate]
) -> None:
    paths = ("/api/v1/indicators/", "/api/v1/indicator-values/", "/api/v1/exchange-rates/")
    before = [_queries(api, path) for path in paths]
    for year in range(1990, 2020):
        _value("1.1.1", "KE", year, "100")
        _value("1.1.1", None, year, "900")
        ExchangeRate.objects.create(
            currency_id="CHF", date=dt.date(year, 1, 1), usd_per_unit=Decimal("1.1")
        )

    after = [_queries(api, path) for path in paths]

    assert after == before
    assert after == [1, 1, 1]  # one query for the page, its related rows joined


# --- documented answers -----------------------------------------------------------------------


def test_throttled_caller_gets_429_in_the_error_shape_with_retry_after(
    api: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "anon": "2/hour"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)

    statuses = [api.get("/api/v1/indicators/").status_code for _ in range(3)]
    throttled = api.get("/api/v1/indicators/")

    assert statuses == [200, 200, 429]
    assert throttled.json()["code"] == "throttled"
    assert set(throttled.json()) == {"status", "code", "detail", "errors"}
    assert int(throttled["Retry-After"]) > 0


def _operations(api: APIClient) -> dict[str, Any]:
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return {
        f"{method.upper()} {path}": operation
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if path.split("/")[3] in ("indicators", "indicator-values", "exchange-rates", "progress")
    }


def test_schema_documents_each_operation_with_an_example_and_its_error_answers(
    api: APIClient,
) -> None:
    operations = _operations(api)

    assert sorted(operations) == sorted(
        f"GET /api/v1/{name}/{suffix}"
        for name in ("indicators", "indicator-values", "exchange-rates", "progress")
        for suffix in ("", "{id}/")
    )
    for name, operation in operations.items():
        assert operation["summary"], name
        assert len(operation["description"]) > 40, name
        assert operation["responses"]["200"]["content"]["application/json"]["examples"], name
        assert {"304", "400", "404", "429"} <= set(operation["responses"]), name
        error = operation["responses"]["400"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/Error"}, name
