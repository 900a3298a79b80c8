"""Request types for what Django's HttpRequest does not say: a signed-in user, htmx details."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind @login_required: its user is a User, never AnonymousUser.

    Only an annotation: Django never builds one, so isinstance() of a request is meaningless.
    """

    user: User


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (every request here does)."""

    htmx: HtmxDetails


def signed_in_user(request: HttpRequest) -> User:
    """The user of a request that only a signed-in user reaches (the admin's, a DRF write).

    For code whose signature Django or DRF fixes at HttpRequest; a view of our own takes an
    AuthenticatedHttpRequest instead. Anonymous here means a missing permission check: refuse.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
