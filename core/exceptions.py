"""Kinds of domain refusal that every app can raise and every interface can map the same way:
the web shows a message, the API answers 409 or 412."""


class DomainConflict(Exception):
    """The request is valid but conflicts with the current state (HTTP 409)."""


class StalePrecondition(Exception):
    """The client's copy is out of date (HTTP 412 for a failed If-Match)."""
