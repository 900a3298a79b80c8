"""Cross-cutting request handling."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class DatabaseUnavailableMiddleware:
    """Turns a database outage into a clear 503 page or JSON answer (issue 8; being built)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)
