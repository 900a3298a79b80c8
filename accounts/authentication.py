"""API keys as a Django REST framework authentication scheme: `Authorization: Bearer <key>`.

Listed next to session authentication in `REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]`: a
request without a bearer header falls through to the session (the browser) or stays anonymous,
while a request that does present a key is either authenticated by it or refused with 401.
The drf-spectacular extension below documents the scheme in the OpenAPI schema.
"""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from .models import ApiKey, ApiKeyStatus, User
from .services import find_api_key, touch_last_used

KEYWORD = b"bearer"


class ApiKeyAuthentication(BaseAuthentication):
    """Authenticate a program by one of its user's API keys; `request.auth` is the ApiKey."""

    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            # No key presented (or another scheme): let the next authenticator decide.
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(
                _("Invalid Authorization header. Send “Authorization: Bearer <key>”.")
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise AuthenticationFailed(_("Invalid API key.")) from error
        return self.authenticate_credentials(raw)

    def authenticate_credentials(self, raw: str) -> tuple[User, ApiKey]:
        key = find_api_key(raw)
        if key is None:
            raise AuthenticationFailed(_("Invalid API key."))
        # Only a genuine key learns why it is refused; a guessed one gets "Invalid" above.
        status = key.status
        if status == ApiKeyStatus.REVOKED:
            raise AuthenticationFailed(_("This API key has been revoked."))
        if status == ApiKeyStatus.EXPIRED:
            expired = key.expires_at.isoformat(timespec="minutes") if key.expires_at else ""
            raise AuthenticationFailed(_("This API key expired on %(date)s.") % {"date": expired})
        if not key.user.is_active:
            raise AuthenticationFailed(_("The account this API key belongs to is deactivated."))
        touch_last_used(key)
        return key.user, key

    def authenticate_header(self, request: Request) -> str:
        # Having a challenge makes DRF answer 401 (with this WWW-Authenticate) instead of 403.
        return 'Bearer realm="api"'


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents `ApiKeyAuthentication` as an HTTP bearer scheme in the OpenAPI schema."""

    target_class = "accounts.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "cpt_<prefix>_<secret>",
            "description": (
                "An API key created on the “API keys” page or with `manage.py create_api_key`, "
                "sent as `Authorization: Bearer <key>`."
            ),
        }
