"""`ApiKeyAuthentication` as Django REST framework runs it, through a tiny view defined here."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import path
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from accounts import services
from accounts.authentication import ApiKeyAuthentication
from accounts.models import ApiKey, User

from .conftest import expire

pytestmark = pytest.mark.django_db

factory = APIRequestFactory()


class WhoAmI(APIView):
    """Answers with the authenticated user and the key used, as the real API views will."""

    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        key = request.auth if isinstance(request.auth, ApiKey) else None
        return Response({"email": request.user.email, "key": key.prefix if key else None})


def call(authorization: str | None = None, user: User | None = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    request = factory.get("/api/v1/whoami/", **headers)
    if user is not None:
        request.user = user  # what the session middleware does for a logged-in browser
    response = WhoAmI.as_view()(request)
    response.render()
    return response


def bearer(raw: str) -> str:
    return f"Bearer {raw}"


def test_request_is_the_keys_user_when_a_good_key_is_sent(key_a: tuple[ApiKey, str]) -> None:
    key, raw = key_a

    response = call(bearer(raw))

    assert response.status_code == 200
    assert response.data == {"email": key.user.email, "key": key.prefix}


def test_scheme_is_case_insensitive_when_a_good_key_is_sent(key_a: tuple[ApiKey, str]) -> None:
    _, raw = key_a

    assert call(f"bearer {raw}").status_code == 200


def test_last_used_is_recorded_when_a_good_key_is_sent(key_a: tuple[ApiKey, str]) -> None:
    key, raw = key_a

    call(bearer(raw))

    key.refresh_from_db()
    assert key.last_used_at is not None


def test_one_write_per_minute_when_a_busy_client_sends_many_requests(
    key_a: tuple[ApiKey, str], django_assert_max_num_queries: Any
) -> None:
    _, raw = key_a
    call(bearer(raw))

    # One query to find the key; no UPDATE while last_used_at is under a minute old.
    with django_assert_max_num_queries(1):
        assert call(bearer(raw)).status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        "Bearer ",
        "Bearer one two",
        "Bearer not-a-key",
        "Bearer cpt_0123456789_" + "x" * 43,
    ],
)
def test_401_with_bearer_challenge_when_key_is_malformed_or_unknown(
    db: None, authorization: str
) -> None:
    response = call(authorization)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert "Invalid" in response.data["detail"]


def test_401_says_invalid_when_secret_is_tampered_with_a_valid_prefix(
    key_a: tuple[ApiKey, str],
) -> None:
    key, raw = key_a
    tampered = f"cpt_{key.prefix}_{'A' * 43}"
    assert tampered != raw

    response = call(bearer(tampered))

    assert response.status_code == 401
    assert str(response.data["detail"]) == "Invalid API key."


def test_401_says_revoked_when_key_is_revoked(key_a: tuple[ApiKey, str], member_a: User) -> None:
    key, raw = key_a
    services.revoke_api_key(key=key, by=member_a)

    response = call(bearer(raw))

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert str(response.data["detail"]) == "This API key has been revoked."


def test_401_names_the_expiry_when_key_is_expired(key_a: tuple[ApiKey, str]) -> None:
    key, raw = key_a
    expire(key)

    response = call(bearer(raw))

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    detail = str(response.data["detail"])
    assert detail.startswith("This API key expired on ")
    assert key.expires_at.isoformat(timespec="minutes") in detail


def test_401_when_the_keys_user_is_deactivated(key_a: tuple[ApiKey, str], member_a: User) -> None:
    _, raw = key_a
    User.objects.filter(pk=member_a.pk).update(is_active=False)

    response = call(bearer(raw))

    assert response.status_code == 401
    assert "deactivated" in str(response.data["detail"])


def test_revocation_takes_effect_on_the_very_next_request_when_key_is_revoked(
    key_a: tuple[ApiKey, str], member_a: User
) -> None:
    key, raw = key_a
    assert call(bearer(raw)).status_code == 200

    services.revoke_api_key(key=key, by=member_a)

    assert call(bearer(raw)).status_code == 401


def test_key_stops_working_when_its_expiry_passes(member_a: User) -> None:
    expires_at = timezone.now() + dt.timedelta(hours=1)
    _, raw = services.create_api_key(user=member_a, name="Short", expires_at=expires_at)
    assert call(bearer(raw)).status_code == 200

    with time_machine.travel(expires_at, tick=False):
        assert call(bearer(raw)).status_code == 401


def test_next_authenticator_decides_when_no_key_is_sent(member_a: User) -> None:
    assert call(user=member_a).status_code == 200
    anonymous = call()
    assert anonymous.status_code == 401  # IsAuthenticated, with our challenge
    assert anonymous["WWW-Authenticate"] == 'Bearer realm="api"'


def test_other_schemes_are_left_to_other_authenticators_when_sent(db: None) -> None:
    assert (
        ApiKeyAuthentication().authenticate(
            Request(factory.get("/", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz"))
        )
        is None
    )


def test_key_wins_over_the_session_when_both_are_present(
    key_a: tuple[ApiKey, str], member_b: User
) -> None:
    key, raw = key_a

    response = call(bearer(raw), user=member_b)

    assert response.data["email"] == key.user.email


def test_schema_documents_the_bearer_scheme_when_generated(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    }
    generator = SchemaGenerator(patterns=[path("api/v1/whoami/", WhoAmI.as_view())])

    schema = generator.get_schema(request=None, public=True)

    scheme = schema["components"]["securitySchemes"]["ApiKeyAuth"]
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    assert {"ApiKeyAuth": []} in schema["paths"]["/api/v1/whoami/"]["get"]["security"]
